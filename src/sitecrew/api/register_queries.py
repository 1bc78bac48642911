"""Queries for the registers an operation edits: organisations, the catalogue, depots, members.

Each reads through the same scoping as every other query: organisations and furniture models
are shared reference data that admins and planners list (contractors and crews reach them only
through a row they see); depots, districts and crew members follow their region.
"""

from __future__ import annotations

from typing import Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.pagination import Connection, check_page_size, connection_of, decode_cursor
from sitecrew.api.types.places import District, FurnitureModel, Organisation
from sitecrew.api.types.work import CrewMember, Depot
from sitecrew.domain.ids import parse_id
from sitecrew.services.reading import entities
from sitecrew.services.reading.entities import Entity
from sitecrew.services.reading.listing import ListFilter

Info = strawberry.Info[Context, None]
DEFAULT_PAGE = 50


async def _page(info: Info, entity: Entity, *, first: int, after: str | None, convert: Any) -> Any:
    context = info.context
    limit = check_page_size(first, context.settings.server.max_page_size)
    items, has_next = await context.read(
        entities.list_entities,
        entity,
        context.user,
        ListFilter(),
        after_id=decode_cursor(after),
        limit=limit,
    )
    return connection_of(
        [convert(item) for item in items], [item.id for item in items], has_next=has_next
    )


async def _one(info: Info, entity: Entity, entity_id: strawberry.ID, what: str) -> Any:
    return await info.context.read(
        entities.get_visible, entity, info.context.user, parse_id(entity_id, what)
    )


@strawberry.type
class RegisterQueries:
    @strawberry.field(description="Organisations (admins and planners).")
    async def organisations(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Organisation]:
        return await _page(
            info, Entity.ORGANISATION, first=first, after=after, convert=Organisation.from_domain
        )

    @strawberry.field(description="One organisation (admins and planners).")
    async def organisation(self, info: Info, id: strawberry.ID) -> Organisation:
        return Organisation.from_domain(await _one(info, Entity.ORGANISATION, id, "organisation"))

    @strawberry.field(description="One district the caller may see.")
    async def district(self, info: Info, id: strawberry.ID) -> District:
        return District.from_domain(await _one(info, Entity.DISTRICT, id, "district"))

    @strawberry.field(description="The furniture catalogue (admins and planners).")
    async def furniture_models(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[FurnitureModel]:
        return await _page(
            info,
            Entity.FURNITURE_MODEL,
            first=first,
            after=after,
            convert=FurnitureModel.from_domain,
        )

    @strawberry.field(description="One catalogue product (admins and planners).")
    async def furniture_model(self, info: Info, id: strawberry.ID) -> FurnitureModel:
        found = await _one(info, Entity.FURNITURE_MODEL, id, "furniture model")
        return FurnitureModel.from_domain(found)

    @strawberry.field(description="Depots the caller may see (admins; planners of the region).")
    async def depots(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Depot]:
        return await _page(info, Entity.DEPOT, first=first, after=after, convert=Depot.from_domain)

    @strawberry.field(description="One depot the caller may see.")
    async def depot(self, info: Info, id: strawberry.ID) -> Depot:
        return Depot.from_domain(await _one(info, Entity.DEPOT, id, "depot"))

    @strawberry.field(description="One crew member the caller may see (a crew: its own).")
    async def crew_member(self, info: Info, id: strawberry.ID) -> CrewMember:
        return CrewMember.from_domain(await _one(info, Entity.CREW_MEMBER, id, "crew member"))
