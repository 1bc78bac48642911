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

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc, from_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Role
from sitecrew.domain.plans import StopKind, UnassignedJob, UnassignedReason
from sitecrew.domain.routes import CrewDayRoute, RouteState, RouteStop, StopTarget
from sitecrew.services.reading.entities import Entity, get_visible

if TYPE_CHECKING:
    from datetime import date, datetime, tzinfo

    from shapely.geometry import Point
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


def crew_route(session: Session, crew_id: int, day: date) -> CrewDayRoute | None:
    """Return a crew's route for ``day``: the published one, else the newest draft, else None.

    Raises
    ------
    NotFoundError
        When the crew does not exist.
    """
    crew = get_or_raise(session, m.Crew, crew_id)
    rank = case((m.Route.status == RouteState.PUBLISHED.value, 0), else_=1)
    route = session.scalars(
        select(m.Route)
        .where(
            m.Route.crew_id == crew_id,
            m.Route.service_date == day,
            m.Route.status != RouteState.SUPERSEDED.value,
        )
        .order_by(rank, m.Route.id.desc())
        .limit(1)
    ).first()
    return None if route is None else _route_view(session, route, crew.name)


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
    get_visible(session, Entity.CREW, principal, crew_id)
    route = crew_route(session, crew_id, day)
    if route is None or (principal.role is Role.CREW and route.state is not RouteState.PUBLISHED):
        return None
    return route


def routes_for_run(session: Session, run_id: int) -> tuple[CrewDayRoute, ...]:
    """Return the routes a planning run produced (whatever their state now), by crew.

    Raises
    ------
    NotFoundError
        When the run does not exist.
    """
    get_or_raise(session, m.PlanningRun, run_id)
    query = (
        select(m.Route, m.Crew.name)
        .join(m.Crew, m.Crew.id == m.Route.crew_id)
        .where(m.Route.run_id == run_id)
        .order_by(m.Route.crew_id)
    )
    return tuple(_route_view(session, route, name) for route, name in session.execute(query))


def _route_view(session: Session, route: m.Route, crew_name: str) -> CrewDayRoute:
    timezone, depot_address = session.execute(
        select(m.Region.timezone, m.Depot.address)
        .select_from(m.Crew)
        .join(m.Region, m.Region.id == m.Crew.region_id)
        .join(m.Depot, m.Depot.id == m.Crew.depot_id)
        .where(m.Crew.id == route.crew_id)
    ).one()
    zone = zone_of(timezone)
    return CrewDayRoute(
        route_id=route.id,
        crew_id=route.crew_id,
        crew_name=crew_name,
        service_date=route.service_date,
        state=RouteState(route.status),
        run_id=route.run_id,
        travel_s=route.travel_seconds,
        distance_m=route.distance_metres,
        stops=_stops(session, route, zone, depot_address),
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


def _stops(
    session: Session, route: m.Route, zone: tzinfo, depot_address: str | None
) -> tuple[RouteStop, ...]:
    rows = list(
        session.scalars(
            select(m.RouteStop)
            .where(m.RouteStop.route_id == route.id)
            .order_by(m.RouteStop.sequence)
        )
    )
    targets = stop_targets(session, [r.job_id for r in rows if r.job_id is not None])
    points = _stop_points(session, route, rows)
    stops = []
    for row, point in zip(rows, points, strict=True):
        target = None if row.job_id is None else targets.get(row.job_id)
        kind = StopKind(row.kind)
        at_depot = kind in {StopKind.START, StopKind.END}
        stops.append(
            RouteStop(
                sequence=row.sequence,
                kind=kind,
                arrival_at=_local(row.arrival_at, zone),
                departure_at=_local(row.departure_at, zone),
                travel_s=row.travel_seconds,
                distance_m=row.distance_metres,
                fixed=bool(row.fixed),
                location=point,
                leg=from_db_geometry(row.leg),
                target=target,
                address=target.address if target else depot_address if at_depot else None,
            )
        )
    return tuple(stops)


def _stop_points(session: Session, route: m.Route, rows: list[m.RouteStop]) -> list[Point | None]:
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
            .where(m.Crew.id == route.crew_id)
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
    site_id = func.coalesce(m.Job.site_id, m.Furniture.site_id)
    query = (
        select(m.Job, m.Furniture.serial, m.Apartment, m.Building.address, m.Site)
        .outerjoin(m.Furniture, m.Furniture.id == m.Job.furniture_id)
        .outerjoin(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .outerjoin(m.Building, m.Building.id == m.Apartment.building_id)
        .outerjoin(m.Site, m.Site.id == site_id)
        .where(m.Job.id.in_(job_ids))
    )
    found = {}
    for job, serial, apartment, building_address, site in session.execute(query):
        if apartment is not None:
            label = f"{building_address or 'building'}, flat {apartment.unit}"
            address = building_address
        elif job.furniture_id is not None:
            label = f"furniture {serial}" + (f" at {site.name}" if site else "")
            address = site.address if site else None
        else:
            label = site.name if site else f"site {job.site_id}"
            address = site.address if site else None
        found[job.id] = StopTarget(
            job_id=job.id,
            kind=job.kind,
            furniture_id=job.furniture_id,
            apartment_id=job.apartment_id,
            site_id=None if site is None else site.id,
            label=f"{job.kind.replace('_', ' ')}: {label}",
            building_id=None if apartment is None else apartment.building_id,
            address=address,
        )
    return found


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
