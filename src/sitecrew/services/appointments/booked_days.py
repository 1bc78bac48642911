"""The region's bookings about the days of an offer question, whoever holds them.

A crew-day's current plan (:mod:`~sitecrew.services.appointments.current_days`) counts its
route and the visits held for its crew. A booking can be neither: a planner books a window for
a plain job after the day was planned, or a tenant books a visit whose sweep crew does not work
that day. The day planner still keeps it (the seed plan puts every booking not on a route at its
cheapest place among the crews that may do it: :mod:`sitecrew.routing.seed`), so an offer must
count it too. The candidates for all the question's days are read in one query; which day a
job binds is the planner's binding-window rule (:func:`booked_spec`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.jobs import AppointmentStatus, JobStatus
from sitecrew.services.planning.load_jobs import binding_windows, job_rows, job_spec

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.routing.problem import JobSpec
    from sitecrew.services.planning.day import DayClock, Points
    from sitecrew.services.planning.load_jobs import JobRow

_KEPT = (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)
_OPEN = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)


def booked_jobs(session: Session, region_id: int, days: Sequence[date]) -> list[int]:
    """Return the region's open jobs with a kept appointment starting about ``days``.

    A superset of the bookings that bind the days: proposed or confirmed appointments starting
    within a day of the question's (UTC bounds a day wider than any time zone's, so no local day
    is cut). Which of them bind, and which day, is
    :func:`~sitecrew.services.planning.load_jobs.binding_windows`' rule. One query.
    """
    if not days:
        return []
    first = datetime.combine(min(days) - timedelta(days=1), time(0), UTC)
    last = datetime.combine(max(days) + timedelta(days=2), time(0), UTC)
    query = (
        select(m.Appointment.job_id)
        .join(m.Job, m.Job.id == m.Appointment.job_id)
        .where(
            m.Job.region_id == region_id,
            m.Job.status.in_(_OPEN),
            m.Appointment.status.in_(_KEPT),
            m.Appointment.window_start >= first,
            m.Appointment.window_start < last,
        )
        .distinct()
    )
    return sorted(session.scalars(query))


def unplaced_bookings(
    session: Session,
    region_id: int,
    clocks: Mapping[date, DayClock],
    counted: Mapping[date, set[int]],
    points: Points,
    *,
    skip: int | None,
) -> dict[date, list[JobSpec]]:
    """Return per day the bookings that bind it and that no crew-day counts, as routing jobs.

    ``counted``: per day, the jobs on a route of a crew that works it or held for such a crew.
    ``skip``: the job being offered (its booking moves). Three queries at most.
    """
    booked = [job_id for job_id in booked_jobs(session, region_id, list(clocks)) if job_id != skip]
    if not booked:
        return {}
    windows = binding_windows(session, booked)
    clock = next(iter(clocks.values()))
    by_day: dict[date, list[int]] = defaultdict(list)
    for job_id, spans in windows.items():
        for day in {clock.local_date(start) for start, _ in spans}:
            if day in clocks and job_id not in counted.get(day, ()):
                by_day[day].append(job_id)
    if not by_day:
        return {}
    ids = sorted({job_id for found in by_day.values() for job_id in found})
    rows = {r.id: r for r in job_rows(session, region_id=region_id, statuses=_OPEN, ids=ids)}
    found: dict[date, list[JobSpec]] = {}
    for day, job_ids in sorted(by_day.items()):
        specs = [
            spec
            for job_id in sorted(job_ids)
            if job_id in rows
            and (spec := booked_spec(rows[job_id], windows[job_id], clocks[day], points))
        ]
        if specs:
            found[day] = specs
    return found


def booked_spec(
    row: JobRow, windows: Sequence[tuple[datetime, datetime]], clock: DayClock, points: Points
) -> JobSpec | None:
    """Return the job as the planner routes it on the clock's day, bound by its windows there.

    ``None`` when none of its binding windows starts that (local) day.
    """
    today = [w for w in windows if clock.local_date(w[0]) == clock.day]
    if not today:
        return None
    spans = tuple((clock.seconds(a), clock.seconds(b)) for a, b in today)
    return job_spec(row, clock=clock, points=points, appointments=spans)
