"""Each layer's features as one SQL select, written once for both backends.

A source selects the feature's properties, its WGS 84 geometry as ``geom`` and an ``_order``
key; the access rule (:func:`~sitecrew.services.scoping.visible`) and the tile's box are in
its ``WHERE``, so a row the caller may not see is never read. The backends turn the same
select into a tile (:mod:`.postgis` with ``ST_AsMVT``, :mod:`.spatialite` then :mod:`.encoding`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, case, func, literal, select, union_all
from sqlalchemy import cast as sql_cast

from sitecrew.db import models as m
from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.db.engine import backend_name
from sitecrew.domain.buildings import InstallationStatus
from sitecrew.domain.geo import SRID
from sitecrew.domain.routes import RouteState
from sitecrew.services.scoping import visible
from sitecrew.services.tiles.layers import APARTMENT_DETAIL_ZOOM, COLOURS, TileLayer

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.geo import BBox
    from sitecrew.services.tiles.layers import TileQuery

#: Route states drawn (superseded routes are history, not a day's plan).
DRAWN_ROUTES = (RouteState.DRAFT.value, RouteState.PUBLISHED.value)


def _text_id(column: Any) -> ColumnElement[str]:
    return sql_cast(column, String)


def _unindexed_in_box(session: Session, column: Any, box: BBox) -> ColumnElement[bool]:
    """Bounding-box test for columns without a spatial index (route legs and stop points)."""
    corners = (box.west, box.south, box.east, box.north, SRID)
    if backend_name(session) == "postgis":
        return column.op("&&")(func.ST_MakeEnvelope(*corners))  # type: ignore[no-any-return]
    return func.MbrIntersects(column, func.BuildMbr(*corners)) == 1


def layer_select(
    session: Session, principal: Principal, query: TileQuery, region_id: int | None
) -> Any:
    """Return the select (or union) of ``query.layer``'s features in the tile's (buffered) box.

    Raises
    ------
    PermissionDeniedError
        When the caller's role may not see the layer's rows at all.
    """
    box = query.tile.search_box()
    builders = {
        TileLayer.SITES: _sites,
        TileLayer.FURNITURE: _furniture,
        TileLayer.DISTRICTS: _districts,
    }
    if query.layer in builders:
        return builders[query.layer](session, principal, box, region_id)
    if query.layer is TileLayer.APARTMENTS:
        if query.tile.z >= APARTMENT_DETAIL_ZOOM:
            return _apartments(session, principal, box, region_id)
        return _buildings(session, principal, box, region_id)
    assert query.day is not None  # noqa: S101  (parse_query requires it for routes)
    return _routes(session, principal, box, region_id, query.day)


def _in_region(column: Any, region_id: int | None) -> ColumnElement[bool]:
    return column == region_id if region_id is not None else literal(True)  # noqa: FBT003


def _sites(session: Session, principal: Principal, box: BBox, region_id: int | None) -> Any:
    dialect = spatial_dialect_for(session)
    common = (visible(m.Site, principal), _in_region(m.Site.region_id, region_id))
    props = (_text_id(m.Site.id).label("id"), m.Site.name.label("name"), m.Site.kind.label("kind"))
    points = select(
        *props,
        literal("point").label("shape"),
        m.Site.location.label("geom"),
        (m.Site.id * 2).label("_order"),
    ).where(dialect.points_in_bbox(m.Site.location, box), *common)
    outlines = select(
        *props,
        literal("outline").label("shape"),
        m.Site.area.label("geom"),
        (m.Site.id * 2 + 1).label("_order"),
    ).where(m.Site.area.is_not(None), dialect.intersects_bbox(m.Site.area, box), *common)
    return union_all(points, outlines)


def _furniture(session: Session, principal: Principal, box: BBox, region_id: int | None) -> Any:
    dialect = spatial_dialect_for(session)
    where = [visible(m.Furniture, principal), dialect.points_in_bbox(m.Furniture.location, box)]
    if region_id is not None:
        sites = select(m.Site.id).where(m.Site.region_id == region_id)
        where.append(m.Furniture.site_id.in_(sites))
    return (
        select(
            _text_id(m.Furniture.id).label("id"),
            m.FurnitureModel.name.label("model"),
            m.FurnitureModel.category.label("category"),
            m.Furniture.condition_grade.label("condition_grade"),
            m.Furniture.last_maintained_on.label("last_maintained_on"),
            m.Furniture.installed_on.label("installed_on"),
            m.FurnitureModel.maintenance_interval_days.label("interval_days"),
            m.Furniture.location.label("geom"),
            m.Furniture.id.label("_order"),
        )
        .join(m.FurnitureModel, m.FurnitureModel.id == m.Furniture.model_id)
        .where(*where)
    )


def _districts(session: Session, principal: Principal, box: BBox, region_id: int | None) -> Any:
    dialect = spatial_dialect_for(session)
    return select(
        _text_id(m.District.id).label("id"),
        m.District.name.label("name"),
        m.District.area.label("geom"),
        m.District.id.label("_order"),
    ).where(
        visible(m.District, principal),
        dialect.intersects_bbox(m.District.area, box),
        _in_region(m.District.region_id, region_id),
    )


def _apartment_filter(
    session: Session, principal: Principal, box: BBox, region_id: int | None
) -> list[ColumnElement[bool]]:
    dialect = spatial_dialect_for(session)
    where = [visible(m.Apartment, principal), dialect.points_in_bbox(m.Apartment.location, box)]
    if region_id is not None:
        buildings = select(m.Building.id).where(m.Building.region_id == region_id)
        where.append(m.Apartment.building_id.in_(buildings))
    return where


def _apartments(session: Session, principal: Principal, box: BBox, region_id: int | None) -> Any:
    """Select one point per flat: its status, never its tenant."""
    return select(
        _text_id(m.Apartment.id).label("id"),
        _text_id(m.Apartment.building_id).label("building_id"),
        m.Apartment.installation_status.label("installation_status"),
        m.Apartment.location.label("geom"),
        m.Apartment.id.label("_order"),
    ).where(*_apartment_filter(session, principal, box, region_id))


def _buildings(session: Session, principal: Principal, box: BBox, region_id: int | None) -> Any:
    """Select one point per building: how many flats, how many in each status, and a summary."""
    status = m.Apartment.installation_status
    counts = [
        func.sum(case((status == value.value, 1), else_=0)).label(value.value)
        for value in InstallationStatus
    ]
    # The buildings' own points are searched (a flat's point repeats its building's), so the
    # index finds ~1,000 buildings rather than ~20,000 flats and the flats come by building.
    dialect = spatial_dialect_for(session)
    grouped = (
        select(m.Apartment.building_id, func.count().label("apartments"), *counts)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .where(
            dialect.points_in_bbox(m.Building.location, box),
            visible(m.Apartment, principal),
            _in_region(m.Building.region_id, region_id),
        )
        .group_by(m.Apartment.building_id)
        .subquery("per_building")
    )
    installed = grouped.c[InstallationStatus.INSTALLED.value]
    summary = case(
        (installed == grouped.c.apartments, "done"), (installed > 0, "partial"), else_="none"
    )
    return select(
        _text_id(grouped.c.building_id).label("id"),
        _text_id(grouped.c.building_id).label("building_id"),
        sql_cast(grouped.c.apartments, Integer).label("apartments"),
        *(
            sql_cast(grouped.c[value.value], Integer).label(value.value)
            for value in InstallationStatus
        ),
        summary.label("status"),
        m.Building.location.label("geom"),
        grouped.c.building_id.label("_order"),
    ).join(m.Building, m.Building.id == grouped.c.building_id)


def _routes(
    session: Session, principal: Principal, box: BBox, region_id: int | None, day: dt.date
) -> Any:
    """Select the day's drawn routes the caller may see: legs as lines, stops as points."""
    stop = m.RouteStop
    where = [
        m.Route.service_date == day,
        m.Route.status.in_(DRAWN_ROUTES),
        visible(m.Route, principal),
        _in_region(m.Crew.region_id, region_id),
    ]
    props = (
        _text_id(m.Route.id).label("route_id"),
        _text_id(m.Route.crew_id).label("crew_id"),
        m.Crew.name.label("crew_name"),
        (m.Route.crew_id % COLOURS).label("colour"),
        m.Route.status.label("status"),
        stop.sequence.label("sequence"),
        _text_id(stop.job_id).label("job_id"),
        stop.kind.label("kind"),
    )

    def part(feature: str, geometry: Any, offset: int) -> Any:
        return (
            select(
                literal(feature).label("feature"),
                *props,
                geometry.label("geom"),
                (stop.id * 2 + offset).label("_order"),
            )
            .select_from(m.Route)
            .join(m.Crew, m.Crew.id == m.Route.crew_id)
            .join(stop, stop.route_id == m.Route.id)
            .where(*where, geometry.is_not(None), _unindexed_in_box(session, geometry, box))
        )

    return union_all(part("leg", stop.leg, 0), part("stop", stop.location, 1))


def maintenance_status(
    last_maintained_on: dt.date | None,
    installed_on: dt.date | None,
    interval_days: int,
    today: dt.date,
) -> str:
    """Return ``due`` when the model's interval has passed since the last care, else ``ok``."""
    since = last_maintained_on or installed_on
    if since is None:
        return "unknown"
    return "due" if since + dt.timedelta(days=interval_days) < today else "ok"


def maintenance_status_sql(
    column_last: Any, column_installed: Any, interval: Any, today: dt.date
) -> Any:
    """:func:`maintenance_status` in SQL (PostgreSQL date arithmetic)."""
    since = func.coalesce(column_last, column_installed)
    return case((since.is_(None), "unknown"), (since + interval < today, "due"), else_="ok")
