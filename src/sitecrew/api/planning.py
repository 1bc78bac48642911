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


#: Fields under a stop's relation that read a row of another kind: (relation, field) -> kind.
FOLLOWED_FIELDS = {
    ("apartment", "building"): Entity.BUILDING,
    ("furniture", "model"): Entity.FURNITURE_MODEL,
}
#: Fields under a stop's relation that ask whether the caller sees the row's private details.
PRIVATE_FIELDS = {
    ("apartment", "accessNotes"): Entity.APARTMENT,
    ("apartment", "tenant"): Entity.APARTMENT,
    ("site", "accessNotes"): Entity.SITE,
}


async def _route(info: Info, crew_id: int, day: dt.date) -> Route | None:
    """Read the route and, in the same call, the stops' relations the query asks for.

    The rows are read with the scope of the DataLoaders (``entities.get_many``), and whether
    the caller sees their private details as ``entities.private_details`` tells, and handed to
    the loaders, so each stop's ``job``, ``apartment { tenant }``, ``furniture { model }``...
    answers at once: one round trip to the database thread for the whole route instead of one
    per kind and level.
    """
    context = info.context
    related, private = _stop_relations(info)
    route, found, allowed = await context.read(
        read.visible_crew_route_with, context.user, crew_id, day, related, private=private
    )
    context.loaders.prime(found)
    context.loaders.prime_private_details(allowed)
    return None if route is None else Route.from_domain(route)


def _stop_relations(info: Info) -> tuple[set[Entity], set[Entity]]:
    """Return the kinds the selection reads under ``stops``, and those asked for private details.

    A relation's own relations count too (an apartment's building, a furniture item's model).
    """
    wanted: set[Entity] = set()
    private: set[Entity] = set()
    routes = _fields(info.selected_fields)
    for stops in (stops for route in routes for stops in _fields(route.selections, "stops")):
        for field in _fields(stops.selections):
            if field.name not in STOP_FIELDS:
                continue
            wanted.add(STOP_FIELDS[field.name])
            for child in _fields(field.selections):
                key = (field.name, child.name)
                if key in FOLLOWED_FIELDS:
                    wanted.add(FOLLOWED_FIELDS[key])
                if key in PRIVATE_FIELDS:
                    private.add(PRIVATE_FIELDS[key])
    return wanted, private


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
