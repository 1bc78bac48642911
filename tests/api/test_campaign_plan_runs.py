"""Planning a campaign as a queued run, through GraphQL on both backends (convention 20).

The schema executes on a rolled-back session of the API world; no worker can see that
transaction, so each test executes the queued run itself on the same connection
(``run_campaign_plan_here``: a worker's steps, on the caller's sessions). Real worker processes
are in ``tests/services/test_campaign_plan_workers.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from tests.api.campaign_world import DEADLINE, START, build_api_campaign_world
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import PlanOptions, RunKind, RunState
from sitecrew.errors import ConflictError
from sitecrew.services.campaigns import PlanCampaign, plan_campaign
from sitecrew.services.campaigns.sweep_run import (
    SPANS,
    execute_campaign_run,
    run_campaign_plan_here,
    summary_to_json,
)
from sitecrew.services.planning import runs
from sitecrew.services.planning.progress import RunStoppedError

PROBLEM = "... on Problem { __typename code message }"
RUN_FIELDS = """id campaignId fromDay status progress step
  summary { campaignId placed kept unplacedTotal unplaced { reason homes } firstDay lastDay
    minutesPerHome setupMinutesPerEntrance timedVisits }"""
CREATE = f"""mutation C($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{
  __typename ... on Campaign {{ id }} {PROBLEM} }} }}"""
PLAN = f"""mutation P($id: ID!, $from: Date!) {{
  planCampaign(input: {{campaignId: $id, fromDay: $from}}) {{
  __typename ... on CampaignPlanRun {{ {RUN_FIELDS} }} {PROBLEM} }} }}"""
RUN = f"""query R($id: ID!) {{ campaignPlanRun(id: $id) {{ {RUN_FIELDS} message }} }}"""
CANCEL = f"""mutation X($id: ID!) {{ cancelPlanningRun(input: {{runId: $id}}) {{
  __typename ... on PlanningRun {{ id status step }} {PROBLEM} }} }}"""
PUBLISH = f"""mutation U($id: ID!) {{ publishRoutes(input: {{runId: $id}}) {{
  __typename {PROBLEM} }} }}"""
ADMIN = Principal(Role.ADMIN)


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return build_api_campaign_world(session)


@pytest.fixture
def campaign_id(call, world) -> str:
    values = {
        "region": str(world.region_id),
        "name": "Media boxes, queued",
        "startOn": START.isoformat(),
        "deadlineOn": DEADLINE.isoformat(),
        "crewIds": [str(world.own_crew_id), str(world.contractor_crew_id)],
        "districtIds": [str(world.west_id), str(world.east_id)],
        "visitsPerCrewDay": 6,
    }
    made = call.data(planner(world), CREATE, input=values)["createCampaign"]
    assert made["__typename"] == "Campaign", made
    return made["id"]


def planner(world) -> Principal:
    return Principal(Role.PLANNER, region_id=world.region_id)


def queue(call, world, campaign_id: str, principal=None, from_day=START) -> dict:
    answer = call.data(principal or planner(world), PLAN, id=campaign_id, **{"from": str(from_day)})
    return answer["planCampaign"]


def run_count(call) -> int:
    with call.sessions() as session:
        return session.scalar(select(func.count(m.PlanningRun.id))) or 0


def home_states(call, campaign_id: str) -> dict[str, int]:
    with call.sessions() as session:
        query = (
            select(m.CampaignHome.state, func.count(m.CampaignHome.id))
            .where(m.CampaignHome.campaign_id == int(campaign_id))
            .group_by(m.CampaignHome.state)
        )
        return dict(session.execute(query).all())


def test_a_plan_is_queued_then_succeeds_with_the_summary_the_synchronous_plan_gives(
    call, world, campaign_id
):
    """The mutation answers at once with a queued run and plans nothing yet; once executed, the
    run holds exactly the summary ``plan_campaign`` gives on the same campaign."""
    connection = call.sessions.kw["bind"]
    before = connection.begin_nested()
    with call.sessions() as session:
        expected = plan_campaign(session, ADMIN, PlanCampaign(int(campaign_id), START))
    before.rollback()
    assert expected.placed > 0

    queued = queue(call, world, campaign_id)
    assert queued["__typename"] == "CampaignPlanRun", queued
    assert (queued["status"], queued["step"], queued["progress"]) == ("QUEUED", "queued", 0.0)
    assert (queued["campaignId"], queued["fromDay"], queued["summary"]) == (
        campaign_id,
        START.isoformat(),
        None,
    )
    assert home_states(call, campaign_id) == {"pending": 20}

    finished = run_campaign_plan_here(call.sessions, call.sessions, int(queued["id"]))
    assert finished.state is RunState.SUCCEEDED
    assert finished.summary == summary_to_json(expected)
    read = call.data(planner(world), RUN, id=queued["id"])["campaignPlanRun"]
    assert (read["status"], read["step"], read["progress"], read["message"]) == (
        "SUCCEEDED",
        "done",
        1.0,
        None,
    )
    assert read["summary"]["placed"] == expected.placed
    assert read["summary"]["unplacedTotal"] == expected.unplaced_total
    assert read["summary"]["firstDay"] == expected.first_day.isoformat()
    assert home_states(call, campaign_id).get("proposed") == expected.placed


def test_the_run_reports_each_stage_in_order_with_rising_progress(call, world, campaign_id):
    """What a poller (or ``planningRunProgress``) sees: every stage, in order, then done."""
    run_id = int(queue(call, world, campaign_id)["id"])
    seen: list[tuple[str, float]] = []

    def watch(*args) -> None:  # before_cursor_execute: (conn, cursor, statement, parameters, ...)
        statement, context = args[2], args[4]
        if statement.lstrip().upper().startswith("UPDATE PLANNING_RUNS"):
            values = context.compiled_parameters[0]
            if "step" in values and "progress" in values:
                seen.append((values["step"], values["progress"]))

    connection = call.sessions.kw["bind"]
    event.listen(connection, "before_cursor_execute", watch)
    try:
        run_campaign_plan_here(call.sessions, call.sessions, run_id)
    finally:
        event.remove(connection, "before_cursor_execute", watch)

    assert [step for step, _ in seen] == [*SPANS, "done"]
    shares = [share for _, share in seen]
    assert shares == sorted(shares)
    assert (shares[0], shares[-1]) == (0.0, 1.0)


def test_a_second_plan_of_the_same_campaign_is_refused_while_one_is_queued(
    call, world, campaign_id
):
    """Two sweeps of the same homes would overwrite each other: Conflict naming the run; once
    the first has ended the campaign can be planned again."""
    first = queue(call, world, campaign_id)
    before = run_count(call)
    second = queue(call, world, campaign_id, from_day=START + timedelta(days=2))
    assert second["__typename"] == "Conflict"
    assert f"run {first['id']}" in second["message"]
    assert run_count(call) == before
    run_campaign_plan_here(call.sessions, call.sessions, int(first["id"]))
    again = queue(call, world, campaign_id, from_day=START + timedelta(days=2))
    assert (again["__typename"], again["status"]) == ("CampaignPlanRun", "QUEUED")


def test_a_queued_plan_cancelled_never_runs_and_changes_no_home(call, world, campaign_id):
    run_id = queue(call, world, campaign_id)["id"]
    cancelled = call.data(planner(world), CANCEL, id=run_id)["cancelPlanningRun"]
    assert (cancelled["status"], cancelled["step"]) == ("CANCELLED", "cancelled")
    with pytest.raises(ConflictError, match="no longer queued"):
        run_campaign_plan_here(call.sessions, call.sessions, int(run_id))
    assert home_states(call, campaign_id) == {"pending": 20}
    read = call.data(planner(world), RUN, id=run_id)["campaignPlanRun"]
    assert (read["status"], read["summary"]) == ("CANCELLED", None)


def test_a_running_plan_cancelled_stops_at_its_next_stage_and_stores_nothing(
    call, world, campaign_id
):
    run_id = int(queue(call, world, campaign_id)["id"])
    with call.sessions.begin() as session:
        run = runs.get_run(session, run_id)
        runs.mark_running(session, run)
    call.data(planner(world), CANCEL, id=str(run_id))
    with pytest.raises(RunStoppedError):
        execute_campaign_run(call.sessions, call.sessions, run)
    assert home_states(call, campaign_id) == {"pending": 20}
    read = call.data(planner(world), RUN, id=str(run_id))["campaignPlanRun"]
    assert read["status"] == "CANCELLED"


def test_a_campaign_cancelled_before_its_run_starts_fails_the_run_with_the_reason(
    call, world, campaign_id
):
    run_id = int(queue(call, world, campaign_id)["id"])
    cancel = f"""mutation {{ cancelCampaign(input: {{campaignId: "{campaign_id}"}}) {{
      __typename {PROBLEM} }} }}"""
    assert call.data(planner(world), cancel)["cancelCampaign"]["__typename"] == "Campaign"
    finished = run_campaign_plan_here(call.sessions, call.sessions, run_id)
    assert finished.state is RunState.FAILED
    assert finished.message == f"campaign {campaign_id} is cancelled; it plans nothing more"


@pytest.mark.parametrize("who", ["crew", "contractor", "stranger"])
def test_who_may_not_plan_the_campaign_gets_the_typed_problem_and_no_run(
    call, world, campaign_id, who
):
    principal = {
        "crew": Principal(Role.CREW, crew_id=world.own_crew_id),
        "contractor": Principal(Role.CONTRACTOR, organisation_id=world.contractor_id),
        "stranger": Principal(Role.PLANNER, region_id=world.other_region_id),
    }[who]
    before = run_count(call)
    answer = queue(call, world, campaign_id, principal=principal)
    assert answer["__typename"] == ("NotFound" if who == "stranger" else "Forbidden")
    assert run_count(call) == before
    run_id = queue(call, world, campaign_id)["id"]
    assert call(principal, RUN, id=run_id).errors[0].extensions["code"] in {
        "NOT_FOUND",
        "FORBIDDEN",
    }


def test_a_plan_past_the_deadline_is_refused_before_anything_is_queued(call, world, campaign_id):
    before = run_count(call)
    late = queue(call, world, campaign_id, from_day=DEADLINE + timedelta(days=1))
    assert late["__typename"] == "InvalidInput"
    assert run_count(call) == before


def test_a_campaign_run_is_no_day_run_and_a_day_run_no_campaign_run(call, world, campaign_id):
    """Publishing a campaign run's routes is a Conflict; a day's run is not a campaign run."""
    run_id = queue(call, world, campaign_id)["id"]
    run_campaign_plan_here(call.sessions, call.sessions, int(run_id))
    published = call.data(planner(world), PUBLISH, id=run_id)["publishRoutes"]
    assert published["__typename"] == "Conflict"
    assert "plans a campaign" in published["message"]
    with call.sessions.begin() as session:
        options = PlanOptions(time_limit_s=1).to_json()
        day = runs.insert_run(
            session, kind=RunKind.DAY, region_id=world.region_id, day=START, options=options
        )
    assert day.kind is RunKind.DAY
    missing = call(planner(world), RUN, id=str(day.id))
    assert missing.errors[0].extensions["code"] == "NOT_FOUND"
