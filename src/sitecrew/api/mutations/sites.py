"""Mutations on sites, furniture and maintenance records."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Deleted,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.scalars import GeoJSON
from sitecrew.api.types.enums import MaintenanceAction, SiteKind, WearType
from sitecrew.api.types.places import REGION_FIELD, Furniture, MaintenanceRecord, Site
from sitecrew.domain import jobs as dj
from sitecrew.domain import sites as ds
from sitecrew.domain.geo import point_from_lon_lat, validate_area
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.errors import InvalidInputError
from sitecrew.services import furniture as furniture_service
from sitecrew.services import regions as region_service
from sitecrew.services import sites as site_service

Info = strawberry.Info[Context, None]
SitePayload = Annotated[
    Site | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("SitePayload")
]
FurniturePayload = Annotated[
    Furniture | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("FurniturePayload")
]
MaintenancePayload = Annotated[
    MaintenanceRecord | InvalidInput | NotFound | Forbidden,
    strawberry.union("MaintenancePayload"),
]
DeletePayload = Annotated[
    Deleted | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("DeletePayload")
]


@strawberry.input
class CreateSiteInput:
    name: str
    kind: SiteKind
    region: str = strawberry.field(description=REGION_FIELD)
    lon: float
    lat: float
    area: GeoJSON | None = None
    address: str | None = None
    access_notes: str | None = None
    district_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None


@strawberry.input
class UpdateSiteInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you last read (stale: Conflict).")
    name: str | None = None
    kind: SiteKind | None = None
    lon: float | None = None
    lat: float | None = None
    area: GeoJSON | None = None
    address: str | None = None
    access_notes: str | None = None


@strawberry.input
class CreateFurnitureInput:
    site_id: strawberry.ID
    model_id: strawberry.ID
    serial: str
    lon: float
    lat: float
    installed_on: dt.date | None = None
    condition_grade: int = 0


@strawberry.input
class UpdateFurnitureInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you last read (stale: Conflict).")
    serial: str | None = None
    lon: float | None = None
    lat: float | None = None
    condition_grade: int | None = None
    installed_on: dt.date | None = None


@strawberry.input
class DeleteInput:
    id: strawberry.ID


@strawberry.input
class RecordMaintenanceInput:
    furniture_id: strawberry.ID
    performed_on: dt.date
    action: MaintenanceAction
    wear_type: WearType = dj.WearType.NONE
    severity: int = 0
    notes: str | None = None
    job_id: strawberry.ID | None = None


def _new_site(data: CreateSiteInput, region_id: int) -> ds.Site:
    """Return the site to create in the region ``data.region`` resolved to."""
    return ds.Site(
        data.name,
        data.kind,
        point_from_lon_lat(data.lon, data.lat),
        region_id,
        area=validate_area(data.area, what="area") if data.area is not None else None,
        address=data.address,
        owner_id=parse_optional_id(data.owner_id, "owner"),
        district_id=parse_optional_id(data.district_id, "district"),
        access_notes=data.access_notes,
    )


def _changes(data: Any, fields: tuple[str, ...]) -> site_service.Changes:
    values = {name: getattr(data, name) for name in fields if getattr(data, name) is not None}
    if data.lon is not None or data.lat is not None:
        if data.lon is None or data.lat is None:
            raise InvalidInputError("give both lon and lat to move it")
        values["location"] = point_from_lon_lat(data.lon, data.lat)
    return site_service.Changes(parse_id(data.id), data.version, values)


@strawberry.type
class SiteMutations:
    @strawberry.mutation(description="Create a site (admins and the region's planners).")
    @returns_problems
    async def create_site(self, info: Info, input: CreateSiteInput) -> SitePayload:
        stored = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            site_service.create_site,
            partial(_new_site, input),
        )
        return Site.from_domain(stored)

    @strawberry.mutation(description="Change a site's fields; omitted fields stay as they are.")
    @returns_problems
    async def update_site(self, info: Info, input: UpdateSiteInput) -> SitePayload:
        changes = _changes(input, ("name", "kind", "address", "access_notes"))
        if input.area is not None:
            changes.values["area"] = validate_area(input.area, what="area")
        stored = await info.context.write(site_service.update_site, info.context.user, changes)
        return Site.from_domain(stored)

    @strawberry.mutation(description="Delete a site without furniture or jobs.")
    @returns_problems
    async def delete_site(self, info: Info, input: DeleteInput) -> DeletePayload:
        site_id = parse_id(input.id)
        await info.context.write(site_service.delete_site, info.context.user, site_id)
        return Deleted(id=input.id)

    @strawberry.mutation(description="Register an installed furniture item.")
    @returns_problems
    async def create_furniture(self, info: Info, input: CreateFurnitureInput) -> FurniturePayload:
        item = ds.Furniture(
            parse_id(input.site_id, "site"),
            parse_id(input.model_id, "model"),
            input.serial,
            point_from_lon_lat(input.lon, input.lat),
            input.installed_on,
            input.condition_grade,
        )
        stored = await info.context.write(
            furniture_service.create_furniture, info.context.user, item
        )
        return Furniture.from_domain(stored)

    @strawberry.mutation(description="Change a furniture item's fields.")
    @returns_problems
    async def update_furniture(self, info: Info, input: UpdateFurnitureInput) -> FurniturePayload:
        changes = _changes(input, ("serial", "condition_grade", "installed_on"))
        stored = await info.context.write(
            furniture_service.update_furniture, info.context.user, changes
        )
        return Furniture.from_domain(stored)

    @strawberry.mutation(description="Delete a furniture item without jobs (and its history).")
    @returns_problems
    async def delete_furniture(self, info: Info, input: DeleteInput) -> DeletePayload:
        furniture_id = parse_id(input.id)
        await info.context.write(
            furniture_service.delete_furniture, info.context.user, furniture_id
        )
        return Deleted(id=input.id)

    @strawberry.mutation(
        description=(
            "Record maintenance or a wear report on a furniture item: planners of its region, "
            "or the crew whose route of today has a job on it (give jobId)."
        )
    )
    @returns_problems
    async def record_maintenance(
        self, info: Info, input: RecordMaintenanceInput
    ) -> MaintenancePayload:
        record = dj.MaintenanceRecord(
            parse_id(input.furniture_id, "furniture"),
            input.performed_on,
            input.action,
            input.wear_type,
            input.severity,
            input.notes,
            job_id=parse_optional_id(input.job_id, "job"),
        )
        stored = await info.context.write(
            furniture_service.record_maintenance, info.context.user, record
        )
        return MaintenanceRecord.from_domain(stored)
