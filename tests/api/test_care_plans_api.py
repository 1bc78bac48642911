"""Care plans and due work through GraphQL (#17 items 1-2), executed on both backends.

A planner adds its region's plan and runs due work with variables; a second run makes nothing;
crews and contractors get FORBIDDEN problems, a planner of another region too; bad input comes
back as an INVALID_INPUT problem member, never an unexplained error.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.security.schema_calls import schema_caller
from tests.services.care_plan_world import add_piece, make_care_world

from sitecrew.domain.access import Principal, Role

PLAN_FIELDS = """
fragment PlanFields on CarePlan {
  id modelId regionId action jobKind intervalMonths seasonStartMonth seasonEndMonth
  minutesPerPiece setupMinutes requiredSkills people countedActions version
}"""
CREATE = (
    """mutation C($input: CreateCarePlanInput!) {
  createCarePlan(input: $input) {
    __typename ...PlanFields ... on Problem { code message } } }"""
    + PLAN_FIELDS
)
PLANS = (
    "query P($regionId: ID, $modelId: ID) {"
    " carePlans(regionId: $regionId, modelId: $modelId) { ...PlanFields } }" + PLAN_FIELDS
)
DUE = """mutation D($input: GenerateDueCareWorkInput!) {
  generateDueCareWork(input: $input) {
    __typename
    ... on DueCareWork { today horizonDays piecesDue piecesAlreadyCovered
      created { jobId siteId action jobKind dueFrom dueBy daysOverdue worstGrade
                durationMinutes people priority furnitureIds } }
    ... on Problem { code message } } }"""


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        world = make_care_world(session, name="Api")
        for index in range(3):
            add_piece(session, world, index % 2, f"API-{index}", oiled=date(2025, 4, 1))
        return world


def _plan_input(world, **changes) -> dict:
    return {
        "modelId": str(world.model_id),
        "regionId": str(world.region_id),
        "action": "oil",
        "jobKind": "OIL",
        "intervalMonths": 12,
        "minutesPerPiece": 25,
        "setupMinutes": 10,
        "requiredSkills": ["OILING"],
        "seasonStartMonth": 4,
        "seasonEndMonth": 9,
        "countedActions": ["OILED"],
        **changes,
    }


def test_a_planner_plans_its_region_and_its_due_work_is_made_once(call, world):
    """Its own plan is in force; due work: one job per yard; a second run: nothing new."""
    planner = world.planner()
    made = call.data(planner, CREATE, input=_plan_input(world))["createCarePlan"]
    assert made["__typename"] == "CarePlan"
    assert (made["regionId"], made["seasonStartMonth"], made["requiredSkills"]) == (
        str(world.region_id),
        4,
        ["OILING"],
    )
    in_force = call.data(
        planner, PLANS, regionId=str(world.region_id), modelId=str(world.model_id)
    )["carePlans"]
    assert [plan["id"] for plan in in_force] == [made["id"]]

    due_input = {"regionId": str(world.region_id), "horizon": "8w", "today": "2026-04-20"}
    first = call.data(planner, DUE, input=due_input)["generateDueCareWork"]
    assert first["__typename"] == "DueCareWork"
    assert [len(job["furnitureIds"]) for job in first["created"]] == [2, 1]
    assert first["created"][0]["durationMinutes"] == 10 + 2 * 25
    assert first["created"][0]["dueFrom"] == "2026-04-20"
    second = call.data(planner, DUE, input=due_input)["generateDueCareWork"]
    assert (second["created"], second["piecesAlreadyCovered"]) == ([], 3)


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
    ],
    ids=["crew", "contractor"],
)
def test_crews_and_contractors_are_forbidden_plans_and_due_work(call, world, principal):
    """A FORBIDDEN problem for writing, an error with that code for reading."""
    made = call.data(principal, CREATE, input=_plan_input(world))["createCarePlan"]
    assert made["code"] == "FORBIDDEN"
    due = call.data(principal, DUE, input={"regionId": str(world.region_id)})
    assert due["generateDueCareWork"]["code"] == "FORBIDDEN"
    result = call(principal, PLANS)
    assert [error.extensions["code"] for error in result.errors] == ["FORBIDDEN"]


def test_another_regions_planner_and_defaults_are_refused(call, world):
    """A planner may not write defaults, nor plan or run another region."""
    other = world.planner(other=True)
    default = call.data(world.planner(), CREATE, input=_plan_input(world, regionId=None))
    assert default["createCarePlan"]["code"] == "FORBIDDEN"
    foreign = call.data(other, CREATE, input=_plan_input(world))["createCarePlan"]
    assert foreign["code"] == "FORBIDDEN"
    due = call.data(other, DUE, input={"regionId": str(world.region_id)})
    assert due["generateDueCareWork"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"intervalMonths": 0}, "interval"),
        ({"seasonEndMonth": None}, "season"),
        ({"seasonStartMonth": 13}, "season start month"),
        ({"action": "Oil now!"}, "care action"),
        ({"people": 0}, "people"),
    ],
)
def test_bad_plans_are_invalid_input_problems(call, world, changes, words):
    """Each broken rule is an INVALID_INPUT member naming it."""
    made = call.data(Principal(Role.ADMIN), CREATE, input=_plan_input(world, **changes))
    assert made["createCarePlan"]["code"] == "INVALID_INPUT"
    assert words in made["createCarePlan"]["message"]


def test_a_bad_horizon_is_an_invalid_input_problem(call, world):
    """``8x`` is no horizon."""
    due = call.data(
        Principal(Role.ADMIN), DUE, input={"regionId": str(world.region_id), "horizon": "8x"}
    )
    assert due["generateDueCareWork"]["code"] == "INVALID_INPUT"
