"""Route planning over GraphQL: start a run, poll it, publish it, read a crew's route."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    problem_from,
)
from sitecrew.api.types.routes import PlanningRun, Route
from sitecrew.domain.access import Role
from sitecrew.domain.ids import parse_id
from sitecrew.domain.routes import PlanOptions
from sitecrew.errors import SitecrewError
from sitecrew.services import editing
from sitecrew.services.planning import persist, read, runs

Info = strawberry.Info[Context, None]
PlanRoutesPayload = Annotated[
    PlanningRun | InvalidInput | NotFound | Forbidden, strawberry.union("PlanRoutesPayload")
]


@strawberry.type(description="How many routes a publish made visible to crews.")
class Published:
    run_id: strawberry.ID
    routes: int


PublishPayload = Annotated[
    Published | NotFound | Forbidden | Conflict, strawberry.union("PublishPayload")
]


@strawberry.input
class PlanRoutesInput:
    region_id: strawberry.ID
    date: dt.date
    time_limit_seconds: float = 5.0
    seed: int = 1
    publish: bool = False


@strawberry.input
class PublishRoutesInput:
    run_id: strawberry.ID


async def _route(info: Info, crew_id: int, day: dt.date) -> Route | None:
    route = await info.context.read(read.visible_crew_route, info.context.user, crew_id, day)
    return None if route is None else Route.from_domain(route)


def _run_with_unassigned(session: Any, run_id: int) -> tuple[Any, Any]:
    return runs.get_run(session, run_id), read.unassigned_for_run(session, run_id)


@strawberry.type
class PlanningQueries:
    @strawberry.field(description="A crew's route for a day (crews see only published routes).")
    async def crew_route(self, info: Info, crew_id: strawberry.ID, date: dt.date) -> Route | None:
        return await _route(info, parse_id(crew_id, "crew"), date)

    @strawberry.field(description="The calling crew's published route for a day.")
    async def my_route(self, info: Info, date: dt.date) -> Route | None:
        user = info.context.user
        user.require(Role.CREW, action="ask for 'my' route")
        return await _route(info, int(user.crew_id or 0), date)

    @strawberry.field(description="A planning run: status, progress, result, unassigned jobs.")
    async def planning_run(self, info: Info, id: strawberry.ID) -> PlanningRun:
        info.context.user.require(Role.ADMIN, Role.PLANNER, action="read planning runs")
        run, unassigned = await info.context.read(_run_with_unassigned, parse_id(id))
        editing.require_planner(info.context.user, region_id=run.region_id, action="read this run")
        return PlanningRun.from_domain(run, unassigned)


@strawberry.type
class PlanningMutations:
    @strawberry.mutation(description="Start planning a region's day in the background.")
    async def plan_routes(self, info: Info, input: PlanRoutesInput) -> PlanRoutesPayload:
        context = info.context
        try:
            region_id = parse_id(input.region_id, "region")
            editing.require_planner(context.user, region_id=region_id, action="plan routes")
            options = PlanOptions(
                seed=input.seed, time_limit_s=input.time_limit_seconds, publish=input.publish
            )
            run = await context.read(
                lambda _session: runs.start_run(
                    context.engine,
                    region=region_id,
                    day=input.date,
                    osm=context.settings.osm,
                    options=options,
                )
            )
            return PlanningRun.from_domain(run)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Publish a run's draft routes to the crews.")
    async def publish_routes(self, info: Info, input: PublishRoutesInput) -> PublishPayload:
        context = info.context
        try:
            run = await context.read(runs.get_run, parse_id(input.run_id, "run"))
            editing.require_planner(context.user, region_id=run.region_id, action="publish routes")
            count = await context.write(persist.publish_routes, run.id)
            return Published(run_id=input.run_id, routes=count)
        except SitecrewError as error:
            return problem_from(error)
