"""What every spatial dialect offers, and the choice of dialect for a session.

Queries are written once against :class:`SpatialDialect`; each backend renders the same meaning
with the predicates that use its own spatial index (GiST on PostGIS, R*Tree on SpatiaLite) and
measure metres geodesically on the WGS 84 ellipsoid, so both return the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlalchemy import and_, func

from sitecrew.db.engine import backend_name

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute, Session

    from sitecrew.domain.geo import BBox, LonLat


class SpatialDialect(Protocol):
    """Spatial predicates and measures over a geometry column of a mapped table."""

    def intersects_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Select rows whose geometry meets the box (boundary included)."""
        ...

    def points_in_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Select rows whose point lies in the box (boundary included).

        The same rows as :meth:`intersects_bbox` for a point column, with cheaper arithmetic.
        """
        ...

    def within_distance(
        self, column: InstrumentedAttribute[object], centre: LonLat, metres: float
    ) -> ColumnElement[bool]:
        """Select rows whose geometry lies within ``metres`` of ``centre`` on the ellipsoid."""
        ...

    def intersects_area(
        self, column: InstrumentedAttribute[object], area: Polygon | MultiPolygon
    ) -> ColumnElement[bool]:
        """Select rows whose geometry meets the polygon (boundary included)."""
        ...

    def distance_metres(
        self, column: InstrumentedAttribute[object], centre: LonLat
    ) -> ColumnElement[float]:
        """Measure the geodesic distance in metres from the geometry to ``centre``."""
        ...


def coordinates_in_bbox(column: InstrumentedAttribute[object], bbox: BBox) -> ColumnElement[bool]:
    """Compare a point's coordinates with the box exactly (``ST_X``/``ST_Y`` on both backends).

    The exact half of :meth:`SpatialDialect.points_in_bbox`; each dialect puts its index first.
    """
    return and_(
        func.ST_X(column).between(bbox.west, bbox.east),
        func.ST_Y(column).between(bbox.south, bbox.north),
    )


def spatial_dialect_for(session: Session) -> SpatialDialect:
    """Return the spatial dialect of the session's database."""
    if backend_name(session) == "postgis":
        from sitecrew.db.dialects.postgis import PostgisDialect  # noqa: PLC0415

        return PostgisDialect()
    from sitecrew.db.dialects.spatialite import SpatialiteDialect  # noqa: PLC0415

    return SpatialiteDialect()
