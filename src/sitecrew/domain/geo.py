"""Coordinates, boxes and geometry rules shared by every layer (EPSG:4326, lon/lat order).

Checks live here rather than in the database so that bad input is rejected with a typed error
before anything is written, identically on PostGIS and SpatiaLite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.validation import explain_validity

from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

SRID = 4326
MAX_LON = 180.0
MAX_LAT = 90.0
EARTH_RADIUS_M = 6_371_008.8
#: Metres per degree of latitude (mean); longitude shrinks with cos(latitude).
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0


def check_lon_lat(lon: float, lat: float) -> None:
    """Raise unless ``lon`` is in [-180, 180] and ``lat`` in [-90, 90] and both finite.

    Raises
    ------
    InvalidInputError
        Naming the offending value.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInputError(f"coordinates must be finite numbers, got ({lon}, {lat})")
    if not -MAX_LON <= lon <= MAX_LON:
        raise InvalidInputError(f"longitude {lon} is outside [-180, 180]")
    if not -MAX_LAT <= lat <= MAX_LAT:
        raise InvalidInputError(f"latitude {lat} is outside [-90, 90]")


@dataclass(frozen=True)
class LonLat:
    """A WGS 84 position; constructing one validates it."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        check_lon_lat(self.lon, self.lat)

    def to_point(self) -> Point:
        """Return the position as a shapely point (x = lon, y = lat)."""
        return Point(self.lon, self.lat)


@dataclass(frozen=True)
class BBox:
    """A lon/lat bounding box; west < east and south < north (no antimeridian wrap)."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        check_lon_lat(self.west, self.south)
        check_lon_lat(self.east, self.north)
        if self.west >= self.east or self.south >= self.north:
            msg = (
                f"bbox must have west < east and south < north, got "
                f"({self.west}, {self.south}, {self.east}, {self.north})"
            )
            raise InvalidInputError(msg)

    @classmethod
    def around(cls, centre: LonLat, metres: float) -> BBox:
        """Return a box that surely contains every point within ``metres`` of ``centre``.

        The box is padded by 1 % so that the exact geodesic test done afterwards in the database
        never misses a point the box cut off; near the poles it widens to all longitudes.
        """
        if not (math.isfinite(metres) and metres > 0):
            raise InvalidInputError(f"distance must be a positive number of metres, got {metres}")
        dlat = metres / METRES_PER_DEGREE * 1.01
        cos_lat = math.cos(math.radians(min(89.0, abs(centre.lat) + dlat)))
        dlon = min(180.0, dlat / max(cos_lat, 1e-6))
        return cls(
            max(-180.0, centre.lon - dlon),
            max(-90.0, centre.lat - dlat),
            min(180.0, centre.lon + dlon),
            min(90.0, centre.lat + dlat),
        )

    def to_polygon(self) -> Polygon:
        """Return the box as a polygon."""
        return shapely.box(self.west, self.south, self.east, self.north)


def point_from_lon_lat(lon: float, lat: float) -> Point:
    """Return a validated shapely point."""
    check_lon_lat(lon, lat)
    return Point(lon, lat)


def validate_area(geometry: BaseGeometry, *, what: str = "polygon") -> Polygon | MultiPolygon:
    """Return ``geometry`` if it is a valid, non-empty polygon with lon/lat coordinates.

    Raises
    ------
    InvalidInputError
        For another geometry type, an empty or self-intersecting polygon, or coordinates out of
        range; the message says which and where (GEOS's explanation).
    """
    if not isinstance(geometry, Polygon | MultiPolygon):
        msg = f"{what} must be a Polygon or MultiPolygon, got {geometry.geom_type}"
        raise InvalidInputError(msg)
    if geometry.is_empty:
        raise InvalidInputError(f"{what} is empty")
    west, south, east, north = geometry.bounds
    check_lon_lat(west, south)
    check_lon_lat(east, north)
    if not geometry.is_valid:
        raise InvalidInputError(f"{what} is not valid: {explain_validity(geometry)}")
    return geometry


def validate_point(geometry: BaseGeometry, *, what: str = "location") -> Point:
    """Return ``geometry`` if it is a non-empty point with lon/lat in range.

    Raises
    ------
    InvalidInputError
        For another geometry type or out-of-range coordinates.
    """
    if not isinstance(geometry, Point) or geometry.is_empty:
        raise InvalidInputError(f"{what} must be a Point, got {geometry.geom_type}")
    check_lon_lat(geometry.x, geometry.y)
    return geometry


def geometry_from_geojson(document: dict[str, object]) -> BaseGeometry:
    """Parse an RFC 7946 geometry object.

    Raises
    ------
    InvalidInputError
        When the object is not a GeoJSON geometry shapely can read.
    """
    try:
        return shape(document)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as error:
        raise InvalidInputError(f"not a GeoJSON geometry: {error}") from None


def geometry_to_geojson(geometry: BaseGeometry) -> dict[str, object]:
    """Return the RFC 7946 geometry object (lon/lat, no ``crs`` member)."""
    return dict(mapping(geometry))
