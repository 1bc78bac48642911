"""PostGIS builds the tile itself: ``ST_AsMVTGeom`` into the tile's grid, then ``ST_AsMVT``.

One statement per tile: the layer's rows (capped, lowest order keys first) are a CTE, counted
once and encoded once, so a truncated tile is told apart without reading its rows twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import LargeBinary, func, literal_column, select
from sqlalchemy.types import NullType

from sitecrew.services.tiles.grid import BUFFER, EXTENT
from sitecrew.services.tiles.sources import maintenance_status_sql

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session

    from sitecrew.services.tiles.grid import Tile

WEB_MERCATOR = 3857
#: Columns the furniture source reads to derive ``status``; not properties of their own.
_STATUS_INPUTS = ("last_maintained_on", "installed_on", "interval_days")


def postgis_tile(
    session: Session, source: Any, name: str, tile: Tile, *, cap: int, today: dt.date
) -> tuple[bytes, int]:
    """Return layer ``name`` of ``source``'s rows, encoded, and how many rows it had (≤ cap + 1)."""
    rows = source.subquery("src")
    envelope = func.ST_TileEnvelope(tile.z, tile.x, tile.y, type_=NullType)
    geometry = func.ST_AsMVTGeom(
        func.ST_Transform(rows.c.geom, WEB_MERCATOR, type_=NullType),
        envelope,
        EXTENT,
        BUFFER,
        True,  # noqa: FBT003  (clip to the buffered tile)
        type_=NullType,
    )
    columns: list[Any] = [
        column for column in rows.c if column.name not in {"geom", "_order", *_STATUS_INPUTS}
    ]
    if "interval_days" in rows.c:
        columns.append(
            maintenance_status_sql(
                rows.c.last_maintained_on, rows.c.installed_on, rows.c.interval_days, today
            ).label("status")
        )
    found = (
        select(*columns, geometry.label("geom"))
        .order_by(rows.c._order)  # noqa: SLF001  (a column named _order, not a private member)
        .limit(cap + 1)
        .cte("found")
    )
    kept = select(found).limit(cap).subquery("kept")
    count = select(func.count()).select_from(found).scalar_subquery()
    mvt = (
        select(func.ST_AsMVT(literal_column("kept"), name, EXTENT, "geom", type_=LargeBinary))
        .select_from(kept)
        .scalar_subquery()
    )
    total, body = session.execute(select(count, mvt)).one()
    return bytes(body or b""), int(total)
