"""DataLoaders, created per request: every relation is fetched in one query per tick."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from sitecrew.services.reading import entities
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.api.context import Context

#: At most this many children are listed under one parent (e.g. furniture of a site).
MAX_CHILDREN = 500


class Loaders:
    """The request's loaders; built by :class:`Context`."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self.by_id: dict[Entity, DataLoader[int, Any]] = {
            entity: DataLoader(load_fn=self._by_id_loader(entity)) for entity in Entity
        }
        self.furniture_by_site = self._children(Entity.FURNITURE, "site_id")
        self.maintenance_by_furniture = self._children(Entity.MAINTENANCE_RECORD, "furniture_id")
        self.members_by_crew = self._children(Entity.CREW_MEMBER, "crew_id")
        self.appointments_by_job = self._children(Entity.APPOINTMENT, "job_id")
        self.apartments_by_building = self._children(Entity.APARTMENT, "building_id")
        self.latest_maintenance: DataLoader[int, Any] = DataLoader(load_fn=self._latest)
        self.tenant_visible: DataLoader[int, bool] = DataLoader(load_fn=self._tenant_visible)

    def _by_id_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            return await self._context.read(entities.get_many, entity, list(ids))

        return load

    def _children(self, entity: Entity, parent_column: str) -> DataLoader[int, list[Any]]:
        async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
            return await self._context.read(
                entities.children_of, entity, parent_column, list(parent_ids), limit=MAX_CHILDREN
            )

        return DataLoader(load_fn=load)

    async def _latest(self, furniture_ids: Sequence[int]) -> list[Any]:
        return await self._context.read(entities.latest_maintenance, list(furniture_ids))

    async def _tenant_visible(self, apartment_ids: Sequence[int]) -> list[bool]:
        principal = self._context.user
        return await self._context.read(entities.tenant_visibility, principal, list(apartment_ids))
