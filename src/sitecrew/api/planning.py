"""Planning queries: a crew's route for a day, the caller's own route, a planning run.

The planning mutations live with the other mutations, in :mod:`sitecrew.api.mutations.planning`.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.types.routes import PlanningRun, Route
from sitecrew.domain.access import Role
from sitecrew.domain.ids import parse_id
from sitecrew.services.planning import read, use_cases

Info = strawberry.Info[Context, None]


async def _route(info: Info, crew_id: int, day: dt.date) -> Route | None:
    route = await info.context.read(read.visible_crew_route, info.context.user, crew_id, day)
    return None if route is None else Route.from_domain(route)


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
        context = info.context
        report = await context.read(use_cases.get_planning_run, context.user, parse_id(id, "run"))
        return PlanningRun.from_domain(report.run, report.unassigned)
