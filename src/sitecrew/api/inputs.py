"""Filter inputs shared by the list queries, and their translation to service filters."""

from __future__ import annotations

import datetime as dt

import strawberry

from sitecrew.api.scalars import GeoJSON
from sitecrew.api.types.enums import InstallationStatus, JobKind, JobStatus, SiteKind
from sitecrew.domain.geo import BBox, LonLat, check_radius, validate_area
from sitecrew.domain.ids import parse_optional_id
from sitecrew.services.reading.listing import ListFilter


@strawberry.input(description="A lon/lat box: west < east, south < north.")
class BBoxInput:
    west: float
    south: float
    east: float
    north: float

    def to_domain(self) -> BBox:
        """Validate and convert."""
        return BBox(self.west, self.south, self.east, self.north)


@strawberry.input(description="Everything within `meters` (geodesic) of a point.")
class NearInput:
    lon: float
    lat: float
    meters: float


@strawberry.input(description="Where: a box, a radius, a polygon; all given parts must hold.")
class SpatialFilter:
    bbox: BBoxInput | None = None
    near: NearInput | None = None
    within: GeoJSON | None = strawberry.field(
        default=None, description="A GeoJSON Polygon or MultiPolygon."
    )

    def to_filter(self, **equals: object) -> ListFilter:
        """Validate and convert, adding attribute equalities (``None`` values are dropped)."""
        near = LonLat(self.near.lon, self.near.lat) if self.near else None
        within = validate_area(self.within, what="within") if self.within is not None else None
        return ListFilter(
            bbox=self.bbox.to_domain() if self.bbox else None,
            near=near,
            near_metres=check_radius(self.near.meters) if self.near else None,
            within=within,
            equals={key: value for key, value in equals.items() if value is not None},
        )


@strawberry.input(description="Narrow a list of sites.")
class SiteFilter(SpatialFilter):
    kind: SiteKind | None = None
    region_id: strawberry.ID | None = None
    district_id: strawberry.ID | None = None

    def to_list_filter(self) -> ListFilter:
        """Convert to the service filter."""
        return self.to_filter(
            kind=self.kind.value if self.kind else None,
            region_id=parse_optional_id(self.region_id, "region"),
            district_id=parse_optional_id(self.district_id, "district"),
        )


@strawberry.input(description="Narrow a list of furniture items.")
class FurnitureFilter(SpatialFilter):
    site_id: strawberry.ID | None = None
    model_id: strawberry.ID | None = None
    min_condition_grade: int | None = None

    def to_list_filter(self) -> ListFilter:
        """Convert to the service filter."""
        base = self.to_filter(
            site_id=parse_optional_id(self.site_id, "site"),
            model_id=parse_optional_id(self.model_id, "model"),
        )
        return ListFilter(**{**base.__dict__, "min_condition_grade": self.min_condition_grade})


@strawberry.input(description="Narrow a list of apartments or buildings.")
class ApartmentFilter(SpatialFilter):
    district_id: strawberry.ID | None = None
    building_id: strawberry.ID | None = None
    installation_status: InstallationStatus | None = None

    def to_list_filter(self) -> ListFilter:
        """Convert to the service filter."""
        status = self.installation_status.value if self.installation_status else None
        return self.to_filter(
            district_id=parse_optional_id(self.district_id, "district"),
            building_id=parse_optional_id(self.building_id, "building"),
            installation_status=status,
        )


@strawberry.input(description="Narrow a list of jobs.")
class JobFilter:
    kind: JobKind | None = None
    status: JobStatus | None = None
    region_id: strawberry.ID | None = None
    site_id: strawberry.ID | None = strawberry.field(
        default=None, description="Jobs on this site or on any of its furniture."
    )
    due_before: dt.date | None = strawberry.field(
        default=None, description="Jobs due strictly before this day."
    )

    def to_list_filter(self) -> ListFilter:
        """Convert to the service filter."""
        equals = {
            "kind": self.kind.value if self.kind else None,
            "status": self.status.value if self.status else None,
            "region_id": parse_optional_id(self.region_id, "region"),
            "site_id": parse_optional_id(self.site_id, "site"),
        }
        return ListFilter(
            equals={key: value for key, value in equals.items() if value is not None},
            due_before=self.due_before,
        )
