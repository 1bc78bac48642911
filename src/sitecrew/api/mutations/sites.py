"""Mutations on sites, furniture and maintenance records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Deleted,
    Forbidden,
    InvalidInput,
    NotFound,
    problem_from,
)
from sitecrew.api.scalars import GeoJSON
from sitecrew.api.types.enums import MaintenanceAction, SiteKind, WearType
from sitecrew.api.types.places import Furniture, MaintenanceRecord, Site
from sitecrew.domain import jobs as dj
from sitecrew.domain import sites as ds
from sitecrew.domain.geo import point_from_lon_lat, validate_area
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.errors import InvalidInputError, SitecrewError
from sitecrew.services import editing
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
    Deleted | NotFound | Forbidden | Conflict, strawberry.union("DeletePayload")
]


@strawberry.input
class CreateSiteInput:
    name: str
    kind: SiteKind
    region_id: strawberry.ID
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


def _changes(data: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    changes = {name: getattr(data, name) for name in fields if getattr(data, name) is not None}
    if data.lon is not None or data.lat is not None:
        if data.lon is None or data.lat is None:
            raise InvalidInputError("give both lon and lat to move it")
        changes["location"] = point_from_lon_lat(data.lon, data.lat)
    return changes


async def _planner_for(info: Info, entity: str, entity_id: int, action: str) -> None:
    region = await info.context.read(editing.region_of, entity, entity_id)
    editing.require_planner(info.context.user, region_id=region, action=action)


@strawberry.type
class SiteMutations:
    @strawberry.mutation(description="Create a site (admins and the region's planners).")
    async def create_site(self, info: Info, input: CreateSiteInput) -> SitePayload:
        try:
            region_id = parse_id(input.region_id, "region")
            editing.require_planner(info.context.user, region_id=region_id, action="create sites")
            site = ds.Site(
                input.name,
                input.kind,
                point_from_lon_lat(input.lon, input.lat),
                region_id,
                area=validate_area(input.area, what="area") if input.area is not None else None,
                address=input.address,
                owner_id=parse_optional_id(input.owner_id, "owner"),
                district_id=parse_optional_id(input.district_id, "district"),
                access_notes=input.access_notes,
            )
            return Site.from_domain(await info.context.write(site_service.create_site, site))
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Change a site's fields; omitted fields stay as they are.")
    async def update_site(self, info: Info, input: UpdateSiteInput) -> SitePayload:
        try:
            site_id = parse_id(input.id)
            await _planner_for(info, "site", site_id, "update sites")
            changes = _changes(input, ("name", "kind", "address", "access_notes"))
            if input.area is not None:
                changes["area"] = validate_area(input.area, what="area")
            site = await info.context.write(editing.update_site, site_id, changes)
            return Site.from_domain(site)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Delete a site without furniture or jobs.")
    async def delete_site(self, info: Info, input: DeleteInput) -> DeletePayload:
        try:
            site_id = parse_id(input.id)
            await _planner_for(info, "site", site_id, "delete sites")
            await info.context.write(editing.delete_site, site_id)
            return Deleted(id=input.id)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Register an installed furniture item.")
    async def create_furniture(self, info: Info, input: CreateFurnitureInput) -> FurniturePayload:
        try:
            site_id = parse_id(input.site_id, "site")
            await _planner_for(info, "site", site_id, "create furniture")
            item = ds.Furniture(
                site_id,
                parse_id(input.model_id, "model"),
                input.serial,
                point_from_lon_lat(input.lon, input.lat),
                input.installed_on,
                input.condition_grade,
            )
            return Furniture.from_domain(
                await info.context.write(site_service.create_furniture, item)
            )
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Change a furniture item's fields.")
    async def update_furniture(self, info: Info, input: UpdateFurnitureInput) -> FurniturePayload:
        try:
            furniture_id = parse_id(input.id)
            await _planner_for(info, "furniture", furniture_id, "update furniture")
            changes = _changes(input, ("serial", "condition_grade", "installed_on"))
            item = await info.context.write(editing.update_furniture, furniture_id, changes)
            return Furniture.from_domain(item)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Delete a furniture item without jobs (and its history).")
    async def delete_furniture(self, info: Info, input: DeleteInput) -> DeletePayload:
        try:
            furniture_id = parse_id(input.id)
            await _planner_for(info, "furniture", furniture_id, "delete furniture")
            await info.context.write(editing.delete_furniture, furniture_id)
            return Deleted(id=input.id)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Record maintenance or a wear report on a furniture item.")
    async def record_maintenance(
        self, info: Info, input: RecordMaintenanceInput
    ) -> MaintenancePayload:
        try:
            user = info.context.user
            furniture_id = parse_id(input.furniture_id, "furniture")
            job_id = parse_optional_id(input.job_id, "job")
            if job_id is not None:
                await info.context.read(editing.require_job_access, user, job_id)
            else:
                action = "record maintenance without a job"
                await _planner_for(info, "furniture", furniture_id, action)
            record = dj.MaintenanceRecord(
                furniture_id,
                input.performed_on,
                input.action,
                input.wear_type,
                input.severity,
                input.notes,
                job_id=job_id,
                crew_id=user.crew_id,
            )
            stored = await info.context.write(site_service.record_maintenance, record)
            return MaintenanceRecord.from_domain(stored)
        except SitecrewError as error:
            return problem_from(error)
