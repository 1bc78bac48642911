"""Column helpers shared by the models: geometry columns, enum checks, JSON skill sets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import CheckConstraint, Text
from sqlalchemy.orm import MappedColumn, mapped_column

from sitecrew.domain.geo import SRID

if TYPE_CHECKING:
    from enum import StrEnum

    from shapely.geometry.base import BaseGeometry


def point_column_type() -> Geometry:
    """Return a WGS 84 point type with a spatial index (GiST; SpatiaLite: R*Tree)."""
    return Geometry(geometry_type="POINT", srid=SRID, spatial_index=True)


def area_column_type() -> Geometry:
    """Return a WGS 84 multipolygon type with a spatial index (polygons stored as multi)."""
    return Geometry(geometry_type="MULTIPOLYGON", srid=SRID, spatial_index=True)


def line_column_type() -> Geometry:
    """Return a WGS 84 linestring type (route legs): never searched, so no index."""
    return Geometry(geometry_type="LINESTRING", srid=SRID, spatial_index=False)


def stop_point_column_type() -> Geometry:
    """Return a WGS 84 point type without an index (stops are read by route, never searched)."""
    return Geometry(geometry_type="POINT", srid=SRID, spatial_index=False)


def map_feature_column() -> MappedColumn[str | None]:
    """Return the row's GeoJSON Feature text, written only by database triggers.

    Map viewports aggregate it instead of formatting features per request (migration 0003
    has the triggers and the properties of each layer). Deferred: the ORM never loads it, and
    never writes it, so an object's copy may be stale while the database's is current.
    """
    return mapped_column(Text, deferred=True)


def enum_check(column: str, enum: type[StrEnum], name: str) -> CheckConstraint:
    """Return a check constraint that keeps ``column`` to the values of ``enum``."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name)


def to_db_geometry(geometry: BaseGeometry | None) -> Any:
    """Convert a shapely geometry to a bindable WKB element (polygons become multipolygons)."""
    if geometry is None:
        return None
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return from_shape(geometry, srid=SRID)


def from_db_geometry(element: Any) -> Any:
    """Convert a stored geometry to shapely (``None`` stays ``None``)."""
    return None if element is None else to_shape(element)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return a stored timestamp in UTC (SQLite stores UTC without a zone, PostGIS with one)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_db_utc(moment: datetime) -> datetime:
    """Normalise an aware timestamp to UTC before it is written (both backends agree then)."""
    return moment.astimezone(UTC)
