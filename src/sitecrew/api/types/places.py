"""Regions, districts, organisations, sites, furniture, buildings and apartments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar, cast

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.loaders import now_or_later
from sitecrew.api.scalars import GeoJSON
from sitecrew.api.tenant_reads import note_tenant_read
from sitecrew.api.types import calendars as cal
from sitecrew.api.types.enums import (
    FurnitureCategory,
    InstallationStatus,
    MaintenanceAction,
    OrganisationKind,
    SiteKind,
    WearType,
)
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

Info = strawberry.Info[Context, None]
T = TypeVar("T")
#: How inputs that take a region describe it.
REGION_FIELD = (
    "The region: its slug in any case (`oslo`) or its id (`1`). A region the caller may not "
    "see is NotFound, like one that does not exist; the message lists the slugs it may use."
)


@strawberry.type(
    description="An operating area. Name it by its slug (any case) or its id wherever an "
    "operation takes a region."
)
class Region:
    id: strawberry.ID
    slug: str = strawberry.field(
        description="The region's one name for commands and the API (`oslo`): lower-case "
        "letters, digits and hyphens; looked up without regard to case."
    )
    name: str = strawberry.field(description="The title people read (`Oslo sentrum`).")
    timezone: str
    area: GeoJSON
    country: str = strawberry.field(
        description="ISO 3166 alpha-2 (`NO`, `SE`): its public holidays are the crews' days off."
    )
    public_holidays: list[cal.PublicHoliday] = strawberry.field(
        resolver=cal.region_public_holidays,
        description="The public holidays of the region's country in a year (1900-2200).",
    )

    @strawberry.field(
        description="The area's bounding box as [west, south, east, north] (lon/lat, WGS 84): "
        "where a map opens on the region."
    )
    def bounds(self) -> list[float]:
        west, south, east, north = cast("BaseGeometry", self.area).bounds
        return [west, south, east, north]

    @classmethod
    def from_domain(cls, region: Any) -> Region:
        """Build from ``domain.organisations.Region``."""
        return cls(
            id=strawberry.ID(str(region.id)),
            slug=region.slug,
            name=region.name,
            timezone=region.timezone,
            area=region.area,
            country=region.country,
        )


@strawberry.type(description="An owner, furniture maker, contractor or service provider.")
class Organisation:
    id: strawberry.ID
    name: str
    kind: OrganisationKind
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")

    @classmethod
    def from_domain(cls, organisation: Any) -> Organisation:
        """Build from ``domain.organisations.Organisation``."""
        return cls(
            id=strawberry.ID(str(organisation.id)),
            name=organisation.name,
            kind=organisation.kind,
            version=organisation.version,
        )


@strawberry.type(description="A part of a region; a contractor may be bound to it.")
class District:
    id: strawberry.ID
    name: str
    area: GeoJSON
    region_id: strawberry.ID
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    contractor_id: strawberry.Private[int | None]

    @strawberry.field(description="The contractor responsible for the district, if any.")
    async def contractor(self, info: Info) -> Organisation | None:
        if self.contractor_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.ORGANISATION].load(self.contractor_id)
        return Organisation.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, district: Any) -> District:
        """Build from ``domain.organisations.District``."""
        return cls(
            id=strawberry.ID(str(district.id)),
            name=district.name,
            area=district.area,
            region_id=strawberry.ID(str(district.region_id)),
            contractor_id=district.contractor_id,
            version=district.version,
        )


@strawberry.type(description="A catalogue product of the furniture maker.")
class FurnitureModel:
    id: strawberry.ID
    name: str
    category: FurnitureCategory
    material: str
    maintenance_interval_days: int
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    maker_id: strawberry.Private[int | None]

    @strawberry.field(description="The organisation that makes it, if known.")
    async def maker(self, info: Info) -> Organisation | None:
        if self.maker_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.ORGANISATION].load(self.maker_id)
        return Organisation.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, model: Any) -> FurnitureModel:
        """Build from ``domain.sites.FurnitureModel``."""
        return cls(
            id=strawberry.ID(str(model.id)),
            name=model.name,
            category=model.category,
            material=model.material,
            maintenance_interval_days=model.maintenance_interval_days,
            version=model.version,
            maker_id=model.maker_id,
        )


@strawberry.type(description="What was done to an item and the wear seen (feedback to the maker).")
class MaintenanceRecord:
    id: strawberry.ID
    furniture_id: strawberry.ID
    performed_on: dt.date
    action: MaintenanceAction
    wear_type: WearType
    severity: int
    notes: str | None
    crew_id: strawberry.ID | None

    @classmethod
    def from_domain(cls, record: Any) -> MaintenanceRecord:
        """Build from ``domain.jobs.MaintenanceRecord``."""
        return cls(
            id=strawberry.ID(str(record.id)),
            furniture_id=strawberry.ID(str(record.furniture_id)),
            performed_on=record.performed_on,
            action=record.action,
            wear_type=record.wear_type,
            severity=record.severity,
            notes=record.notes,
            crew_id=strawberry.ID(str(record.crew_id)) if record.crew_id else None,
        )


@strawberry.type(description="An installed furniture item.")
class Furniture:
    id: strawberry.ID
    serial: str
    lon: float
    lat: float
    location: GeoJSON
    installed_on: dt.date | None
    condition_grade: int = strawberry.field(description="NS 3424: 0 as new … 3 failed.")
    last_maintained_on: dt.date | None
    site_id: strawberry.ID
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    model_id: strawberry.Private[int]

    @strawberry.field(graphql_type=FurnitureModel)
    def model(self, info: Info) -> Any:
        loader = info.context.loaders.by_id[Entity.FURNITURE_MODEL]
        return now_or_later(loader, self.model_id, FurnitureModel.from_domain)

    @strawberry.field
    async def site(self, info: Info) -> Site:
        found = await info.context.loaders.by_id[Entity.SITE].load(int(self.site_id))
        return Site.from_domain(found)

    @strawberry.field(description="The most recent maintenance record, if any.")
    async def last_maintenance(self, info: Info) -> MaintenanceRecord | None:
        found = await info.context.loaders.latest_maintenance.load(int(self.id))
        return MaintenanceRecord.from_domain(found) if found else None

    @strawberry.field(description="Maintenance history, oldest first.")
    async def maintenance_records(self, info: Info) -> list[MaintenanceRecord]:
        found = await info.context.loaders.maintenance_by_furniture.load(int(self.id))
        return [MaintenanceRecord.from_domain(record) for record in found]

    @classmethod
    def from_domain(cls, item: Any) -> Furniture:
        """Build from ``domain.sites.Furniture``."""
        return cls(
            id=strawberry.ID(str(item.id)),
            serial=item.serial,
            lon=item.location.x,
            lat=item.location.y,
            location=item.location,
            installed_on=item.installed_on,
            condition_grade=item.condition_grade,
            last_maintained_on=item.last_maintained_on,
            site_id=strawberry.ID(str(item.site_id)),
            model_id=item.model_id,
            version=item.version,
        )


async def _site_area(root: Any, info: Info) -> GeoJSON | None:
    """Resolve ``Site.area``: read by id, as lists and nested reads leave outlines out."""
    area: GeoJSON | None = await info.context.loaders.outline[Entity.SITE].load(int(root.id))
    return area


async def _building_footprint(root: Any, info: Info) -> GeoJSON | None:
    """Resolve ``Building.footprint`` (read by id, like a site's area)."""
    loader = info.context.loaders.outline[Entity.BUILDING]
    footprint: GeoJSON | None = await loader.load(int(root.id))
    return footprint


def _if_private_shown(
    info: Info, entity: Entity, row_id: str, value: T, *, read: str | None = None
) -> T | Any:
    """Return ``value`` (private details of a row) if the caller may see them, else ``None``.

    At once when the answer is already known (a crew's route reads it with its stops, see
    ``api.planning``), else through the request's batched check (an awaitable). A shown value
    named by ``read`` is noted for the personal-data log (``api.tenant_reads``).
    """
    if value is None:
        return None

    def shown_value(shown: bool) -> T | None:
        if not shown:
            return None
        if read is not None:
            note_tenant_read(int(row_id), read)
        return value

    loader = info.context.loaders.private_details[entity]
    return now_or_later(loader, int(row_id), shown_value)


@strawberry.type(description="A yard, schoolyard, park or street with furniture.")
class Site:
    id: strawberry.ID
    name: str
    kind: SiteKind
    address: str | None
    lon: float
    lat: float
    location: GeoJSON
    area: GeoJSON | None = strawberry.field(resolver=_site_area)
    region_id: strawberry.ID
    district_id: strawberry.ID | None
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    owner_id: strawberry.Private[int | None]
    notes: strawberry.Private[str | None]

    @strawberry.field(
        description="Access notes and codes: admins, the region's planners and the crew "
        "visiting today; null for everyone else.",
        graphql_type=str | None,
    )
    def access_notes(self, info: Info) -> Any:
        return _if_private_shown(info, Entity.SITE, self.id, self.notes)

    @strawberry.field(description="The furniture on the site (at most 500).")
    async def furniture(self, info: Info) -> list[Furniture]:
        found = await info.context.loaders.furniture_by_site.load(int(self.id))
        return [Furniture.from_domain(item) for item in found]

    @strawberry.field
    async def owner(self, info: Info) -> Organisation | None:
        if self.owner_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.ORGANISATION].load(self.owner_id)
        return Organisation.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, site: Any) -> Site:
        """Build from ``domain.sites.Site``."""
        return cls(
            id=strawberry.ID(str(site.id)),
            name=site.name,
            kind=site.kind,
            address=site.address,
            notes=site.access_notes,
            lon=site.location.x,
            lat=site.location.y,
            location=site.location,
            region_id=strawberry.ID(str(site.region_id)),
            district_id=strawberry.ID(str(site.district_id)) if site.district_id else None,
            owner_id=site.owner_id,
            version=site.version,
        )


@strawberry.type(
    description="Personal data: shown to planners and the crew visiting today; every field "
    "read by staff is recorded in the personal-data log."
)
class TenantContact:
    apartment_id: strawberry.Private[int]
    contact: strawberry.Private[Any]

    @strawberry.field
    def name(self) -> str:
        note_tenant_read(self.apartment_id, "tenant.name")
        name: str = self.contact.name
        return name

    @strawberry.field
    def phone(self) -> str | None:
        return self._noted("phone", self.contact.phone)

    @strawberry.field
    def email(self) -> str | None:
        return self._noted("email", self.contact.email)

    def _noted(self, field: str, value: str | None) -> str | None:
        if value is not None:
            note_tenant_read(self.apartment_id, f"tenant.{field}")
        return value


@strawberry.type(description="An apartment building (from OpenStreetMap).")
class Building:
    id: strawberry.ID
    address: str | None
    levels: int | None
    lon: float
    lat: float
    location: GeoJSON
    footprint: GeoJSON | None = strawberry.field(resolver=_building_footprint)
    entrances: list[GeoJSON]
    district_id: strawberry.ID | None
    osm_id: str | None
    region_id: strawberry.ID
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")

    @classmethod
    def from_domain(cls, building: Any) -> Building:
        """Build from ``domain.buildings.Building``."""
        return cls(
            id=strawberry.ID(str(building.id)),
            address=building.address,
            levels=building.levels,
            lon=building.location.x,
            lat=building.location.y,
            location=building.location,
            entrances=list(building.entrances),
            district_id=strawberry.ID(str(building.district_id)) if building.district_id else None,
            osm_id=str(building.osm_id) if building.osm_id else None,
            region_id=strawberry.ID(str(building.region_id)),
            version=building.version,
        )


@strawberry.type(description="A dwelling in a building.")
class Apartment:
    id: strawberry.ID
    unit: str
    floor: int | None
    installation_status: InstallationStatus
    lon: float
    lat: float
    location: GeoJSON
    building_id: strawberry.ID
    external_ref: str | None = strawberry.field(
        description="The housing company's own key for the flat (its register's id), if any."
    )
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    tenant_data: strawberry.Private[Any]
    notes: strawberry.Private[str | None]

    @strawberry.field(
        description="Access notes and door codes: admins, the region's planners and the crew "
        "visiting today; null for everyone else.",
        graphql_type=str | None,
    )
    def access_notes(self, info: Info) -> Any:
        return _if_private_shown(info, Entity.APARTMENT, self.id, self.notes, read="accessNotes")

    @strawberry.field(graphql_type=Building)
    def building(self, info: Info) -> Any:
        loader = info.context.loaders.by_id[Entity.BUILDING]
        return now_or_later(loader, int(self.building_id), Building.from_domain)

    @strawberry.field(
        description="Tenant contact, or null when the caller may not see it.",
        graphql_type=TenantContact | None,
    )
    def tenant(self, info: Info) -> Any:
        contact = self.tenant_data
        if contact is None:
            return None
        shown = TenantContact(apartment_id=int(self.id), contact=contact)
        return _if_private_shown(info, Entity.APARTMENT, self.id, shown)

    @classmethod
    def from_domain(cls, apartment: Any) -> Apartment:
        """Build from ``domain.buildings.Apartment``."""
        return cls(
            id=strawberry.ID(str(apartment.id)),
            unit=apartment.unit,
            floor=apartment.floor,
            installation_status=apartment.installation_status,
            notes=apartment.access_notes,
            lon=apartment.location.x,
            lat=apartment.location.y,
            location=apartment.location,
            building_id=strawberry.ID(str(apartment.building_id)),
            external_ref=apartment.external_ref,
            version=apartment.version,
            tenant_data=apartment.tenant,
        )
