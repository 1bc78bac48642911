"""Jobs and appointments: creation, and status changes guarded by the lifecycle and a version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_utc
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.jobs import Appointment, Job, JobStatus, check_transition
from sitecrew.errors import ConflictError
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def create_job(session: Session, job: Job) -> Job:
    """Store a new job at version 1; its region and target must exist.

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


def change_job_status(
    session: Session, job_id: int, new_status: JobStatus, *, expected_version: int
) -> Job:
    """Move a job to ``new_status`` if the caller saw its current version.

    The version check makes concurrent edits safe: the second writer gets a conflict instead
    of silently overwriting the first (the UPDATE itself also checks the version).

    Raises
    ------
    NotFoundError
        When the job does not exist.
    ConflictError
        When ``expected_version`` is not the stored version.
    IllegalTransitionError
        When the lifecycle does not allow the change.
    """
    with transaction(session):
        row = get_or_raise(session, m.Job, job_id)
        if row.version != expected_version:
            msg = (
                f"job {job_id} is at version {row.version}, not {expected_version}: "
                "someone changed it first; reload and retry"
            )
            raise ConflictError(msg)
        check_transition(JobStatus(row.status), new_status)
        row.status = new_status.value
        return save(session, row).to_domain()


def book_appointment(session: Session, appointment: Appointment) -> Appointment:
    """Store an appointment for an existing job (windows kept in UTC)."""
    get_or_raise(session, m.Job, appointment.job_id)
    row = m.Appointment(
        job_id=appointment.job_id,
        window_start=to_db_utc(appointment.window.start),
        window_end=to_db_utc(appointment.window.end),
        status=appointment.status.value,
        notes=appointment.notes,
    )
    return save(session, row).to_domain()
