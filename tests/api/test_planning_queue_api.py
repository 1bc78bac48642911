"""cancelPlanningRun, and planRoutes when the task queue's Redis is down (schema executed on a
rolled-back session of the API world, both backends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.security.schema_calls import SchemaCaller, schema_caller

from sitecrew.config import RedisSettings
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.planning import runs

PLAN = """mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {
  __typename ... on PlanningRun { id status } ... on Problem { code message } } }"""
CANCEL = """mutation C($id: ID!) { cancelPlanningRun(input: {runId: $id}) {
  __typename ... on PlanningRun { id status step } ... on Problem { code message } } }"""
DAY = date(2031, 2, 3)
NOWHERE = RedisSettings(url="redis://127.0.0.1:1/0", prefix="nowhere")


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def planner(api_world) -> Principal:
    return Principal(Role.PLANNER, region_id=api_world.region_id)


def _queued_run(call: SchemaCaller, api_world) -> int:
    """A run waiting on the task queue (no worker gets it: nothing is enqueued)."""
    with call.sessions.begin() as session:
        options = PlanOptions(seed=1, time_limit_s=1)
        run = runs.create_run(
            session,
            region=api_world.region_id,
            day=DAY,
            options=options,
            queue="planning",
        )
    return run.id


def test_a_queued_run_is_cancelled_once_and_then_conflicts(call, api_world, planner):
    """The region's planner cancels a queued run; cancelling it again names its state."""
    run_id = _queued_run(call, api_world)
    cancelled = call.data(planner, CANCEL, id=str(run_id))["cancelPlanningRun"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["step"] == "cancelled"
    again = call.data(planner, CANCEL, id=str(run_id))["cancelPlanningRun"]
    assert again["__typename"] == "Conflict"
    assert "is cancelled" in again["message"]


def test_only_admins_and_the_regions_planners_may_cancel_a_run(call, api_world):
    """A crew is Forbidden; a planner of another region does not see the run (NotFound)."""
    run_id = _queued_run(call, api_world)
    crew = Principal(Role.CREW, crew_id=api_world.crew_id)
    answer = call.data(crew, CANCEL, id=str(run_id))["cancelPlanningRun"]
    assert answer["__typename"] == "Forbidden"
    stranger = Principal(Role.PLANNER, region_id=api_world.region_id + 1000)
    answer = call.data(stranger, CANCEL, id=str(run_id))["cancelPlanningRun"]
    assert answer["__typename"] == "NotFound"
    assert call.data(Principal(Role.ADMIN), CANCEL, id="999999")["cancelPlanningRun"][
        "__typename"
    ] == "NotFound"


def test_plan_routes_is_unavailable_and_queues_nothing_when_redis_is_down(
    call, api_world, planner
):
    """With SITECREW_REDIS_URL pointing at nothing, planRoutes fails with UNAVAILABLE at once."""
    call._settings = replace(call._settings, redis=NOWHERE)
    with call.sessions() as session:
        before = session.scalar(select(func.count(m.PlanningRun.id)))
    variables = {"region": str(api_world.region_id), "date": DAY.isoformat()}
    result = call(planner, PLAN, input={**variables, "timeLimitSeconds": 1})
    assert result.errors is not None
    error = result.errors[0]
    assert error.extensions["code"] == "UNAVAILABLE"
    assert "task queue (Redis) is unavailable" in error.message
    with call.sessions() as session:
        assert session.scalar(select(func.count(m.PlanningRun.id))) == before
