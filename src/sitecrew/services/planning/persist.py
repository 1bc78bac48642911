"""Store a planned day as draft routes with stops and legs; publish a run's drafts to crews.

A route has a ``start`` stop (leaving the depot), its job and break stops, and an ``end`` stop
(back at the depot); every stop stores the point the crew was sent to, and each stop after the
start the road leg that leads to it, its travel time (the solver's) and its distance (the driven,
fastest path's). Publishing moves the planned jobs to ``scheduled`` through the job
lifecycle, so every change bumps the job's version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shapely.geometry import Point
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.jobs import JobStatus, check_transition
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState
from sitecrew.errors import ConflictError
from sitecrew.events import jobs_changed, route_published

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.domain.plans import SolverPlan, SolverRoute, SolverStop
    from sitecrew.services.planning.day import DayClock, DayInput
    from sitecrew.streets import Leg


def save_plan(
    session: Session,
    *,
    run_id: int,
    day: DayInput,
    plan: SolverPlan,
    legs: dict[str, list[Leg]],
) -> list[int]:
    """Write the plan as draft routes of ``run_id``, superseding older drafts of those crews.

    Each stop is stored with its point (the target's for a job, the depot for start and end,
    where the crew is for a break), so what the crew was told stays put if a target moves.

    Parameters
    ----------
    session
        An open session; the writes form one unit of work.
    run_id
        The planning run the routes belong to.
    day
        The planned day: its clock (stop times are stored as UTC timestamps), every crew
        planned (idle ones too: their older drafts are superseded) and the places' points.
    plan
        The solver's plan.
    legs
        Road legs per crew id, from :func:`~sitecrew.services.planning.geometry.legs_for_plan`.

    Returns
    -------
    list of int
        The ids of the new routes (crews without stops get none).
    """
    with transaction(session):
        session.execute(
            update(m.Route)
            .where(
                m.Route.crew_id.in_([int(c.id) for c in day.crews]),
                m.Route.service_date == day.clock.day,
                m.Route.status == RouteState.DRAFT.value,
            )
            .values(status=RouteState.SUPERSEDED.value)
        )
        ids = [
            _save_route(session, run_id, day, route, legs[route.crew_id])
            for route in plan.routes
            if route.stops
        ]
        session.add_all(
            m.UnassignedJob(
                run_id=run_id, job_id=int(u.job_id), reason=u.reason.value, detail=u.detail
            )
            for u in plan.unassigned
        )
        session.flush()
    return ids


def _save_route(
    session: Session, run_id: int, day: DayInput, route: SolverRoute, legs: list[Leg]
) -> int:
    row = m.Route(
        crew_id=int(route.crew_id),
        run_id=run_id,
        service_date=day.clock.day,
        status=RouteState.DRAFT.value,
        travel_seconds=route.travel_s,
        distance_metres=sum(round(leg.distance_m) for leg in legs),
    )
    session.add(row)
    session.flush()
    session.add_all(_stop_rows(row.id, day, route, legs))
    return row.id


def _stop_rows(
    route_id: int, day: DayInput, route: SolverRoute, legs: list[Leg]
) -> list[m.RouteStop]:
    """Return the start stop, the planned stops and the end stop, each with its point."""
    crew = next(c for c in day.crews if c.id == route.crew_id)
    start, end = day.clock.moment(route.start_s), day.clock.moment(route.end_s)
    here = day.points[crew.start_location]
    rows = [
        m.RouteStop(
            route_id=route_id,
            sequence=0,
            kind=StopKind.START.value,
            arrival_at=start,
            departure_at=start,
            location=_point(here),
        )
    ]
    for stop, leg in zip(route.stops, legs, strict=False):
        if stop.kind is StopKind.JOB:  # a break is taken where the crew is
            here = day.points[stop.location]
        rows.append(_stop_row(route_id, day.clock, stop, leg, here))
    rows.append(
        m.RouteStop(
            route_id=route_id,
            sequence=len(route.stops) + 1,
            kind=StopKind.END.value,
            arrival_at=end,
            departure_at=end,
            travel_seconds=route.return_travel_s,
            distance_metres=round(legs[-1].distance_m),
            leg=to_db_geometry(legs[-1].geometry),
            location=_point(day.points[crew.end_location]),
        )
    )
    return rows


def _stop_row(
    route_id: int, clock: DayClock, stop: SolverStop, leg: Leg, point: tuple[float, float]
) -> m.RouteStop:
    return m.RouteStop(
        route_id=route_id,
        sequence=stop.sequence,
        kind=stop.kind.value,
        job_id=None if stop.job_id is None else int(stop.job_id),
        arrival_at=clock.moment(stop.arrival_s),
        departure_at=clock.moment(stop.departure_s),
        travel_seconds=stop.travel_s,
        distance_metres=round(leg.distance_m),
        fixed=stop.fixed,
        leg=to_db_geometry(leg.geometry),
        location=_point(point),
    )


def _point(lonlat: tuple[float, float]) -> Any:
    """Return a bindable stored point for a lon/lat pair."""
    return to_db_geometry(Point(*lonlat))


def publish_routes(session: Session, run_id: int) -> int:
    """Publish the draft routes of a run: crews see them, planned jobs become ``scheduled``.

    Older published routes of the same crews and day are superseded; jobs they held that the new
    routes drop, and that are still only scheduled, go back to ``open``. Publishes of one
    region's day take turns (a lock held to the end of the transaction), so two runs published
    at once leave one published route per crew: the later one supersedes the earlier.

    Parameters
    ----------
    session
        An open session; the changes form one unit of work.
    run_id
        A planning run with draft routes.

    Returns
    -------
    int
        The number of routes published.

    Raises
    ------
    NotFoundError
        When the run does not exist.
    ConflictError
        When the run has no draft routes (not finished, already published or superseded), or
        a publish that did not take the lock got there first.
    """
    with transaction(session):
        run = get_or_raise(session, m.PlanningRun, run_id)
        lock_key(session, f"publish routes:region {run.region_id}:{run.service_date}")
        routes = list(
            session.scalars(
                select(m.Route).where(
                    m.Route.run_id == run_id, m.Route.status == RouteState.DRAFT.value
                )
            )
        )
        if not routes or run.region_id is None:  # an expansion run has neither
            msg = f"planning run {run_id} has no draft routes to publish (status {run.status})"
            raise ConflictError(msg)
        try:
            old_jobs = _supersede_published(session, [r.crew_id for r in routes], run.service_date)
            for route in routes:
                route.status = RouteState.PUBLISHED.value
            session.flush()
        except IntegrityError:  # uq_routes_published_crew_day: one published route per crew-day
            msg = f"another plan for {run.service_date} was published at the same time; reload"
            raise ConflictError(msg) from None
        new_jobs = _job_ids_on(session, [r.id for r in routes])
        _move_jobs(session, new_jobs, JobStatus.SCHEDULED, only_from=JobStatus.OPEN)
        _move_jobs(session, old_jobs - new_jobs, JobStatus.OPEN, only_from=JobStatus.SCHEDULED)
        session.flush()
        # Live updates, sent once the publish is committed (subscribers re-read the rows).
        jobs_changed(session, run.region_id, sorted(new_jobs | old_jobs))
        for route in routes:
            day = run.service_date.isoformat()
            route_published(session, route.crew_id, route.id, day, region_id=run.region_id)
    return len(routes)


def _supersede_published(session: Session, crew_ids: list[int], day: date) -> set[int]:
    """Supersede the crews' published routes of ``day``; return the jobs those routes held."""
    old = list(
        session.scalars(
            select(m.Route).where(
                m.Route.crew_id.in_(crew_ids),
                m.Route.service_date == day,
                m.Route.status == RouteState.PUBLISHED.value,
            )
        )
    )
    for route in old:
        route.status = RouteState.SUPERSEDED.value
    session.flush()  # before any new route is published: the unique index checks each row
    return _job_ids_on(session, [r.id for r in old])


def _job_ids_on(session: Session, route_ids: list[int]) -> set[int]:
    """Return the ids of the jobs the given routes visit."""
    if not route_ids:
        return set()
    query = select(m.RouteStop.job_id).where(
        m.RouteStop.route_id.in_(route_ids), m.RouteStop.job_id.is_not(None)
    )
    return {j for j in session.scalars(query) if j is not None}


def _move_jobs(
    session: Session, job_ids: set[int], new: JobStatus, *, only_from: JobStatus
) -> None:
    """Move the jobs now in ``only_from`` to ``new`` through the lifecycle (versions bump)."""
    if not job_ids:
        return
    for job in session.scalars(select(m.Job).where(m.Job.id.in_(sorted(job_ids)))):
        if job.status != only_from.value:
            continue
        check_transition(JobStatus(job.status), new)
        job.status = new.value
