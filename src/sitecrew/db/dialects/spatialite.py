"""SpatiaLite: an explicit R*Tree subquery, then the exact predicate.

SpatiaLite does not use its spatial index by itself; the direct subquery on the
``idx_<table>_<column>`` R*Tree was the fastest correct form measured (the ``KNN`` virtual table
is never used: it crashed the process in the spike).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import and_, column, func, select, table

from sitecrew.db.dialects.common import coordinates_in_bbox
from sitecrew.domain.geo import SRID, BBox, LonLat

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute


def _rtree_prefilter(geometry: InstrumentedAttribute[object], bbox: BBox) -> ColumnElement[bool]:
    """Select rows whose R*Tree box overlaps ``bbox`` (R*Tree boxes round outwards: no misses)."""
    owner = geometry.class_
    index = table(
        f"idx_{owner.__tablename__}_{geometry.key}",
        column("pkid"),
        column("xmin"),
        column("xmax"),
        column("ymin"),
        column("ymax"),
    )
    candidates = select(index.c.pkid).where(
        index.c.xmin <= bbox.east,
        index.c.xmax >= bbox.west,
        index.c.ymin <= bbox.north,
        index.c.ymax >= bbox.south,
    )
    return cast("ColumnElement[bool]", owner.id.in_(candidates))


def _point(centre: LonLat) -> ColumnElement[object]:
    return func.MakePoint(centre.lon, centre.lat, SRID)


class SpatialiteDialect:
    """Spatial predicates for SQLite + SpatiaLite."""

    def intersects_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Prefilter with the R*Tree, then use ``ST_Intersects`` with ``BuildMbr``."""
        box = func.BuildMbr(bbox.west, bbox.south, bbox.east, bbox.north, SRID)
        return and_(_rtree_prefilter(column, bbox), func.ST_Intersects(column, box) == 1)

    def points_in_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Prefilter with the R*Tree, then compare the coordinates exactly."""
        return and_(_rtree_prefilter(column, bbox), coordinates_in_bbox(column, bbox))

    def within_distance(
        self, column: InstrumentedAttribute[object], centre: LonLat, metres: float
    ) -> ColumnElement[bool]:
        """Prefilter with the R*Tree on a padded box, then use ``PtDistWithin`` on the ellipsoid."""
        exact = func.PtDistWithin(column, _point(centre), metres, 1) == 1
        return and_(_rtree_prefilter(column, BBox.around(centre, metres)), exact)

    def intersects_area(
        self, column: InstrumentedAttribute[object], area: Polygon | MultiPolygon
    ) -> ColumnElement[bool]:
        """Prefilter with the R*Tree on the polygon's bounds, then ``ST_Intersects``."""
        west, south, east, north = area.bounds
        shape = func.ST_GeomFromEWKT(f"SRID={SRID};{area.wkt}")
        prefilter = _rtree_prefilter(column, BBox(west, south, east, north))
        return and_(prefilter, func.ST_Intersects(column, shape) == 1)

    def distance_metres(
        self, column: InstrumentedAttribute[object], centre: LonLat
    ) -> ColumnElement[float]:
        """Measure the geodesic distance on the WGS 84 ellipsoid (``ST_Distance(a, b, 1)``)."""
        return cast("ColumnElement[float]", func.ST_Distance(column, _point(centre), 1))
