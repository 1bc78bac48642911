"""Sites and the furniture on them: the objects the furniture-care crews look after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shapely.geometry import MultiPolygon, Point, Polygon

from sitecrew.domain import limits
from sitecrew.domain.geo import validate_area, validate_point
from sitecrew.domain.rules import (
    optional_notes,
    optional_text,
    require_plausible_date,
    require_range,
    require_text,
)
from sitecrew.errors import InvalidInputError


class SiteKind(StrEnum):
    """What kind of place a site is; it drives access rules and opening hours."""

    HOUSING_COOPERATIVE = "housing_cooperative"
    SCHOOLYARD = "schoolyard"
    PARK = "park"
    STREET = "street"
    OTHER = "other"


class FurnitureCategory(StrEnum):
    """Catalogue categories of the furniture maker's products."""

    BENCH = "bench"
    TABLE = "table"
    PICNIC_SET = "picnic_set"
    PLANTER = "planter"
    BIN = "bin"
    BIKE_RACK = "bike_rack"
    PLAY = "play"


#: Condition grades as used in Nordic property surveys (NS 3424): 0 = as new, 3 = failed.
CONDITION_GRADES = range(4)


@dataclass(frozen=True)
class Site:
    """A place with furniture: a housing cooperative's yard, a schoolyard, a park."""

    name: str
    kind: SiteKind
    location: Point
    region_id: int
    area: Polygon | MultiPolygon | None = None
    address: str | None = None
    owner_id: int | None = None
    district_id: int | None = None
    access_notes: str | None = None
    osm_id: str | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "site name")
        optional_text(self.address, "address", max_length=limits.ADDRESS_MAX)
        optional_notes(self.access_notes, "access notes")
        optional_text(self.osm_id, "OSM id", max_length=limits.OSM_ID_MAX)
        validate_point(self.location, what="site location")
        if self.area is not None:
            validate_area(self.area, what="site area")


@dataclass(frozen=True)
class FurnitureModel:
    """A product in the maker's catalogue, with how often it needs maintenance."""

    name: str
    category: FurnitureCategory
    material: str
    maintenance_interval_days: int
    maker_id: int | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "model name")
        require_text(self.material, "material", max_length=limits.MATERIAL_MAX)
        require_range(self.maintenance_interval_days, "maintenance interval", low=1, high=3650)


@dataclass(frozen=True)
class Furniture:
    """One installed item (a bench at a yard), tracked by serial number."""

    site_id: int
    model_id: int
    serial: str
    location: Point
    installed_on: date | None = None
    condition_grade: int = 0
    last_maintained_on: date | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.serial, "serial", max_length=limits.SERIAL_MAX)
        validate_point(self.location, what="furniture location")
        require_plausible_date(self.installed_on, "installation date")
        require_plausible_date(self.last_maintained_on, "last maintenance date")
        if self.condition_grade not in CONDITION_GRADES:
            msg = f"condition grade must be 0 to 3 (NS 3424), got {self.condition_grade}"
            raise InvalidInputError(msg)
        if (
            self.installed_on
            and self.last_maintained_on
            and self.last_maintained_on < self.installed_on
        ):
            raise InvalidInputError("furniture cannot be maintained before it was installed")
