"""DataLoaders, created per request: every relation is fetched in one query per tick."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from sitecrew.services.reading import entities
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sitecrew.api.context import Context

#: At most this many children are listed under one parent (e.g. furniture of a site).
MAX_CHILDREN = 500


class _LoadersById(dict[Entity, "DataLoader[int, Any]"]):
    """One by-id loader per entity kind, made when first asked for."""

    def __init__(self, make_load: Callable[[Entity], Any]) -> None:
        super().__init__()
        self._make_load = make_load

    def __missing__(self, entity: Entity) -> DataLoader[int, Any]:
        loader: DataLoader[int, Any] = DataLoader(load_fn=self._make_load(entity))
        self[entity] = loader
        return loader


class _ChildrenOf:
    """A request's loader of ``entity`` rows by parent id, made on first use and then kept.

    Like ``functools.cached_property``, but one line per relation: the loader is stored in the
    instance under the attribute's name, which shadows this (non-data) descriptor afterwards.
    """

    def __init__(self, entity: Entity, parent_column: str) -> None:
        self._entity = entity
        self._parent_column = parent_column
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, loaders: Loaders, owner: type | None = None) -> DataLoader[int, list[Any]]:
        loader = loaders.children(self._entity, self._parent_column)
        loaders.__dict__[self._name] = loader
        return loader


class Loaders:
    """The request's loaders; built by :class:`Context`."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self.by_id = _LoadersById(self._by_id_loader)
        #: Building footprints and site areas by id (lists and nested reads leave them out).
        self.outline = _LoadersById(self._outline_loader)

    # Each loader is made on first use: most requests need one or two of them, and making all
    # of them for every request was a measurable share of a small request's time.
    furniture_by_site = _ChildrenOf(Entity.FURNITURE, "site_id")
    maintenance_by_furniture = _ChildrenOf(Entity.MAINTENANCE_RECORD, "furniture_id")
    members_by_crew = _ChildrenOf(Entity.CREW_MEMBER, "crew_id")
    appointments_by_job = _ChildrenOf(Entity.APPOINTMENT, "job_id")
    apartments_by_building = _ChildrenOf(Entity.APARTMENT, "building_id")

    @cached_property
    def latest_maintenance(self) -> DataLoader[int, Any]:
        return DataLoader(load_fn=self._latest)

    @cached_property
    def private_details(self) -> dict[Entity, DataLoader[int, bool]]:
        """Return, per kind (apartment, site), whether the caller may see private details."""
        return {
            entity: DataLoader(load_fn=self._private_details_loader(entity))
            for entity in (Entity.APARTMENT, Entity.SITE)
        }

    def _by_id_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            principal = self._context.user
            return await self._context.read(entities.get_many, entity, list(ids), principal)

        return load

    def _outline_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            principal = self._context.user
            return await self._context.read(entities.outlines, entity, list(ids), principal)

        return load

    def children(self, entity: Entity, parent_column: str) -> DataLoader[int, list[Any]]:
        """Return a new loader of ``entity`` rows by ``parent_column`` (at most MAX_CHILDREN)."""

        async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
            return await self._context.read(
                entities.children_of,
                entity,
                parent_column,
                list(parent_ids),
                self._context.user,
                limit=MAX_CHILDREN,
            )

        return DataLoader(load_fn=load)

    async def _latest(self, furniture_ids: Sequence[int]) -> list[Any]:
        return await self._context.read(entities.latest_maintenance, list(furniture_ids))

    def _private_details_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[bool]:
            principal = self._context.user
            return await self._context.read(entities.private_details, entity, principal, list(ids))

        return load
