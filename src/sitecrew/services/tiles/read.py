"""The tile use case: one layer of one tile, as the caller may see it.

Access is :func:`~sitecrew.services.scoping.visible`'s, applied inside each layer's query
(:mod:`.sources`): a crew gets the places of its own published routes, a planner its region, a
role that may not list a layer's rows a ``PermissionDeniedError`` (403). Tenants' links draw
no map.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.engine import backend_name
from sitecrew.domain.access import Role
from sitecrew.errors import NotFoundError
from sitecrew.services.tiles.layers import MAX_FEATURES, TileLayer
from sitecrew.services.tiles.postgis import postgis_tile
from sitecrew.services.tiles.sources import layer_select
from sitecrew.services.tiles.spatialite import spatialite_tile

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.tiles.layers import TileQuery

#: The whole web mercator world, for a caller who sees no region yet.
WORLD_BOUNDS = (-180.0, -85.0511, 180.0, 85.0511)


@dataclass(frozen=True)
class LayerTile:
    """One encoded layer: its bytes (empty when nothing is drawn) and whether it was capped."""

    body: bytes
    truncated: bool


def require_map_reader(principal: Principal) -> None:
    """Refuse tenants' links: a tenant sees its own home through its page, not the map.

    Raises
    ------
    PermissionDeniedError
        For a tenant.
    """
    principal.require(Role.ADMIN, Role.PLANNER, Role.CONTRACTOR, Role.CREW, action="read map tiles")


def region_id_of(session: Session, slug: str | None) -> int | None:
    """Return the id of the region called ``slug`` (``None`` when no region is asked for).

    Raises
    ------
    NotFoundError
        When no region has that slug.
    """
    if slug is None:
        return None
    found = session.scalar(select(m.Region.id).where(m.Region.slug == slug.strip().lower()))
    if found is None:
        raise NotFoundError(f"no region {slug[:40]!r}")
    return found


def street_region_of(session: Session, slug: str | None) -> str | None:
    """Return the street graph's region (the manifest slug) of the region called ``slug``.

    Raises
    ------
    NotFoundError
        When no region has that slug.
    """
    if slug is None:
        return None
    found = session.execute(
        select(m.Region.slug, m.Region.street_region).where(m.Region.slug == slug.strip().lower())
    ).first()
    if found is None:
        raise NotFoundError(f"no region {slug[:40]!r}")
    return str(found.street_region or found.slug)


def layer_tile(
    session: Session,
    principal: Principal,
    query: TileQuery,
    *,
    cap: int = MAX_FEATURES,
    today: dt.date | None = None,
) -> LayerTile:
    """Return ``query``'s layer tile as ``principal`` may see it.

    Raises
    ------
    PermissionDeniedError
        When the caller's role may not see this layer's rows (or is a tenant).
    NotFoundError
        For an unknown region slug, or the streets layer (served by its own module).
    """
    require_map_reader(principal)
    if query.layer is TileLayer.STREETS:
        raise NotFoundError("the streets layer is not drawn from the database")
    region_id = region_id_of(session, query.region)
    day = today or dt.datetime.now(dt.UTC).date()
    source = layer_select(session, principal, query, region_id)
    build = postgis_tile if backend_name(session) == "postgis" else spatialite_tile
    body, found = build(session, source, query.layer.value, query.tile, cap=cap, today=day)
    return LayerTile(body, found > cap)


def visible_bounds(session: Session, principal: Principal) -> tuple[float, float, float, float]:
    """Return (west, south, east, north) of the regions (a contractor: districts) one sees."""
    require_map_reader(principal)
    areas: Any
    if principal.role is Role.CONTRACTOR:
        areas = select(m.District.area).where(m.District.contractor_id == principal.organisation_id)
    elif principal.role is Role.CREW:
        areas = select(m.Region.area).join(m.Crew, m.Crew.region_id == m.Region.id)
        areas = areas.where(m.Crew.id == principal.crew_id)
    elif principal.region_id is not None:
        areas = select(m.Region.area).where(m.Region.id == principal.region_id)
    else:
        areas = select(m.Region.area)
    shapes = [
        shapely.from_wkb(bytes(wkb))
        for wkb in session.scalars(select(func.ST_AsBinary(areas.subquery().c.area)))
        if wkb is not None
    ]
    if not shapes:
        return WORLD_BOUNDS
    west, south, east, north = shapely.union_all(shapes).bounds
    return (float(west), float(south), float(east), float(north))
