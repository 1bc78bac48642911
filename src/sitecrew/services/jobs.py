"""Jobs and appointments: one function per use case, plus the trusted loaders' writers.

Each use case takes the caller and a command, and checks access, validates and writes in one
transaction on one snapshot (convention 16): the row the access check returns is the row it
changes. Access rules come from :mod:`sitecrew.services.scoping` only.

Booking and rescheduling keep one rule that spans rows: a job never has two overlapping
confirmed appointments. Two writers could each check it and both insert, so the use case locks
the job row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are
already serialised by ``BEGIN IMMEDIATE``, see ``db/engine.py``) and checks inside that lock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_utc
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.job_commands import check_window_timing
from sitecrew.domain.jobs import Appointment, AppointmentStatus, Job, JobStatus, check_transition
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.events import jobs_changed
from sitecrew.services._persist import check_version, save
from sitecrew.services.appointments.booking import require_offered, take_booking_turn
from sitecrew.services.appointments.visit import OfferedVisit
from sitecrew.services.care.completion import record_care_done
from sitecrew.services.notifications.on_the_way import tell_next_stop
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.planning.load_jobs import job_rows
from sitecrew.services.scoping import (
    get_changeable,
    get_visible,
    require_changer,
    require_job_status_setter,
    require_region_planner,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.domain.job_commands import (
        BookAppointment,
        CancelAppointment,
        ChangeJobStatus,
        CreateJob,
        RescheduleAppointment,
    )
    from sitecrew.domain.jobs import JobTarget, TimeWindow
    from sitecrew.services.planning.day import RegionInfo

#: Jobs that need no visit any more: booking one is a mistake.
_FINAL_JOB_STATUSES = frozenset({JobStatus.DONE.value, JobStatus.CANCELLED.value})
#: Appointments that can no longer move.
_CLOSED_APPOINTMENTS = frozenset(
    {AppointmentStatus.CANCELLED.value, AppointmentStatus.COMPLETED.value}
)


def create_job(session: Session, principal: Principal, command: CreateJob) -> Job:
    """Create a job whose target lies in the job's region, which the caller plans.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region or the target does not exist, or the target is outside the caller's
        region (not told apart, so other regions' ids cannot be probed).
    InvalidInputError
        When the target belongs to another region than the job, or the job breaks a rule.
    """
    job = command.to_job()
    with transaction(session):
        require_region_planner(principal, job.region_id, action="create jobs")
        get_or_raise(session, m.Region, job.region_id)
        target_region = _target_region(session, principal, job.target)
        if target_region != job.region_id:
            msg = f"the job's target lies in region {target_region}, not in {job.region_id}"
            raise InvalidInputError(msg)
        return add_job(session, job)


def _target_region(session: Session, principal: Principal, target: JobTarget) -> int:
    """Return the region of a job's target (an item's site's, an apartment's building's)."""
    if target.furniture_id is not None:
        item = get_visible(session, principal, m.Furniture, target.furniture_id)
        return get_or_raise(session, m.Site, item.site_id).region_id
    if target.apartment_id is not None:
        flat = get_visible(session, principal, m.Apartment, target.apartment_id)
        return get_or_raise(session, m.Building, flat.building_id).region_id
    if target.site_id is None:  # pragma: no cover (a JobTarget holds exactly one id)
        raise InvalidInputError("a job needs a target")
    return get_visible(session, principal, m.Site, target.site_id).region_id


def change_job_status(session: Session, principal: Principal, command: ChangeJobStatus) -> Job:
    """Move a job along its lifecycle if the caller saw its current version.

    The version makes concurrent edits safe: the second writer gets a conflict instead of
    silently overwriting the first (the UPDATE itself also checks the version).

    Raises
    ------
    PermissionDeniedError
        When the role may not set this status (crews and contractors report progress only).
    NotFoundError
        When the job does not exist or is outside the caller's scope.
    ConflictError
        When ``command.version`` is not the stored version.
    IllegalTransitionError
        When the lifecycle does not allow the change.
    """
    with transaction(session):
        require_job_status_setter(principal, command.status.value)
        row = get_changeable(session, principal, m.Job, command.job_id, action="change job status")
        check_version(row, command.version, what="job")
        check_transition(JobStatus(row.status), command.status)
        row.status = command.status.value
        if command.status is JobStatus.IN_PROGRESS:  # the next stop's tenant: "on the way"
            tell_next_stop(session, row.id)
        if command.status is JobStatus.DONE:  # a care job's pieces start their next cycle
            record_care_done(session, row, today=command.done_on)
        jobs_changed(session, row.region_id, [row.id])  # sent once the change is committed
        return save(session, row).to_domain()


def book_appointment(
    session: Session,
    principal: Principal,
    command: BookAppointment,
    *,
    osm: OsmSettings,
    now: datetime | None = None,
) -> Appointment:
    """Book a confirmed window for a job the caller may book for (not crews).

    In a region with a street graph the window must still be one a crew can make, asked at
    write time under the region's booking turn, as a tenant's booking is
    (:func:`~sitecrew.services.appointments.booking.require_offered`): a planner and tenants
    booking at once cannot overbook a crew's day. A region without streets has no crews' days
    to keep (nothing can be planned there) and a job without a place none to fit: only the
    job's own appointments are checked.

    Raises
    ------
    PermissionDeniedError
        For crews.
    NotFoundError
        When the job does not exist or is outside the caller's scope.
    InvalidInputError
        When the window lies far in the past or ahead of ``now`` (default: the current time).
    ConflictError
        When the job is done or cancelled, or already has a confirmed appointment that
        overlaps the window.
    WindowNotOfferedError
        When no crew can make the window (its day is full, or nobody works then).
    """
    appointment = Appointment(
        command.job_id, command.window, AppointmentStatus.CONFIRMED, command.notes
    )
    moment = now or datetime.now(UTC)
    check_window_timing(command.window, moment)
    with transaction(session):
        action = "book appointments"
        require_changer(principal, m.Appointment, action=action)
        seen = get_changeable(session, principal, m.Job, command.job_id, action=action)
        region = _routable_region(session, seen.region_id)
        if region is not None:
            take_booking_turn(session, region.id)  # before the job's lock (see booking.py)
        job = get_changeable(session, principal, m.Job, command.job_id, action=action, lock=True)
        if job.status in _FINAL_JOB_STATUSES:
            raise ConflictError(f"job {job.id} is {job.status}; it needs no appointment")
        _require_free_window(session, job.id, command.window)
        if region is not None:
            _require_crew_can_make(session, region, job, command, osm=osm, now=moment)
        return add_appointment(session, appointment)


def _routable_region(session: Session, region_id: int) -> RegionInfo | None:
    """Return the region when it has a street graph (crews' days to keep), else ``None``."""
    region = session.get_one(m.Region, region_id)
    if not (region.street_region or region.extract_path):
        return None
    return get_region_or_raise(session, region_id)


def _require_crew_can_make(
    session: Session,
    region: RegionInfo,
    job: m.Job,
    command: BookAppointment,
    *,
    osm: OsmSettings,
    now: datetime,
) -> None:
    """Refuse the window unless a crew can still add the job to its day in it."""
    [row] = job_rows(session, region_id=region.id, statuses=(job.status,), ids=[job.id])
    if row.point is None:
        return
    window = (command.window.start, command.window.end)
    require_offered(session, region, OfferedVisit(row, job.id), window, osm=osm, now=now)


def reschedule_appointment(
    session: Session,
    principal: Principal,
    command: RescheduleAppointment,
    *,
    now: datetime | None = None,
) -> Appointment:
    """Move an appointment the caller read at ``command.version`` to a new window.

    Raises
    ------
    PermissionDeniedError
        For crews.
    NotFoundError
        When the appointment does not exist or is outside the caller's scope.
    InvalidInputError
        When the window lies far in the past or ahead of ``now`` (default: the current time).
    ConflictError
        When the version is stale, the appointment is cancelled or completed, or the new window
        overlaps another confirmed appointment of the job.
    """
    check_window_timing(command.window, now or datetime.now(UTC))
    with transaction(session):
        row = get_changeable(
            session,
            principal,
            m.Appointment,
            command.appointment_id,
            action="reschedule appointments",
            lock=True,
        )
        check_version(row, command.version, what="appointment")
        _require_open_appointment(row)
        get_visible(session, principal, m.Job, row.job_id, lock=True)
        if row.status == AppointmentStatus.CONFIRMED.value:
            _require_free_window(session, row.job_id, command.window, besides=row.id)
        row.window_start = to_db_utc(command.window.start)
        row.window_end = to_db_utc(command.window.end)
        return save(session, row).to_domain()


def cancel_appointment(
    session: Session, principal: Principal, command: CancelAppointment
) -> Appointment:
    """Cancel an appointment the caller read at ``command.version`` (again: no change).

    Raises
    ------
    PermissionDeniedError
        For crews.
    NotFoundError
        When the appointment does not exist or is outside the caller's scope.
    ConflictError
        When the version is stale or the appointment is already completed.
    """
    with transaction(session):
        row = get_changeable(
            session,
            principal,
            m.Appointment,
            command.appointment_id,
            action="cancel appointments",
            lock=True,
        )
        check_version(row, command.version, what="appointment")
        if row.status == AppointmentStatus.COMPLETED.value:
            raise ConflictError(f"appointment {row.id} is already completed")
        row.status = AppointmentStatus.CANCELLED.value
        return save(session, row).to_domain()


def _require_open_appointment(row: m.Appointment) -> None:
    if row.status in _CLOSED_APPOINTMENTS:
        raise ConflictError(f"appointment {row.id} is {row.status}; book a new one")


def _require_free_window(
    session: Session, job_id: int, window: TimeWindow, *, besides: int | None = None
) -> None:
    """Refuse a window overlapping another confirmed appointment of the job.

    Call it with the job row locked, so no other writer can add one in between.
    """
    query = select(m.Appointment.id).where(
        m.Appointment.job_id == job_id,
        m.Appointment.status == AppointmentStatus.CONFIRMED.value,
        m.Appointment.window_start < to_db_utc(window.end),
        m.Appointment.window_end > to_db_utc(window.start),
    )
    if besides is not None:
        query = query.where(m.Appointment.id != besides)
    clash = session.scalar(query.limit(1))
    if clash is not None:
        msg = f"job {job_id} already has confirmed appointment {clash} in an overlapping window"
        raise ConflictError(msg)


def add_job(session: Session, job: Job) -> Job:
    """Store a job as given at version 1: for trusted loaders (the demo, tests), no caller.

    Raises
    ------
    NotFoundError
        When the region or the target does not exist.
    """
    get_or_raise(session, m.Region, job.region_id)
    target = job.target
    if target.furniture_id is not None:
        get_or_raise(session, m.Furniture, target.furniture_id)
    if target.apartment_id is not None:
        get_or_raise(session, m.Apartment, target.apartment_id)
    if target.site_id is not None:
        get_or_raise(session, m.Site, target.site_id)
    row = m.Job(
        region_id=job.region_id,
        kind=job.kind.value,
        furniture_id=target.furniture_id,
        apartment_id=target.apartment_id,
        site_id=target.site_id,
        duration_minutes=job.duration_minutes,
        required_skills=sorted(skill.value for skill in job.required_skills),
        priority=job.priority,
        due_on=job.due_on,
        status=JobStatus.OPEN.value,
        notes=job.notes,
    )
    return save(session, row).to_domain()


def add_appointment(session: Session, appointment: Appointment) -> Appointment:
    """Store an appointment as given (windows kept in UTC): for trusted loaders, no caller.

    Raises
    ------
    NotFoundError
        When the job does not exist.
    """
    get_or_raise(session, m.Job, appointment.job_id)
    row = m.Appointment(
        job_id=appointment.job_id,
        window_start=to_db_utc(appointment.window.start),
        window_end=to_db_utc(appointment.window.end),
        status=appointment.status.value,
        notes=appointment.notes,
    )
    return save(session, row).to_domain()
