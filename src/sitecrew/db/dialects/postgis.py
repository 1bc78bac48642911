"""PostGIS: ``&&`` and ``ST_Intersects`` use the GiST index; metres via ``geography``."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from geoalchemy2 import Geography
from sqlalchemy import and_, func
from sqlalchemy import cast as sql_cast

from sitecrew.db.dialects.common import coordinates_in_bbox
from sitecrew.domain.geo import SRID, BBox, LonLat

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute


def _envelope(bbox: BBox) -> ColumnElement[object]:
    return func.ST_MakeEnvelope(bbox.west, bbox.south, bbox.east, bbox.north, SRID)


def _point(centre: LonLat) -> ColumnElement[object]:
    return func.ST_SetSRID(func.ST_MakePoint(centre.lon, centre.lat), SRID)


class PostgisDialect:
    """Spatial predicates for PostgreSQL + PostGIS."""

    def intersects_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Use ``ST_Intersects`` with an envelope (index-assisted by PostGIS itself)."""
        return cast("ColumnElement[bool]", func.ST_Intersects(column, _envelope(bbox)))

    def points_in_bbox(
        self, column: InstrumentedAttribute[object], bbox: BBox
    ) -> ColumnElement[bool]:
        """Use ``&&`` on the GiST index, then compare the coordinates exactly.

        ``&&`` alone compares float4 boxes rounded outwards (a point up to ~0.4 m outside
        would pass); ``ST_Intersects`` is exact but costs a fifth of a 2,000-point viewport.
        """
        return and_(column.op("&&")(_envelope(bbox)), coordinates_in_bbox(column, bbox))

    def within_distance(
        self, column: InstrumentedAttribute[object], centre: LonLat, metres: float
    ) -> ColumnElement[bool]:
        """Prefilter on a padded box with the index, then the exact ``ST_DWithin`` on geography.

        ``ST_DWithin`` on a geography cast alone cannot use the geometry index; the ``&&``
        prefilter makes the query an index scan.
        """
        prefilter = column.op("&&")(_envelope(BBox.around(centre, metres)))
        exact = func.ST_DWithin(
            sql_cast(column, Geography), sql_cast(_point(centre), Geography), metres
        )
        return and_(prefilter, exact)

    def intersects_area(
        self, column: InstrumentedAttribute[object], area: Polygon | MultiPolygon
    ) -> ColumnElement[bool]:
        """Use ``ST_Intersects`` with the polygon (index-assisted)."""
        shape = func.ST_GeomFromEWKT(f"SRID={SRID};{area.wkt}")
        return cast("ColumnElement[bool]", func.ST_Intersects(column, shape))

    def distance_metres(
        self, column: InstrumentedAttribute[object], centre: LonLat
    ) -> ColumnElement[float]:
        """Measure the geodesic distance on the WGS 84 spheroid."""
        return cast(
            "ColumnElement[float]",
            func.ST_Distance(sql_cast(column, Geography), sql_cast(_point(centre), Geography)),
        )
