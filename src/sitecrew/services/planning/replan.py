"""Re-planning during the day: what a crew already did stays, the rest of its day is re-planned.

The stops of a crew's published route whose jobs are done or in progress become fixed stops
(with the times stored for them), as does a break taken before the last of them; the crew then
continues from the last fixed stop, not before ``now``. Skipped jobs go back into the pool.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.jobs import JobStatus
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState
from sitecrew.routing.problem import CrewSpec, FixedStop, JobSpec, service_for
from sitecrew.services.planning.load_jobs import job_rows, job_spec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.planning.day import DayClock, Points

_STARTED = (JobStatus.DONE.value, JobStatus.IN_PROGRESS.value)


def add_fixed_stops(
    session: Session,
    *,
    region_id: int,
    clock: DayClock,
    points: Points,
    jobs: tuple[JobSpec, ...],
    crews: tuple[CrewSpec, ...],
    now_s: int,
) -> tuple[tuple[JobSpec, ...], tuple[CrewSpec, ...]]:
    """Return the jobs and crews with each crew's started work fixed and its day resumed at now.

    Parameters
    ----------
    session
        An open session.
    region_id
        The region planned.
    clock
        The day and the region's time zone.
    points
        Where places are registered.
    jobs, crews
        The day's open jobs and the crews, as loaded.
    now_s
        The moment of re-planning, seconds since local midnight.

    Returns
    -------
    tuple
        The jobs (plus the started ones, which the solver keeps in place) and the crews.
    """
    stops = _published_stops(session, clock, [int(c.id) for c in crews])
    started_ids = sorted({s.job_id for rows in stops.values() for s, _ in rows if s.job_id})
    rows = job_rows(session, region_id=region_id, statuses=_STARTED, ids=started_ids)
    started = {str(r.id): job_spec(r, clock=clock, points=points) for r in rows}
    fixed_crews = []
    for crew in crews:
        fixed = _fixed_for(crew, stops.get(int(crew.id), []), started, clock)
        fixed_crews.append(replace(crew, fixed_stops=fixed, available_from_s=now_s))
    used = {s.job_id for c in fixed_crews for s in c.fixed_stops if s.job_id}
    return jobs + tuple(j for j in started.values() if j.id in used), tuple(fixed_crews)


def _published_stops(
    session: Session, clock: DayClock, crew_ids: list[int]
) -> dict[int, list[tuple[m.RouteStop, str | None]]]:
    """Return each crew's published stops of the day in order, with their job's status."""
    query = (
        select(m.Route.crew_id, m.RouteStop, m.Job.status)
        .join(m.RouteStop, m.RouteStop.route_id == m.Route.id)
        .outerjoin(m.Job, m.Job.id == m.RouteStop.job_id)
        .where(
            m.Route.crew_id.in_(crew_ids),
            m.Route.service_date == clock.day,
            m.Route.status == RouteState.PUBLISHED.value,
        )
        .order_by(m.Route.crew_id, m.RouteStop.sequence)
    )
    found: dict[int, list[tuple[m.RouteStop, str | None]]] = {}
    for crew_id, stop, status in session.execute(query):
        found.setdefault(crew_id, []).append((stop, status))
    return found


def _fixed_for(
    crew: CrewSpec,
    stops: list[tuple[m.RouteStop, str | None]],
    started: dict[str, JobSpec],
    clock: DayClock,
) -> tuple[FixedStop, ...]:
    """Return the fixed stops of one crew: started jobs, and a break taken before the last."""
    done = [s for s, status in stops if s.kind == StopKind.JOB.value and status in _STARTED]
    if not done:
        return ()
    last = done[-1].sequence
    keep = [
        s
        for s, status in stops
        if (s.kind == StopKind.JOB.value and status in _STARTED)
        or (s.kind == StopKind.BREAK.value and s.sequence < last)
    ]
    fixed: list[FixedStop] = []
    location = crew.start_location
    for stop in keep:
        job = started.get(str(stop.job_id)) if stop.job_id is not None else None
        if stop.job_id is not None and (job is None or job.location is None):
            continue
        if job is not None and job.location is not None:
            location = job.location
        work = crew.break_duration_s if job is None else service_for(job, crew)
        fixed.append(_fixed_stop(stop, location, work, job, clock))
    return tuple(fixed)


def _fixed_stop(
    stop: m.RouteStop, location: int, work_s: int, job: JobSpec | None, clock: DayClock
) -> FixedStop:
    arrival, departure = clock.seconds(stop.arrival_at), clock.seconds(stop.departure_at)
    return FixedStop(
        location=location,
        arrival_s=arrival,
        start_s=min(max(arrival, departure - work_s), departure),
        departure_s=departure,
        job_id=None if job is None else job.id,
    )
