"""Mutations on buildings, apartments (with their tenants) and districts.

Admins everywhere, planners in their own region; nothing moves to, or points into, another
region. Updates and deletes take the version read (stale: Conflict).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.editing import (
    VERSION_FIELD,
    TenantInput,
    VersionedDeleteInput,
    delete_versioned,
    given,
    given_id,
    given_point,
    update_versioned,
)
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.mutations.sites import DeletePayload
from sitecrew.api.scalars import GeoJSON
from sitecrew.api.types.enums import InstallationStatus
from sitecrew.api.types.places import REGION_FIELD, Apartment, Building, District
from sitecrew.domain import buildings as db
from sitecrew.domain import organisations as do
from sitecrew.domain.geo import point_from_lon_lat, validate_area, validate_point
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.errors import InvalidInputError
from sitecrew.services import buildings as building_service
from sitecrew.services import organisations as organisation_service
from sitecrew.services import regions as region_service

if TYPE_CHECKING:
    from shapely.geometry import Point
    from shapely.geometry.base import BaseGeometry

Info = strawberry.Info[Context, None]
BuildingPayload = Annotated[
    Building | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("BuildingPayload")
]
ApartmentPayload = Annotated[
    Apartment | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("ApartmentPayload")
]
DistrictPayload = Annotated[
    District | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("DistrictPayload")
]
DISTRICT_FIELD = "Its district (of the same region); left out: the district its point lies in."


@strawberry.input
class CreateBuildingInput:
    region: str = strawberry.field(description=REGION_FIELD)
    lon: float
    lat: float
    address: str | None = None
    levels: int | None = None
    footprint: GeoJSON | None = strawberry.field(default=None, description="A Polygon.")
    entrances: list[GeoJSON] = strawberry.field(default_factory=list, description="Points.")
    district_id: strawberry.ID | None = strawberry.field(default=None, description=DISTRICT_FIELD)


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateBuildingInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    lon: float | None = strawberry.UNSET
    lat: float | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    levels: int | None = strawberry.UNSET
    footprint: GeoJSON | None = strawberry.UNSET
    entrances: list[GeoJSON] | None = strawberry.UNSET
    district_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="null: the district its point lies in (also when it moves without one).",
    )


@strawberry.input(description="A dwelling; its point is its own (an entrance) or its building's.")
class CreateApartmentInput:
    building_id: strawberry.ID
    unit: str
    floor: int | None = None
    external_ref: str | None = strawberry.field(
        default=None, description="Your register's key for the flat; unique."
    )
    tenant: TenantInput | None = None
    installation_status: InstallationStatus = db.InstallationStatus.NOT_CONTACTED
    access_notes: str | None = None
    lon: float | None = None
    lat: float | None = None


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateApartmentInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    building_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move it to another building of yours (to that building's point unless "
        "lon/lat are given).",
    )
    unit: str | None = strawberry.UNSET
    floor: int | None = strawberry.UNSET
    external_ref: str | None = strawberry.UNSET
    tenant: TenantInput | None = strawberry.field(
        default=strawberry.UNSET, description="null removes the tenant's contact."
    )
    installation_status: InstallationStatus | None = strawberry.UNSET
    access_notes: str | None = strawberry.UNSET
    lon: float | None = strawberry.UNSET
    lat: float | None = strawberry.UNSET


@strawberry.input
class CreateDistrictInput:
    region: str = strawberry.field(description=REGION_FIELD)
    name: str
    area: GeoJSON = strawberry.field(description="A Polygon or MultiPolygon.")
    contractor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The contractor bound to it: it sees and works only there."
    )


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateDistrictInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    name: str | None = strawberry.UNSET
    area: GeoJSON | None = strawberry.UNSET
    contractor_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null unbinds the contractor."
    )


def _entrances(points: list[GeoJSON]) -> tuple[Point, ...]:
    return tuple(validate_point(cast("BaseGeometry", point), what="entrance") for point in points)


def _new_building(data: CreateBuildingInput, region_id: int) -> db.Building:
    return db.Building(
        region_id,
        point_from_lon_lat(data.lon, data.lat),
        validate_area(data.footprint, what="footprint") if data.footprint is not None else None,
        data.address,
        data.levels,
        _entrances(data.entrances),
        parse_optional_id(data.district_id, "district"),
    )


def _building_changes(data: UpdateBuildingInput) -> dict[str, object]:
    values = given(
        data,
        "address",
        "levels",
        "footprint",
        nullable=frozenset({"address", "levels", "footprint"}),
    )
    if values.get("footprint") is not None:
        values["footprint"] = validate_area(values["footprint"], what="footprint")
    if data.entrances is not strawberry.UNSET:
        values["entrances"] = _entrances(data.entrances or [])
    return {
        **values,
        **given_point(data),
        **given_id(data, "district_id", what="district", nullable=True),
    }


def _new_apartment(data: CreateApartmentInput) -> db.Apartment:
    if (data.lon is None) != (data.lat is None):
        raise InvalidInputError("give both lon and lat, or neither for the building's point")
    location = None
    if data.lon is not None and data.lat is not None:
        location = point_from_lon_lat(data.lon, data.lat)
    return db.Apartment(
        parse_id(data.building_id, "building"),
        data.unit,
        data.floor,
        data.tenant.to_domain() if data.tenant else None,
        data.installation_status,
        data.access_notes,
        location,
        external_ref=data.external_ref,
    )


def _apartment_changes(data: UpdateApartmentInput) -> dict[str, object]:
    optional = frozenset({"floor", "external_ref", "access_notes"})
    values = given(
        data,
        "unit",
        "floor",
        "external_ref",
        "installation_status",
        "access_notes",
        nullable=optional,
    )
    if data.tenant is not strawberry.UNSET:
        values["tenant"] = data.tenant.to_domain() if data.tenant else None
    return {**values, **given_point(data), **given_id(data, "building_id", what="building")}


def _new_district(data: CreateDistrictInput, region_id: int) -> do.District:
    return do.District(
        data.name,
        region_id,
        validate_area(data.area, what="area"),
        parse_optional_id(data.contractor_id, "contractor"),
    )


def _district_changes(data: UpdateDistrictInput) -> dict[str, object]:
    values = given(data, "name", "area")
    if "area" in values:
        values["area"] = validate_area(values["area"], what="area")
    return {**values, **given_id(data, "contractor_id", what="contractor", nullable=True)}


@strawberry.type
class HousingMutations:
    @strawberry.mutation(description="Register a building (admins and the region's planners).")
    @returns_problems
    async def create_building(self, info: Info, input: CreateBuildingInput) -> BuildingPayload:
        stored = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            building_service.register_building,
            partial(_new_building, input),
        )
        return Building.from_domain(stored)

    @strawberry.mutation(description="Change a building's fields.")
    @returns_problems
    async def update_building(self, info: Info, input: UpdateBuildingInput) -> BuildingPayload:
        stored = await update_versioned(
            info, building_service.update_building, input, _building_changes(input)
        )
        return Building.from_domain(stored)

    @strawberry.mutation(description="Delete a building without apartments.")
    @returns_problems
    async def delete_building(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, building_service.delete_building, input)

    @strawberry.mutation(description="Register an apartment in a building you plan.")
    @returns_problems
    async def create_apartment(self, info: Info, input: CreateApartmentInput) -> ApartmentPayload:
        stored = await info.context.write(
            building_service.register_apartment, info.context.user, _new_apartment(input)
        )
        return Apartment.from_domain(stored)

    @strawberry.mutation(description="Change an apartment, its tenant's contact included.")
    @returns_problems
    async def update_apartment(self, info: Info, input: UpdateApartmentInput) -> ApartmentPayload:
        stored = await update_versioned(
            info, building_service.update_apartment, input, _apartment_changes(input)
        )
        return Apartment.from_domain(stored)

    @strawberry.mutation(description="Delete an apartment without jobs (with its tenant).")
    @returns_problems
    async def delete_apartment(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, building_service.delete_apartment, input)

    @strawberry.mutation(description="Draw a district (admins and the region's planners).")
    @returns_problems
    async def create_district(self, info: Info, input: CreateDistrictInput) -> DistrictPayload:
        stored = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            organisation_service.register_district,
            partial(_new_district, input),
        )
        return District.from_domain(stored)

    @strawberry.mutation(description="Rename or redraw a district, or (un)bind its contractor.")
    @returns_problems
    async def update_district(self, info: Info, input: UpdateDistrictInput) -> DistrictPayload:
        stored = await update_versioned(
            info, organisation_service.update_district, input, _district_changes(input)
        )
        return District.from_domain(stored)

    @strawberry.mutation(description="Delete a district no building, apartment or site lies in.")
    @returns_problems
    async def delete_district(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, organisation_service.delete_district, input)
