"""Which jobs a day's plan visits, and their places, durations, windows, skills and value.

A care job (and an installation) needs the people its ``care_jobs`` row names; other jobs one.

A job counts for the day when it is open or scheduled and either has a binding appointment that
day (its windows come from those appointments) or has no binding appointment at all and is due
on or before the day. A job booked for another day waits for that day.

Binding appointments: confirmed ones, and the proposed window of an open campaign visit. A
campaign tells every tenant its window when it proposes it (the letter goes out with the
sweep), so the window is a promise whether or not the tenant has answered; any other proposed
appointment is only a suggestion the planner may still move.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.domain.jobs import AppointmentStatus, JobKind, JobStatus
from sitecrew.domain.sites import SiteKind
from sitecrew.routing.problem import JobSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.planning.day import DayClock, Points

#: Minutes to park, carry tools in and find the way, paid once per building or site visit.
SETUP_MINUTES: dict[JobKind, int] = {
    JobKind.INSTALL_FURNITURE: 15,
    JobKind.OIL: 10,
    JobKind.REPAIR: 10,
    JobKind.INSPECT: 5,
    JobKind.INSTALL_MEDIA_BOX: 5,
}
#: Added to a booked job's priority: a promise to a tenant outranks any unbooked work.
APPOINTMENT_BONUS = 5
#: Noisy work is kept out of school hours (local time) in schoolyards on weekdays.
NOISY_KINDS = frozenset({JobKind.REPAIR, JobKind.INSTALL_FURNITURE})
SCHOOL_HOURS_S = (8 * 3600, 14 * 3600)
_OPEN = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)
_DAY_S = 24 * 3600


@dataclass(frozen=True)
class JobRow:
    """A job with what routing needs from its target (place, district, site, site kind)."""

    id: int
    kind: JobKind
    minutes: int
    skills: frozenset[str]
    priority: int
    point: tuple[float, float] | None
    district_id: int | None
    setup_group: str
    site_kind: str | None
    people: int = 1


def day_jobs(
    session: Session,
    *,
    region_id: int,
    clock: DayClock,
    points: Points,
    working: frozenset[str] | None = None,
) -> tuple[JobSpec, ...]:
    """Return the routing jobs of the day for a region (see the module docstring for which).

    Parameters
    ----------
    session
        An open session.
    region_id
        The region planned.
    clock
        The day and the region's time zone.
    points
        Where job places are registered (their indices become matrix locations).
    working
        The ids of the crews that work the day: a campaign visit is held for its sweep's crew
        when that crew works (see :func:`sweep_crews`); ``None`` holds none.

    Returns
    -------
    tuple of JobSpec
        Ids are the database ids as strings; jobs without a location get ``location=None``.
    """
    rows = job_rows(session, region_id=region_id, statuses=_OPEN)
    booked = binding_windows(session, [r.id for r in rows])
    held = sweep_crews(session, [r.id for r in rows]) if working else {}
    due = _due_ids(session, region_id, clock)
    specs = []
    for row in rows:
        windows = booked.get(row.id)
        if windows is None and row.id not in due:
            continue
        today = [w for w in windows or [] if clock.local_date(w[0]) == clock.day]
        if windows is not None and not today:
            continue
        spans = tuple((clock.seconds(a), clock.seconds(b)) for a, b in today)
        spec = job_spec(row, clock=clock, points=points, appointments=spans)
        crew = held.get(row.id)
        if crew is not None and working is not None and crew in working:
            spec = replace(spec, crews=frozenset({crew}))
        specs.append(spec)
    return tuple(specs)


def sweep_crews(session: Session, job_ids: list[int]) -> dict[int, str]:
    """Return the crew (routing id) each open campaign visit's job was swept to, per job id.

    The sweep gave each crew-day one compact area and the day's windows were estimated along
    that crew's walk through it; routing the visits with that crew keeps both (handing them to
    whichever crew the day's solver likes mixes areas and breaks the walk the windows follow).
    A visit whose crew does not work the day is anybody's (a sick day must not strand it).
    """
    found: dict[int, str] = {}
    for chunk in _chunks(job_ids):
        query = select(m.CampaignVisit.job_id, m.CampaignVisit.crew_id).where(
            m.CampaignVisit.job_id.in_(chunk),
            m.CampaignVisit.outcome.is_(None),
            m.CampaignVisit.crew_id.is_not(None),
        )
        for job_id, crew_id in session.execute(query):
            if job_id is not None:
                found[job_id] = str(crew_id)
    return found


def job_spec(
    row: JobRow,
    *,
    clock: DayClock,
    points: Points,
    appointments: tuple[tuple[int, int], ...] = (),
) -> JobSpec:
    """Return the routing job of ``row`` (windows bound the start of the work)."""
    service_s = row.minutes * 60
    windows = tuple(sorted((a, max(a, b - service_s)) for a, b in appointments))
    if not windows:
        windows = _quiet_windows(row, clock, service_s)
    location = None if row.point is None else points.add(*row.point)
    return JobSpec(
        id=str(row.id),
        location=location,
        service_s=service_s,
        setup_s=SETUP_MINUTES.get(row.kind, 5) * 60,
        setup_group=row.setup_group,
        windows=windows,
        skills=row.skills,
        priority=row.priority + (APPOINTMENT_BONUS if appointments else 0),
        booked=bool(appointments),
        district=None if row.district_id is None else str(row.district_id),
        people=row.people,
    )


def _quiet_windows(row: JobRow, clock: DayClock, service_s: int) -> tuple[tuple[int, int], ...]:
    """Keep noisy work in schoolyards before or after school hours on weekdays."""
    weekday = clock.day.weekday() < 5  # noqa: PLR2004 (Monday..Friday)
    if row.site_kind != SiteKind.SCHOOLYARD.value or row.kind not in NOISY_KINDS or not weekday:
        return ()
    opens, closes = SCHOOL_HOURS_S
    before = (0, opens - service_s) if opens >= service_s else None
    return tuple(w for w in (before, (closes, _DAY_S)) if w is not None)


def job_rows(
    session: Session, *, region_id: int, statuses: tuple[str, ...], ids: list[int] | None = None
) -> list[JobRow]:
    """Return jobs of a region in ``statuses`` (optionally only ``ids``) with their targets."""
    furniture = aliased(m.Furniture)
    apartment = aliased(m.Apartment)
    site = aliased(m.Site)
    # Plain columns, not the Job entity: rows are only read, and building ORM instances (with
    # their identity map) was most of an offers answer's time on PostgreSQL.
    query = (
        select(
            m.Job.id,
            m.Job.kind,
            m.Job.duration_minutes,
            m.Job.required_skills,
            m.Job.priority,
            m.Job.apartment_id,
            m.Job.furniture_id,
            m.Job.site_id,
            furniture.location,
            furniture.site_id,
            apartment.location,
            apartment.building_id,
            apartment.district_id,
            site.location,
            site.district_id,
            site.kind,
            m.CareJob.people,
        )
        .outerjoin(furniture, furniture.id == m.Job.furniture_id)
        .outerjoin(apartment, apartment.id == m.Job.apartment_id)
        .outerjoin(site, site.id == func.coalesce(m.Job.site_id, furniture.site_id))
        .outerjoin(m.CareJob, m.CareJob.job_id == m.Job.id)
        .where(m.Job.region_id == region_id, m.Job.status.in_(statuses))
        .order_by(m.Job.id)
    )
    if ids is not None:
        query = query.where(m.Job.id.in_(ids))
    return [_job_row(*row) for row in session.execute(query)]


def _job_row(*columns: Any) -> JobRow:
    job = _JobColumns(*columns[:8])
    f_loc, f_site, a_loc, building, a_district, s_loc, s_district, s_kind, people = columns[8:]
    if job.apartment_id is not None:
        location, district, group = a_loc, a_district, f"building:{building}"
    elif job.furniture_id is not None:
        location, district, group = f_loc, s_district, f"site:{f_site}"
    else:
        location, district, group = s_loc, s_district, f"site:{job.site_id}"
    shape = from_db_geometry(location)
    return JobRow(
        id=job.id,
        kind=JobKind(job.kind),
        minutes=job.duration_minutes,
        skills=frozenset(job.required_skills or ()),
        priority=job.priority,
        point=None if shape is None else (float(shape.x), float(shape.y)),
        district_id=district,
        setup_group=group,
        site_kind=None if job.apartment_id is not None else s_kind,
        people=people or 1,
    )


class _JobColumns(NamedTuple):
    """The job columns :func:`job_rows` reads (named as on the model)."""

    id: int
    kind: str
    duration_minutes: int
    required_skills: list[str] | None
    priority: int
    apartment_id: int | None
    furniture_id: int | None
    site_id: int | None


def binding_windows(session: Session, job_ids: list[int]) -> dict[int, list[tuple[Any, Any]]]:
    """Return every binding appointment window per job id (UTC timestamps).

    Binding: confirmed, or proposed for a campaign visit that has no outcome yet (the tenant was
    told the window; see the module docstring).
    """
    found: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    promised = (
        select(m.CampaignVisit.job_id)
        .where(m.CampaignVisit.job_id == m.Appointment.job_id, m.CampaignVisit.outcome.is_(None))
        .exists()
    )
    binding = or_(
        m.Appointment.status == AppointmentStatus.CONFIRMED.value,
        and_(m.Appointment.status == AppointmentStatus.PROPOSED.value, promised),
    )
    for chunk in _chunks(job_ids):
        query = select(
            m.Appointment.job_id, m.Appointment.window_start, m.Appointment.window_end
        ).where(m.Appointment.job_id.in_(chunk), binding)
        for job_id, start, end in session.execute(query):
            found[job_id].append((start, end))
    return dict(found)


def _due_ids(session: Session, region_id: int, clock: DayClock) -> set[int]:
    query = select(m.Job.id).where(
        m.Job.region_id == region_id,
        m.Job.status.in_(_OPEN),
        m.Job.due_on.is_not(None),
        m.Job.due_on <= clock.day,
    )
    return set(session.scalars(query))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Split ids so an IN list stays far below SQLite's bound-parameter limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
