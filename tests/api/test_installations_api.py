"""Installation orders through GraphQL (#17 item 6), executed on both backends.

A planner orders pieces for a yard of its region and reads the order back by region, site and
status; cancelling it cancels the job; crews, contractors and other regions' planners get
FORBIDDEN or NOT_FOUND problems, bad input INVALID_INPUT, a done order ILLEGAL_TRANSITION.
"""

from __future__ import annotations

import pytest
from tests.security.schema_calls import schema_caller
from tests.services.care_plan_world import make_care_world

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role

FIELDS = """
fragment OrderFields on Installation {
  id regionId siteId status wantedFrom wantedTo pieces notes installedOn furnitureIds
  version lines { modelId count minutesPerPiece }
  parts { jobId part status installedOn pieces { modelId count } }
}"""
CREATE = (
    """mutation C($input: CreateInstallationInput!) {
  createInstallation(input: $input) {
    __typename ...OrderFields ... on Problem { code message } } }"""
    + FIELDS
)
CANCEL = (
    """mutation X($input: CancelInstallationInput!) {
  cancelInstallation(input: $input) {
    __typename ...OrderFields ... on Problem { code message } } }"""
    + FIELDS
)
LIST = (
    "query L($regionId: ID, $siteId: ID, $status: JobStatus) {"
    " installations(regionId: $regionId, siteId: $siteId, status: $status) { ...OrderFields } }"
    + FIELDS
)
ADMIN = Principal(Role.ADMIN)


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return make_care_world(session, name="Install api")


def _input(world, count: int = 2, **changes) -> dict:
    return {
        "siteId": str(world.site_ids[1]),
        "lines": [{"modelId": str(world.model_id), "count": count}],
        "wantedFrom": "2026-05-04",
        "wantedTo": "2026-05-29",
        **changes,
    }


def test_a_planner_orders_reads_and_cancels_an_installation(call, world):
    planner = world.planner()
    made = call.data(planner, CREATE, input=_input(world, notes="by the gate"))
    order = made["createInstallation"]
    assert order["__typename"] == "Installation"
    assert (order["status"], order["pieces"], order["wantedTo"], order["installedOn"]) == (
        "OPEN",
        2,
        "2026-05-29",
        None,
    )
    assert order["lines"] == [{"modelId": str(world.model_id), "count": 2, "minutesPerPiece": 90}]
    with call.sessions() as session:
        [part] = order["parts"]
        assert (part["part"], part["status"], part["installedOn"]) == (1, "OPEN", None)
        assert part["pieces"] == [{"modelId": str(world.model_id), "count": 2}]
        job = session.get(m.Job, int(part["jobId"]))
        assert (job.duration_minutes, job.kind) == (30 + 2 * 90, "install_furniture")

    listed = call.data(planner, LIST, regionId=str(world.region_id), status="OPEN")
    assert [found["id"] for found in listed["installations"]] == [order["id"]]
    by_site = call.data(planner, LIST, siteId=str(world.site_ids[0]))["installations"]
    assert by_site == []

    cancel = {"id": order["id"], "version": order["version"]}
    cancelled = call.data(planner, CANCEL, input=cancel)["cancelInstallation"]
    assert cancelled["status"] == "CANCELLED"
    assert [part["status"] for part in cancelled["parts"]] == ["CANCELLED"]
    assert call.data(planner, LIST, status="OPEN")["installations"] == []


def test_a_delivery_bigger_than_a_crew_day_is_ordered_in_parts(call, world):
    """12 benches at 90 min: 4 a crew-day (30 + 360 min), so three parts of 4, one job each."""
    order = call.data(ADMIN, CREATE, input=_input(world, count=12))["createInstallation"]
    assert order["__typename"] == "Installation"
    assert [(part["part"], part["pieces"][0]["count"]) for part in order["parts"]] == [
        (1, 4),
        (2, 4),
        (3, 4),
    ]
    with call.sessions() as session:
        for part in order["parts"]:
            assert session.get(m.Job, int(part["jobId"])).duration_minutes == 30 + 4 * 90
    too_big = call.data(ADMIN, CREATE, input=_input(world, count=81))["createInstallation"]
    assert (too_big["__typename"], too_big["code"]) == ("InvalidInput", "INVALID_INPUT")


@pytest.mark.parametrize(
    "principal",
    [Principal(Role.CREW, crew_id=1), Principal(Role.CONTRACTOR, organisation_id=1)],
    ids=["crew", "contractor"],
)
def test_crews_and_contractors_are_forbidden(call, world, principal):
    made = call.data(principal, CREATE, input=_input(world))["createInstallation"]
    assert made["code"] == "FORBIDDEN"
    result = call(principal, LIST)
    assert [error.extensions["code"] for error in result.errors] == ["FORBIDDEN"]


def test_another_regions_planner_finds_neither_the_site_nor_the_order(call, world):
    order = call.data(ADMIN, CREATE, input=_input(world))["createInstallation"]
    other = world.planner(other=True)
    made = call.data(other, CREATE, input=_input(world))["createInstallation"]
    assert made["code"] == "NOT_FOUND"
    cancel = {"id": order["id"], "version": order["version"]}
    assert call.data(other, CANCEL, input=cancel)["cancelInstallation"]["code"] == "NOT_FOUND"
    assert call.data(other, LIST)["installations"] == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"lines": [{"modelId": "1", "count": 0}]}, "INVALID_INPUT"),
        ({"lines": [{"modelId": "not an id", "count": 1}]}, "INVALID_INPUT"),
        ({"lines": [{"modelId": "999999", "count": 1}]}, "NOT_FOUND"),
        ({"siteId": "999999"}, "NOT_FOUND"),
        ({"wantedTo": "2026-05-01"}, "INVALID_INPUT"),
        ({"lines": []}, "INVALID_INPUT"),
    ],
    ids=["count-0", "bad-model-id", "unknown-model", "unknown-site", "window", "no-lines"],
)
def test_bad_orders_are_typed_problems(call, world, changes, code):
    made = call.data(ADMIN, CREATE, input=_input(world, **changes))["createInstallation"]
    assert made["code"] == code


def test_stale_and_done_orders_cannot_be_cancelled(call, world):
    order = call.data(ADMIN, CREATE, input=_input(world))["createInstallation"]
    stale = {"id": order["id"], "version": order["version"] + 7}
    assert call.data(ADMIN, CANCEL, input=stale)["cancelInstallation"]["code"] == "CONFLICT"
    with call.sessions.begin() as session:
        session.get(m.Job, int(order["parts"][0]["jobId"])).status = "done"
    with call.sessions() as session:
        version = session.get(m.Job, int(order["parts"][0]["jobId"])).version
    done = {"id": order["id"], "version": version}
    result = call.data(ADMIN, CANCEL, input=done)["cancelInstallation"]
    assert result["code"] == "ILLEGAL_TRANSITION"
