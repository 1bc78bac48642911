"""Apartment buildings and apartments: where the media-box installers go, by appointment."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shapely.geometry import MultiPolygon, Point, Polygon

from sitecrew.domain import limits
from sitecrew.domain.geo import validate_area, validate_point
from sitecrew.domain.rules import optional_notes, optional_text, require_range, require_text

#: The longest register key an apartment keeps (the column's width).
EXTERNAL_REF_MAX = 100


class InstallationStatus(StrEnum):
    """Where an apartment stands in the installation campaign."""

    NOT_CONTACTED = "not_contacted"
    BOOKED = "booked"
    INSTALLED = "installed"
    NO_ACCESS = "no_access"
    DECLINED = "declined"


@dataclass(frozen=True)
class Building:
    """An apartment building with its footprint and entrances (both from OpenStreetMap)."""

    region_id: int
    location: Point
    footprint: Polygon | MultiPolygon | None = None
    address: str | None = None
    levels: int | None = None
    entrances: tuple[Point, ...] = ()
    district_id: int | None = None
    osm_id: int | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        validate_point(self.location, what="building location")
        optional_text(self.address, "address", max_length=limits.ADDRESS_MAX)
        if self.footprint is not None:
            outline = limits.OUTLINE_VERTICES_MAX
            validate_area(self.footprint, what="building footprint", max_vertices=outline)
        for entrance in self.entrances:
            validate_point(entrance, what="entrance")
        if self.levels is not None:
            require_range(self.levels, "levels", low=1, high=200)


@dataclass(frozen=True)
class TenantContact:
    """Personal data: shown only to planners and to the crew visiting that day."""

    name: str
    phone: str | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        require_text(self.name, "tenant name")
        optional_text(self.phone, "phone", max_length=limits.PHONE_MAX)
        optional_text(self.email, "e-mail", max_length=limits.EMAIL_MAX)


@dataclass(frozen=True)
class Apartment:
    """One dwelling unit in a building."""

    building_id: int
    unit: str
    floor: int | None = None
    tenant: TenantContact | None = None
    installation_status: InstallationStatus = InstallationStatus.NOT_CONTACTED
    access_notes: str | None = None
    location: Point | None = None
    id: int | None = None
    version: int = 1
    #: The housing company's own key for the flat (its register's id); unique when given.
    external_ref: str | None = None

    def __post_init__(self) -> None:
        require_text(self.unit, "unit", max_length=limits.UNIT_MAX)
        optional_text(self.external_ref, "external ref", max_length=EXTERNAL_REF_MAX)
        optional_notes(self.access_notes, "access notes")
        if self.location is not None:
            validate_point(self.location, what="apartment location")
        if self.floor is not None:
            require_range(self.floor, "floor", low=-5, high=200)
