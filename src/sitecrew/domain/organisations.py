"""Organisations, regions and districts: who owns, makes or services what, and where."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shapely.geometry import MultiPolygon, Polygon

from sitecrew.domain import limits
from sitecrew.domain.geo import validate_area
from sitecrew.domain.rules import optional_text, require_text
from sitecrew.errors import InvalidInputError


class OrganisationKind(StrEnum):
    """The roles an organisation plays in Sitecrew."""

    OWNER = "owner"
    FURNITURE_MAKER = "furniture_maker"
    CONTRACTOR = "contractor"
    SERVICE_PROVIDER = "service_provider"


@dataclass(frozen=True)
class Organisation:
    """A company or cooperative: site owner, furniture maker, contractor or the service team."""

    name: str
    kind: OrganisationKind
    id: int | None = None

    def __post_init__(self) -> None:
        require_text(self.name, "organisation name")


@dataclass(frozen=True)
class Region:
    """An operating area (a city or part of one) with its outline.

    ``street_region`` names the entry of the OSM region manifest whose street graph serves it;
    ``timezone`` (IANA) is the local time of shifts and appointments.
    """

    name: str
    area: Polygon | MultiPolygon
    street_region: str | None = None
    timezone: str = "Europe/Oslo"
    id: int | None = None

    def __post_init__(self) -> None:
        require_text(self.name, "region name")
        optional_text(self.street_region, "street region", max_length=limits.STREET_REGION_MAX)
        require_text(self.timezone, "time zone", max_length=limits.TIMEZONE_MAX)
        validate_area(self.area, what="region area", max_vertices=limits.OUTLINE_VERTICES_MAX)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"unknown time zone {self.timezone!r}") from None


@dataclass(frozen=True)
class District:
    """A part of a region; when ``contractor_id`` is set, only that contractor works there."""

    name: str
    region_id: int
    area: Polygon | MultiPolygon
    contractor_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_text(self.name, "district name")
        validate_area(self.area, what="district area", max_vertices=limits.OUTLINE_VERTICES_MAX)
