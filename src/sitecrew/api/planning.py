"""Planning queries: a crew's route for a day, the caller's own route, a planning run.

The planning mutations live with the other mutations, in :mod:`sitecrew.api.mutations.planning`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types.nodes import SelectedField

from sitecrew.api.context import Context
from sitecrew.api.types.routes import PlanningRun, Route
from sitecrew.domain.access import Role
from sitecrew.domain.ids import parse_id
from sitecrew.services.planning import read, use_cases
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

Info = strawberry.Info[Context, None]
#: The fields of a stop that read another entity, and the kind each reads.
STOP_FIELDS = {
    "job": Entity.JOB,
    "apartment": Entity.APARTMENT,
    "furniture": Entity.FURNITURE,
    "site": Entity.SITE,
    "building": Entity.BUILDING,
}


async def _route(info: Info, crew_id: int, day: dt.date) -> Route | None:
    """Read the route and, in the same call, the stops' relations the query asks for.

    The rows are read with the scope of the DataLoaders (``entities.get_many``) and handed to
    them, so each stop's ``job``, ``apartment``... answers at once: one round trip to the
    database thread for the whole route instead of one per kind and level.
    """
    context = info.context
    related = _stop_relations(info)
    route, found = await context.read(
        read.visible_crew_route_with, context.user, crew_id, day, related
    )
    context.loaders.prime(found)
    return None if route is None else Route.from_domain(route)


def _stop_relations(info: Info) -> set[Entity]:
    """Return the kinds the selection reads under ``stops`` (an apartment's building too)."""
    wanted: set[Entity] = set()
    routes = _fields(info.selected_fields)
    for stops in (stops for route in routes for stops in _fields(route.selections, "stops")):
        for field in _fields(stops.selections):
            if field.name in STOP_FIELDS:
                wanted.add(STOP_FIELDS[field.name])
            if field.name == "apartment" and any(_fields(field.selections, "building")):
                wanted.add(Entity.BUILDING)
    return wanted


def _fields(selections: Iterable[Any], name: str | None = None) -> Iterator[SelectedField]:
    """Yield the fields of a selection (through fragments), or those called ``name``."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if name is None or selection.name == name:
                yield selection
        else:  # a fragment spread or inline fragment: its fields are the selection's
            yield from _fields(selection.selections, name)


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
