"""Coordinates, boxes and geometry rules shared by every layer (EPSG:4326, lon/lat order).

Checks live here rather than in the database so that bad input is rejected with a typed error
before anything is written, identically on PostGIS and SpatiaLite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.validation import explain_validity

from sitecrew.domain.limits import AREA_VERTICES_MAX, NEAR_METRES_MAX
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
    if not (_finite(lon) and _finite(lat)):
        raise InvalidInputError(f"coordinates must be finite numbers, got ({lon}, {lat})")
    if not -MAX_LON <= lon <= MAX_LON:
        raise InvalidInputError(f"longitude {lon} is outside [-180, 180]")
    if not -MAX_LAT <= lat <= MAX_LAT:
        raise InvalidInputError(f"latitude {lat} is outside [-90, 90]")


def _finite(value: float) -> bool:
    """Return whether ``value`` is a finite number (an integer too large for a float is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


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


def check_radius(metres: float) -> float:
    """Return ``metres`` if it is a usable search radius: above 0, at most 200 km.

    Raises
    ------
    InvalidInputError
        For a radius that is not a positive finite number or exceeds the cap.
    """
    if not (_finite(metres) and 0 < metres <= NEAR_METRES_MAX):
        msg = f"radius must be above 0 and at most {NEAR_METRES_MAX:.0f} metres, got {metres}"
        raise InvalidInputError(msg)
    return metres


def point_from_lon_lat(lon: float, lat: float) -> Point:
    """Return a validated shapely point."""
    check_lon_lat(lon, lat)
    return Point(lon, lat)


def validate_area(
    geometry: BaseGeometry,
    *,
    what: str = "polygon",
    max_vertices: int | None = AREA_VERTICES_MAX,
) -> Polygon | MultiPolygon:
    """Return ``geometry`` if it is a valid, non-empty polygon with lon/lat coordinates.

    ``max_vertices`` bounds the work a spatial test on the area costs (every vertex is tested
    against every candidate row); operator-loaded outlines pass a larger cap, or ``None``.

    Raises
    ------
    InvalidInputError
        For another geometry type, an empty or self-intersecting polygon, too many vertices, or
        coordinates out of range or not finite; the message says which and where (GEOS's
        explanation).
    """
    if not isinstance(geometry, Polygon | MultiPolygon):
        msg = f"{what} must be a Polygon or MultiPolygon, got {geometry.geom_type}"
        raise InvalidInputError(msg)
    if geometry.is_empty:
        raise InvalidInputError(f"{what} is empty")
    vertices = int(shapely.get_num_coordinates(geometry))
    if max_vertices is not None and vertices > max_vertices:
        raise InvalidInputError(f"{what} has {vertices} vertices; at most {max_vertices}")
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise InvalidInputError(f"{what} has coordinates that are not finite numbers")
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


#: How deep each GeoJSON geometry type nests its positions (GeometryCollection is not taken).
_NESTING = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_MEMBERS = frozenset({"type", "coordinates", "bbox"})


def geometry_from_geojson(
    document: object, *, max_vertices: int = AREA_VERTICES_MAX
) -> BaseGeometry:
    """Parse an RFC 7946 geometry object strictly, before shapely sees it.

    shapely is lenient where a client's mistake should be reported: it closes an unclosed ring,
    reads ``"NaN"`` strings as numbers and keeps a third (altitude) ordinate the database
    columns cannot store. Every position is therefore checked here first: two finite numbers,
    lon/lat in range, at most ``max_vertices`` in all, rings closed with four or more positions.

    Raises
    ------
    InvalidInputError
        Saying what is wrong with the object.
    """
    if not isinstance(document, dict):
        raise InvalidInputError("a GeoJSON geometry must be an object")
    kind = document.get("type")
    if not isinstance(kind, str) or kind not in _NESTING:
        known = ", ".join(_NESTING)
        raise InvalidInputError(f"GeoJSON type must be one of {known}, got {str(kind)[:40]!r}")
    unknown = set(document) - _MEMBERS
    if unknown:
        raise InvalidInputError(f"unexpected GeoJSON members: {', '.join(sorted(unknown))[:80]}")
    coordinates = document.get("coordinates")
    vertices = _count_positions(coordinates, _NESTING[kind])
    if vertices > max_vertices:
        raise InvalidInputError(f"{kind} has {vertices} vertices; at most {max_vertices}")
    _check_parts(kind, coordinates)
    try:
        return shape({"type": kind, "coordinates": coordinates})
    except (ValueError, TypeError, shapely.errors.GEOSException) as error:
        raise InvalidInputError(f"not a GeoJSON geometry: {error}") from None


def _count_positions(value: object, depth: int) -> int:
    """Check every position nested ``depth`` lists deep and return how many there are."""
    if depth == 0:
        _check_position(value)
        return 1
    if not isinstance(value, list):
        raise InvalidInputError("GeoJSON coordinates must be nested arrays of positions")
    return sum(_count_positions(item, depth - 1) for item in value)


def _check_position(value: object) -> None:
    if not isinstance(value, list) or len(value) != 2:  # noqa: PLR2004 (lon, lat)
        raise InvalidInputError("a GeoJSON position must be [longitude, latitude]")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidInputError(f"a coordinate must be a number, got {str(number)[:40]!r}")
    check_lon_lat(value[0], value[1])


def _check_parts(kind: str, coordinates: Any) -> None:
    """Check that lines have two positions and rings are closed with four (RFC 7946 3.1.6).

    ``coordinates`` has passed :func:`_count_positions`, so its nesting is known to be right.
    """
    if kind == "LineString":
        _check_line(coordinates)
    elif kind == "MultiLineString":
        for line in coordinates:
            _check_line(line)
    elif kind == "Polygon":
        _check_rings(coordinates)
    elif kind == "MultiPolygon":
        for rings in coordinates:
            _check_rings(rings)


def _check_line(positions: list[object]) -> None:
    if len(positions) < 2:  # noqa: PLR2004
        raise InvalidInputError("a GeoJSON LineString needs at least two positions")


def _check_rings(rings: list[list[object]]) -> None:
    for ring in rings:
        if len(ring) < 4:  # noqa: PLR2004
            raise InvalidInputError("a polygon ring needs at least four positions")
        if ring[0] != ring[-1]:
            raise InvalidInputError(
                "a polygon ring must be closed: its last position must equal its first"
            )


def geometry_to_geojson(geometry: BaseGeometry) -> dict[str, object]:
    """Return the RFC 7946 geometry object (lon/lat, no ``crs`` member)."""
    return dict(mapping(geometry))
