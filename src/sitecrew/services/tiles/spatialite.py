"""SpatiaLite: read a tile's features through the R*Tree-backed source, then encode them.

SpatiaLite has no ``ST_AsMVT``; the source's ``WHERE`` already uses the spatial index (see
:mod:`sitecrew.db.dialects.spatialite`), so only the rows of the tile's box are read, as WKB,
and :mod:`.encoding` draws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import func, select

from sitecrew.services.tiles.encoding import encode_layer
from sitecrew.services.tiles.sources import maintenance_status

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session

    from sitecrew.services.tiles.grid import Tile


def spatialite_tile(
    session: Session, source: Any, name: str, tile: Tile, *, cap: int, today: dt.date
) -> tuple[bytes, int]:
    """Return layer ``name`` of ``source``'s rows, encoded, and how many rows it had (≤ cap + 1)."""
    rows = source.subquery("src")
    properties = [column for column in rows.c if column.name not in {"geom", "_order"}]
    query = (
        select(*properties, func.AsBinary(rows.c.geom).label("wkb"))
        .order_by(rows.c._order)  # noqa: SLF001  (a column named _order, not a private member)
        .limit(cap + 1)
    )
    found = session.execute(query).mappings().all()
    features = [_feature(dict(row), today) for row in found[:cap]]
    return encode_layer(name, features, tile), len(found)


def _feature(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    geometry = shapely.from_wkb(bytes(row.pop("wkb")))
    if "interval_days" in row:
        last, installed = _dates([row.pop("last_maintained_on"), row.pop("installed_on")])
        row["status"] = maintenance_status(last, installed, int(row.pop("interval_days")), today)
    return {"geometry": geometry, "properties": row}


def _dates(values: list[Any]) -> list[dt.date | None]:
    import datetime as dt  # noqa: PLC0415  (only when furniture is drawn)

    return [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
