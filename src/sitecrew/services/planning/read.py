"""What the API and CLI read back: a crew's stored route for a day, its exports, left-out jobs.

A crew's route for a day is its published route when there is one (that is what the crew
drives), otherwise its newest draft, so a dispatcher can review a plan before publishing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc, from_db_geometry
from sitecrew.db.models.plan import RouteStatus
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Role
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import (
    CrewDayRoute,
    RouteState,
    RouteStopInfo,
    StopTarget,
    UnassignedJobInfo,
)
from sitecrew.services.reading.entities import Entity, get_visible
from sitecrew.streets import Leg, legs_to_geojson, legs_to_gpx

if TYPE_CHECKING:
    from datetime import date, datetime

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
    rank = case((m.Route.status == RouteStatus.PUBLISHED.value, 0), else_=1)
    route = session.scalars(
        select(m.Route)
        .where(
            m.Route.crew_id == crew_id,
            m.Route.service_date == day,
            m.Route.status != RouteStatus.SUPERSEDED.value,
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
    return CrewDayRoute(
        route_id=route.id,
        crew_id=route.crew_id,
        crew_name=crew_name,
        service_date=route.service_date,
        state=RouteState(route.status),
        run_id=route.run_id,
        travel_s=route.travel_seconds,
        distance_m=route.distance_metres,
        stops=_stops(session, route.id),
    )


def _stops(session: Session, route_id: int) -> tuple[RouteStopInfo, ...]:
    rows = list(
        session.scalars(
            select(m.RouteStop)
            .where(m.RouteStop.route_id == route_id)
            .order_by(m.RouteStop.sequence)
        )
    )
    targets = stop_targets(session, [r.job_id for r in rows if r.job_id is not None])
    return tuple(
        RouteStopInfo(
            sequence=r.sequence,
            kind=r.kind,
            arrival_at=_utc(r.arrival_at),
            departure_at=_utc(r.departure_at),
            travel_s=r.travel_seconds,
            distance_m=r.distance_metres,
            fixed=bool(r.fixed),
            leg=from_db_geometry(r.leg),
            target=None if r.job_id is None else targets.get(r.job_id),
        )
        for r in rows
    )


def _utc(moment: datetime) -> datetime:
    value = as_utc(moment)
    if value is None:  # pragma: no cover (the columns are NOT NULL)
        raise ValueError("stop time missing")
    return value


def stop_targets(session: Session, job_ids: list[int]) -> dict[int, StopTarget]:
    """Return what each job is about: its target ids, a readable label and the place."""
    if not job_ids:
        return {}
    query = (
        select(m.Job, m.Furniture.serial, m.Apartment.unit, m.Building.address, m.Site.name)
        .outerjoin(m.Furniture, m.Furniture.id == m.Job.furniture_id)
        .outerjoin(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .outerjoin(m.Building, m.Building.id == m.Apartment.building_id)
        .outerjoin(m.Site, m.Site.id == m.Job.site_id)
        .where(m.Job.id.in_(job_ids))
    )
    locations = _target_locations(session, job_ids)
    found = {}
    for job, serial, unit, address, site_name in session.execute(query):
        if job.apartment_id is not None:
            label = f"{address or 'building'}, flat {unit}"
        elif job.furniture_id is not None:
            label = f"furniture {serial}"
        else:
            label = site_name or f"site {job.site_id}"
        found[job.id] = StopTarget(
            job_id=job.id,
            kind=job.kind,
            furniture_id=job.furniture_id,
            apartment_id=job.apartment_id,
            site_id=job.site_id,
            label=f"{job.kind.replace('_', ' ')}: {label}",
            location=locations.get(job.id),
        )
    return found


def _target_locations(session: Session, job_ids: list[int]) -> dict[int, Any]:
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


def _legs(route: CrewDayRoute) -> list[Leg]:
    stops = [s for s in route.stops if s.leg is not None]
    return [
        Leg(i, i + 1, float(s.travel_s), float(s.distance_m), s.leg)
        for i, s in enumerate(stops)
        if s.leg is not None
    ]


def route_to_geojson(route: CrewDayRoute) -> dict[str, Any]:
    """Return the route as a GeoJSON FeatureCollection: its legs, then its job stops as points.

    Leg features come from the street layer's export (``origin``/``destination`` number the
    stops from 0 = depot); stop features carry sequence, kind, times and the job's label.
    """
    collection = legs_to_geojson(_legs(route))
    for stop in route.stops:
        if stop.target is None or stop.target.location is None:
            continue
        collection["features"].append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(stop.target.location.coords[0])},
                "properties": {
                    "sequence": stop.sequence,
                    "kind": stop.kind,
                    "job_id": stop.target.job_id,
                    "label": stop.target.label,
                    "arrival_at": stop.arrival_at.isoformat(),
                    "departure_at": stop.departure_at.isoformat(),
                },
            }
        )
    collection["properties"] = {
        "crew": route.crew_name,
        "date": route.service_date.isoformat(),
        "status": route.state.value,
    }
    return collection


def route_to_gpx(route: CrewDayRoute) -> str:
    """Return the route as GPX 1.1 (stops as waypoints, one track segment per leg)."""
    name = f"{route.crew_name} {route.service_date.isoformat()}"
    return legs_to_gpx(_legs(route), name=name)


def unassigned_for_run(session: Session, run_id: int) -> tuple[UnassignedJobInfo, ...]:
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
        UnassignedJobInfo(row.job_id, UnassignedReason(row.reason), row.detail)
        for row in session.scalars(query)
    )
