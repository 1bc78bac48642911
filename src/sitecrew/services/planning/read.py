"""What the API and CLI read back: a crew's stored route for a day, and left-out jobs.

A crew's route for a day is its published route when there is one (that is what the crew
drives), otherwise its newest draft, so a dispatcher can review a plan before publishing it.
Every stop is read with the point stored for it when it was planned, so a target moved later
does not move a published stop, and nothing here needs the street graph (an import-linter
contract keeps :mod:`sitecrew.streets`, osmnx and networkx out; exports live in
:mod:`sitecrew.services.planning.exports`).

Stop times are stored as instants and read in the time zone of the crew's region: a crew that
starts at 07:30 in an Oslo summer reads ``07:30:00+02:00``, not ``05:30:00+00:00``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, case, func, select, true
from sqlalchemy.orm import aliased

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc, from_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Role
from sitecrew.domain.plans import StopKind, UnassignedJob, UnassignedReason
from sitecrew.domain.routes import CrewDayRoute, RouteState, RouteStop, StopTarget
from sitecrew.errors import NotFoundError
from sitecrew.services.reading.entities import Entity, get_many, private_details
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import date, datetime, tzinfo

    from shapely.geometry import Point
    from sqlalchemy import BindParameter, ColumnElement, Select
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


def crew_route(session: Session, crew_id: int, day: date) -> CrewDayRoute | None:
    """Return a crew's route for ``day``: the published one, else the newest draft, else None.

    Raises
    ------
    NotFoundError
        When the crew does not exist.
    """
    rows = _day_route(session, crew_id, day, true())
    if not rows:
        raise NotFoundError(f"no crew with id {crew_id}")
    return None if rows[0].route_id is None else _route_of(session, rows[0], rows)


def visible_crew_route(
    session: Session, principal: Principal, crew_id: int, day: date
) -> CrewDayRoute | None:
    """Return the crew's route for ``day`` as the caller may see it, or None.

    One rule for every way a route leaves the system (GraphQL, GPX and GeoJSON downloads): the
    caller must be allowed to see the crew, and a crew sees only published routes, never a draft
    that may still change.

    Raises
    ------
    NotFoundError
        When the crew does not exist or the caller may not see it.
    PermissionDeniedError
        When the caller's role may not read crews at all.
    """
    rows = _day_route(session, crew_id, day, visible(m.Crew, principal))
    if not rows:
        raise NotFoundError(f"no crew with id {crew_id}")
    facts = rows[0]
    if facts.route_id is None:
        return None
    if principal.role is Role.CREW and facts.status != RouteState.PUBLISHED.value:
        return None
    return _route_of(session, facts, rows)


class RouteWith(NamedTuple):
    """A route as the caller may see it, with what its stops point at, read in one call."""

    route: CrewDayRoute | None
    #: Per kind asked for, the rows by id (``None``: out of the caller's reach).
    related: dict[Entity, dict[int, Any]]
    #: Per kind asked for (apartments, sites), by id of a row found: may the caller see its
    #: private details (tenant contact, access notes)?
    private: dict[Entity, dict[int, bool]]


def visible_crew_route_with(
    session: Session,
    principal: Principal,
    crew_id: int,
    day: date,
    related: Collection[Entity],
    *,
    private: Collection[Entity] = (),
) -> RouteWith:
    """Return :func:`visible_crew_route` and what the stops lead to, as the caller may see it.

    ``related`` names kinds among :data:`STOP_RELATIONS` (what the API was asked for: jobs,
    apartments, furniture, sites, buildings) and :data:`FOLLOWED` (furniture models); each is
    read in one query by :func:`~sitecrew.services.reading.entities.get_many`, with the scope
    every by-id read has, so a stop's relations cost a query per kind in the same call instead
    of a round trip each. An id the caller may not reach maps to ``None``. ``private`` names
    kinds (apartments, sites) whose found rows are checked for private details the same way
    as one by one (:func:`~sitecrew.services.scoping.private_details_visible`).
    """
    route = visible_crew_route(session, principal, crew_id, day)
    found: dict[Entity, dict[int, Any]] = {}
    if route is None:
        return RouteWith(route, found, {})
    targets = [stop.target for stop in route.stops if stop.target is not None]
    for entity in related:
        if entity in STOP_RELATIONS:
            ids = sorted({i for t in targets if (i := _related_id(t, entity)) is not None})
            _read_into(found, session, principal, entity, ids)
    for entity in related:
        if entity in FOLLOWED:
            via, column = FOLLOWED[entity]
            rows = found.get(via, {}).values()
            ids = sorted({getattr(row, column) for row in rows if row is not None})
            _read_into(found, session, principal, entity, ids)
    allowed: dict[Entity, dict[int, bool]] = {}
    for entity in private:
        ids = [i for i, row in found.get(entity, {}).items() if row is not None]
        if ids:
            flags = private_details(session, entity, principal, ids)
            allowed[entity] = dict(zip(ids, flags, strict=True))
    return RouteWith(route, found, allowed)


def _read_into(
    found: dict[Entity, dict[int, Any]],
    session: Session,
    principal: Principal,
    entity: Entity,
    ids: list[int],
) -> None:
    if ids:
        found[entity] = dict(zip(ids, get_many(session, entity, ids, principal), strict=True))


#: The kinds a stop points at, and where its target keeps the id.
STOP_RELATIONS: dict[Entity, str] = {
    Entity.JOB: "job_id",
    Entity.APARTMENT: "apartment_id",
    Entity.FURNITURE: "furniture_id",
    Entity.SITE: "site_id",
    Entity.BUILDING: "building_id",
}
#: The kinds read through a row a stop points at: the kind of that row, and its column.
FOLLOWED: dict[Entity, tuple[Entity, str]] = {
    Entity.FURNITURE_MODEL: (Entity.FURNITURE, "model_id"),
}


def _related_id(target: StopTarget, entity: Entity) -> int | None:
    value: int | None = getattr(target, STOP_RELATIONS[entity])
    return value


def routes_for_run(session: Session, run_id: int) -> tuple[CrewDayRoute, ...]:
    """Return the routes a planning run produced (whatever their state now), by crew.

    Raises
    ------
    NotFoundError
        When the run does not exist.
    """
    get_or_raise(session, m.PlanningRun, run_id)
    query = (
        select(*_ROUTE_COLUMNS)
        .select_from(m.Route)
        .join(m.Crew, m.Crew.id == m.Route.crew_id)
        .join(m.Region, m.Region.id == m.Crew.region_id)
        .join(m.Depot, m.Depot.id == m.Crew.depot_id)
        .where(m.Route.run_id == run_id)
        .order_by(m.Route.crew_id)
    )
    return tuple(
        _route_of(session, facts, _stop_rows(session, facts.route_id))
        for facts in session.execute(query).all()
    )


#: What a route is read with: its row, its crew's name, the zone of its region, the depot address.
_ROUTE_COLUMNS = (
    m.Route.id.label("route_id"),
    m.Crew.id.label("crew_id"),
    m.Crew.name.label("crew_name"),
    m.Region.timezone.label("timezone"),
    m.Depot.address.label("depot_address"),
    m.Route.service_date,
    m.Route.status,
    m.Route.run_id,
    m.Route.travel_seconds,
    m.Route.distance_metres,
)


def _day_route(session: Session, crew_id: int, day: date, scope: ColumnElement[bool]) -> list[Any]:
    """Return the crew's facts, its route of ``day`` and the route's stops, in one query.

    One row per stop in order, each also holding the crew's and the route's facts (see
    :data:`_ROUTE_COLUMNS`, :data:`_STOP_COLUMNS`, :data:`_TARGET_COLUMNS`). No row: no such
    crew (in ``scope``). The route is the published one, else the newest draft; without one,
    or without stops, the single row's ``route_id`` or ``sequence`` is None.
    """
    query = _day_route_query(scope)
    return list(session.execute(query, {"route_crew_id": crew_id, "route_day": day}))


@lru_cache(maxsize=256)
def _day_route_query(scope: ColumnElement[bool]) -> Select[Any]:
    """Return :func:`_day_route`'s statement for ``scope``, the crew and day as parameters.

    Kept per scope clause (those are kept per caller, see ``scoping.visible``): putting its
    thirty columns and six joins together took longer than the rest of reading a route in
    Python, and SQLAlchemy keys its compiled-statement cache on a statement it has seen at
    once, instead of walking a new one.
    """
    crew_id: BindParameter[int] = bindparam("route_crew_id")
    day: BindParameter[date] = bindparam("route_day")
    other = aliased(m.Route)  # the subquery's own routes: not correlated with the outer join
    rank = case((other.status == RouteState.PUBLISHED.value, 0), else_=1)
    chosen = (
        select(other.id)
        .where(
            other.crew_id == crew_id,
            other.service_date == day,
            other.status != RouteState.SUPERSEDED.value,
        )
        .order_by(rank, other.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query: Select[Any] = (
        _with_targets(
            select(*_ROUTE_COLUMNS, *_STOP_COLUMNS, *_TARGET_COLUMNS)
            .select_from(m.Crew)
            .join(m.Region, m.Region.id == m.Crew.region_id)
            .join(m.Depot, m.Depot.id == m.Crew.depot_id)
            .outerjoin(m.Route, m.Route.id == chosen)
            .outerjoin(m.RouteStop, m.RouteStop.route_id == m.Route.id)
            .outerjoin(m.Job, m.Job.id == m.RouteStop.job_id)
        )
        .where(m.Crew.id == crew_id, scope)
        .order_by(m.RouteStop.sequence)
    )
    return query


def _route_of(session: Session, facts: Any, stop_rows: list[Any]) -> CrewDayRoute:
    """Build the route of a row of :data:`_ROUTE_COLUMNS` that names one, and its stops."""
    zone = zone_of(facts.timezone)
    return CrewDayRoute(
        route_id=facts.route_id,
        crew_id=facts.crew_id,
        crew_name=facts.crew_name,
        service_date=facts.service_date,
        state=RouteState(facts.status),
        run_id=facts.run_id,
        travel_s=facts.travel_seconds,
        distance_m=facts.distance_metres,
        stops=_stops(session, facts, stop_rows, zone),
        timezone=str(zone),
    )


def zone_of(name: str | None) -> ZoneInfo:
    """Return the IANA zone ``name``; UTC when it is unknown, so a stored route stays readable.

    Regions are checked for a known zone when they are created; a zone that is gone from this
    machine's tz database must not make a crew's route unreadable.
    """
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _stop_rows(session: Session, route_id: int) -> list[Any]:
    """Read a route's stops in order with what each job is about, in one query."""
    query = (
        _with_targets(
            select(*_STOP_COLUMNS, *_TARGET_COLUMNS).outerjoin(
                m.Job, m.Job.id == m.RouteStop.job_id
            )
        )
        .where(m.RouteStop.route_id == route_id)
        .order_by(m.RouteStop.sequence)
    )
    return list(session.execute(query))


def _stops(session: Session, facts: Any, rows: list[Any], zone: tzinfo) -> tuple[RouteStop, ...]:
    """Build the stops of rows of :data:`_STOP_COLUMNS` (a stopless route's row is skipped)."""
    rows = [row for row in rows if row.sequence is not None]
    points = _stop_points(session, facts.crew_id, rows)
    depot_address = facts.depot_address
    stops = []
    for row, point in zip(rows, points, strict=True):
        target = None if row.job_id is None else _target(row)
        kind = StopKind(row.kind)
        at_depot = kind in {StopKind.START, StopKind.END}
        stops.append(
            RouteStop(
                sequence=row.sequence,
                kind=kind,
                arrival_at=_local(row.arrival_at, zone),
                departure_at=_local(row.departure_at, zone),
                travel_s=row.leg_seconds,
                distance_m=row.leg_metres,
                fixed=bool(row.fixed),
                location=point,
                leg=from_db_geometry(row.leg),
                target=target,
                address=target.address if target else depot_address if at_depot else None,
            )
        )
    return tuple(stops)


#: A stop's own columns (its point and leg as stored).
_STOP_COLUMNS = (
    m.RouteStop.sequence,
    m.RouteStop.kind,
    m.RouteStop.job_id,
    m.RouteStop.arrival_at,
    m.RouteStop.departure_at,
    m.RouteStop.travel_seconds.label("leg_seconds"),
    m.RouteStop.distance_metres.label("leg_metres"),
    m.RouteStop.fixed,
    m.RouteStop.location,
    m.RouteStop.leg,
)
#: What a job stop is about (:func:`_target`): only the columns its label and address need.
_TARGET_COLUMNS = (
    m.Job.kind.label("job_kind"),
    m.Job.furniture_id,
    m.Job.apartment_id,
    m.Job.site_id.label("job_site_id"),
    m.Furniture.serial.label("furniture_serial"),
    m.Apartment.unit.label("apartment_unit"),
    m.Apartment.building_id,
    m.Building.address.label("building_address"),
    m.Site.id.label("site_id"),
    m.Site.name.label("site_name"),
    m.Site.address.label("site_address"),
)


def _with_targets(query: Any) -> Any:
    """Join a query that has ``jobs`` to each job's furniture, apartment, building and site.

    A furniture job links the site its item stands in, an apartment job its building.
    """
    site_id = func.coalesce(m.Job.site_id, m.Furniture.site_id)
    return (
        query.outerjoin(m.Furniture, m.Furniture.id == m.Job.furniture_id)
        .outerjoin(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .outerjoin(m.Building, m.Building.id == m.Apartment.building_id)
        .outerjoin(m.Site, m.Site.id == site_id)
    )


def _target(row: Any) -> StopTarget:
    """Return what a row of :data:`_TARGET_COLUMNS` (and ``job_id``) is about, in words.

    The address is the building's or the site's.
    """
    if row.apartment_id is not None and row.apartment_unit is not None:
        label = f"{row.building_address or 'building'}, flat {row.apartment_unit}"
        address = row.building_address
    elif row.furniture_id is not None:
        at = f" at {row.site_name}" if row.site_id is not None else ""
        label = f"furniture {row.furniture_serial}{at}"
        address = row.site_address
    else:
        label = row.site_name if row.site_id is not None else f"site {row.job_site_id}"
        address = row.site_address
    return StopTarget(
        job_id=row.job_id,
        kind=row.job_kind,
        furniture_id=row.furniture_id,
        apartment_id=row.apartment_id,
        site_id=row.site_id,
        label=f"{row.job_kind.replace('_', ' ')}: {label}",
        building_id=row.building_id if row.apartment_unit is not None else None,
        address=address,
    )


def _stop_points(session: Session, crew_id: int, rows: list[Any]) -> list[Point | None]:
    """Return each stop's stored point; routes stored without points fall back to today's.

    Routes planned before stop points were stored (migration 0004) have none: a job stop then
    takes its target's current location, ``START`` and ``END`` the crew's depot, and a break
    the point of the stop before it (where the crew was when it took the break).
    """
    stored = [from_db_geometry(r.location) for r in rows]
    if all(point is not None for point in stored):
        return stored
    targets = _target_locations(session, [r.job_id for r in rows if r.job_id is not None])
    depot = from_db_geometry(
        session.scalar(
            select(m.Depot.location)
            .join(m.Crew, m.Crew.depot_id == m.Depot.id)
            .where(m.Crew.id == crew_id)
        )
    )
    points: list[Point | None] = []
    for row, point in zip(rows, stored, strict=True):
        if point is not None:
            points.append(point)
        elif row.job_id is not None:
            points.append(targets.get(row.job_id))
        elif row.kind == StopKind.BREAK and points:
            points.append(points[-1])
        else:
            points.append(depot)
    return points


def _local(moment: datetime, zone: tzinfo) -> datetime:
    """Return a stored instant (aware, or naive UTC from SQLite) on the region's clock."""
    value = as_utc(moment)
    if value is None:  # pragma: no cover (the columns are NOT NULL)
        raise ValueError("stop time missing")
    return value.astimezone(zone)


def stop_targets(session: Session, job_ids: list[int]) -> dict[int, StopTarget]:
    """Return what each job is about: its target ids, a readable label and an address.

    A furniture job links the site its item stands in (a crew reads the site's access notes),
    an apartment job its building; the address is the building's or the site's.
    """
    if not job_ids:
        return {}
    query = _with_targets(
        select(m.Job.id.label("job_id"), *_TARGET_COLUMNS).select_from(m.Job)
    ).where(m.Job.id.in_(job_ids))
    return {row.job_id: _target(row) for row in session.execute(query)}


def _target_locations(session: Session, job_ids: list[int]) -> dict[int, Any]:
    """Return each job's target point as it is now (only for routes stored without points)."""
    if not job_ids:
        return {}
    query = (
        select(m.Job.id, m.Furniture.location, m.Apartment.location, m.Site.location)
        .outerjoin(m.Furniture, m.Furniture.id == m.Job.furniture_id)
        .outerjoin(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .outerjoin(m.Site, m.Site.id == m.Job.site_id)
        .where(m.Job.id.in_(job_ids))
    )
    return {
        job_id: from_db_geometry(next((p for p in points if p is not None), None))
        for job_id, *points in session.execute(query)
    }


def unassigned_for_run(session: Session, run_id: int) -> tuple[UnassignedJob, ...]:
    """Return the jobs a run left out, with reasons, by job id.

    Raises
    ------
    NotFoundError
        When the run does not exist.
    """
    get_or_raise(session, m.PlanningRun, run_id)
    query = (
        select(m.UnassignedJob)
        .where(m.UnassignedJob.run_id == run_id)
        .order_by(m.UnassignedJob.job_id)
    )
    return tuple(
        UnassignedJob(str(row.job_id), UnassignedReason(row.reason), row.detail)
        for row in session.scalars(query)
    )
