"""Updates and deletions of sites, furniture and appointments, with role checks.

Creation lives with each aggregate's service; this module adds what the API's mutations need:
partial updates that re-validate through the domain, refusals to delete what other rows still
use, and the rule of who may change what.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_geometry, to_db_utc
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.jobs import AppointmentStatus, JobStatus, TimeWindow
from sitecrew.errors import ConflictError, NotFoundError, PermissionDeniedError
from sitecrew.services._persist import save
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.jobs import Appointment
    from sitecrew.domain.sites import Furniture, Site

#: Statuses a crew may set on its own jobs.
CREW_STATUSES = frozenset({JobStatus.IN_PROGRESS, JobStatus.DONE, JobStatus.BLOCKED})


def require_planner(principal: Principal, *, region_id: int | None, action: str) -> None:
    """Allow admins, and planners of the region concerned.

    Raises
    ------
    PermissionDeniedError
        For other roles, or a planner of another region.
    """
    principal.require(Role.ADMIN, Role.PLANNER, action=action)
    if principal.role is Role.PLANNER and principal.region_id not in {None, region_id}:
        raise PermissionDeniedError(f"this planner token may not {action} outside its region")


def require_job_access(session: Session, principal: Principal, job_id: int) -> None:
    """Allow callers who can see the job (crews: jobs on their routes; contractors: districts).

    Raises
    ------
    NotFoundError
        When the job does not exist or is outside the caller's scope.
    """
    query = select(m.Job.id).where(m.Job.id == job_id, visible(m.Job, principal))
    if session.scalar(query) is None:
        raise NotFoundError(f"no job with id {job_id}")


def check_crew_status(principal: Principal, status: JobStatus) -> None:
    """Crews report progress on their jobs; planning statuses are the planners'."""
    if principal.role is Role.CREW and status not in CREW_STATUSES:
        allowed = ", ".join(sorted(s.value for s in CREW_STATUSES))
        raise PermissionDeniedError(f"a crew may only set {allowed}")


def update_site(session: Session, site_id: int, changes: dict[str, Any]) -> Site:
    """Apply ``changes`` (domain field names) to a site, validating the result first."""
    with transaction(session):
        row = get_or_raise(session, m.Site, site_id)
        updated = replace(row.to_domain(), **changes)
        row.name, row.kind, row.address = updated.name, updated.kind.value, updated.address
        row.access_notes = updated.access_notes
        row.location = to_db_geometry(updated.location)
        row.area = to_db_geometry(updated.area)
        return save(session, row).to_domain()


def delete_site(session: Session, site_id: int) -> None:
    """Delete a site that has no furniture and no jobs left.

    Raises
    ------
    ConflictError
        Naming what still refers to the site.
    """
    with transaction(session):
        row = get_or_raise(session, m.Site, site_id)
        items = session.scalar(select(func.count()).where(m.Furniture.site_id == site_id))
        jobs = session.scalar(select(func.count()).where(m.Job.site_id == site_id))
        if items or jobs:
            msg = (
                f"site {site_id} still has {items} furniture items and {jobs} jobs; move them first"
            )
            raise ConflictError(msg)
        session.delete(row)
        session.flush()


def update_furniture(session: Session, furniture_id: int, changes: dict[str, Any]) -> Furniture:
    """Apply ``changes`` to a furniture item, validating the result first."""
    with transaction(session):
        row = get_or_raise(session, m.Furniture, furniture_id)
        updated = replace(row.to_domain(), **changes)
        row.serial, row.condition_grade = updated.serial, updated.condition_grade
        row.installed_on, row.location = updated.installed_on, to_db_geometry(updated.location)
        return save(session, row).to_domain()


def delete_furniture(session: Session, furniture_id: int) -> None:
    """Delete an item without jobs; its maintenance history goes with it."""
    with transaction(session):
        row = get_or_raise(session, m.Furniture, furniture_id)
        if session.scalar(select(func.count()).where(m.Job.furniture_id == furniture_id)):
            raise ConflictError(f"furniture {furniture_id} still has jobs; cancel them first")
        session.execute(
            delete(m.MaintenanceRecord).where(m.MaintenanceRecord.furniture_id == furniture_id)
        )
        session.delete(row)
        session.flush()


def reschedule_appointment(
    session: Session, appointment_id: int, window: TimeWindow
) -> Appointment:
    """Move an appointment to a new window (it must not be cancelled or completed)."""
    with transaction(session):
        row = get_or_raise(session, m.Appointment, appointment_id)
        if row.status in {AppointmentStatus.CANCELLED.value, AppointmentStatus.COMPLETED.value}:
            raise ConflictError(f"appointment {appointment_id} is {row.status}; book a new one")
        row.window_start, row.window_end = to_db_utc(window.start), to_db_utc(window.end)
        return save(session, row).to_domain()


def cancel_appointment(session: Session, appointment_id: int) -> Appointment:
    """Cancel an appointment (idempotent refusal once completed)."""
    with transaction(session):
        row = get_or_raise(session, m.Appointment, appointment_id)
        if row.status == AppointmentStatus.COMPLETED.value:
            raise ConflictError(f"appointment {appointment_id} is already completed")
        row.status = AppointmentStatus.CANCELLED.value
        return save(session, row).to_domain()


def appointment_job_id(session: Session, appointment_id: int) -> int:
    """Return the job an appointment belongs to."""
    return get_or_raise(session, m.Appointment, appointment_id).job_id


def region_of(session: Session, entity: str, entity_id: int) -> int:
    """Return the region of a site, furniture item or job (for planner checks)."""
    if entity == "site":
        return get_or_raise(session, m.Site, entity_id).region_id
    if entity == "furniture":
        site_id = get_or_raise(session, m.Furniture, entity_id).site_id
        return get_or_raise(session, m.Site, site_id).region_id
    return get_or_raise(session, m.Job, entity_id).region_id
