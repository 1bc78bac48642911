"""The wear report through GraphQL (#17 item 5), executed on both backends.

A planner reads its region's report with the same numbers as the service's hand-counted world;
crews, contractors and another region's planner get FORBIDDEN; an unknown model NOT_FOUND; an
end before the start INVALID_INPUT.
"""

from __future__ import annotations

import pytest
from tests.security.schema_calls import schema_caller
from tests.services.wear_report_world import build_wear_world

from sitecrew.domain.access import Principal, Role

REPORT = """query W($modelId: ID, $from: Date!, $to: Date!, $groupBy: WearGroupBy!, $regionId: ID) {
  wearReport(modelId: $modelId, from: $from, to: $to, groupBy: $groupBy, regionId: $regionId) {
    from to groupBy model regionId
    total { key pieces pieceYears inspections failures failuresPerPieceYear
            grades { grade count share } }
    groups { key pieces inspections failures medianDaysToFirstRepair }
    failures { part mode failures perPieceYear }
    survival { pieces events medianDays points { days survival lower upper atRisk } }
    oilIntervals { intervals medianDays plannedDays withinPlanShare }
    worstSites { siteId name kind failures poorShare }
  } }"""


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return build_wear_world(session, name="ApiWear")


def _variables(world, **changes) -> dict:
    return {
        "modelId": str(world.model_id),
        "from": "2025-01-01",
        "to": "2025-12-31",
        "groupBy": "SITE_KIND",
        "regionId": None,
        **changes,
    }


def test_a_planner_reads_its_regions_wear_report(call, world):
    """Four pieces, five inspections at a fifth each, three failures, KM median 1492 days."""
    result = call(world.planner, REPORT, **_variables(world))
    assert result.errors is None, result.errors
    report = result.data["wearReport"]
    assert report["regionId"] == str(world.region_id)
    total = report["total"]
    assert (total["pieces"], total["inspections"], total["failures"]) == (4, 5, 3)
    assert {g["grade"]: g["count"] for g in total["grades"]} == dict.fromkeys(
        ("TG0", "TG1", "TG2", "TG3", "TGIU"), 1
    )
    assert total["failuresPerPieceYear"] == pytest.approx(3 / (1460 / 365.25))
    assert [(g["key"], g["pieces"]) for g in report["groups"]] == [
        ("housing_cooperative", 2),
        ("schoolyard", 2),
    ]
    assert report["survival"]["medianDays"] == 1492.0
    assert report["oilIntervals"]["withinPlanShare"] == 0.5
    assert report["worstSites"][0]["siteId"] == str(world.yard_a)


@pytest.mark.parametrize(
    "principal",
    [Principal(Role.CREW, crew_id=1), Principal(Role.CONTRACTOR, organisation_id=1)],
    ids=["crew", "contractor"],
)
def test_crews_and_contractors_are_forbidden_the_report(call, world, principal):
    result = call(principal, REPORT, **_variables(world))
    assert [error.extensions["code"] for error in result.errors] == ["FORBIDDEN"]


def test_bad_requests_come_back_with_their_codes(call, world):
    """Another region's planner: FORBIDDEN; unknown model: NOT_FOUND; reversed period: INVALID_INPUT."""
    cases = [
        (world.other_planner, _variables(world, regionId=str(world.region_id)), "FORBIDDEN"),
        (world.planner, _variables(world, modelId="987654"), "NOT_FOUND"),
        (world.planner, _variables(world, **{"from": "2026-01-01"}), "INVALID_INPUT"),
    ]
    for principal, variables, code in cases:
        result = call(principal, REPORT, **variables)
        assert [error.extensions["code"] for error in result.errors] == [code], variables
