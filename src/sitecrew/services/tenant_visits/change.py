"""A tenant says how the crew gets in, or cancels the visit.

Cancelling gives the visit back to the campaign: its job and appointment (if the visit already
became one) are cancelled, the visit row goes (it never happened), and the home is pending
again, so the campaign's next plan proposes a new time (and the tenant may choose one of the
offers at any time). The tenant's calendar entry is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.jobs import AppointmentStatus, JobStatus, check_transition
from sitecrew.domain.tenant_links import AccessChoice
from sitecrew.events import jobs_changed
from sitecrew.services._persist import save
from sitecrew.services.tenant_visits.calendar_facts import cancel_calendar
from sitecrew.services.tenant_visits.home import TenantVisit, changeable_home, visit_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

_KEPT = (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)


@dataclass(frozen=True)
class SetAccess:
    """How the crew gets in (``version``: the home's, as last shown)."""

    access: AccessChoice
    version: int | None = None


@dataclass(frozen=True)
class CancelVisit:
    """The tenant cannot take the visit at its time (``version``: the home's, as last shown)."""

    version: int | None = None


def set_tenant_access(session: Session, principal: Principal, command: SetAccess) -> TenantVisit:
    """Record how the crew gets in.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    ConflictError
        When ``version`` is stale, or the visit can no longer be changed.
    """
    with transaction(session):
        found = changeable_home(session, principal, command.version, action="say how to get in")
        found.link.access = command.access.value
        save(session, found.link)
        return visit_of(found)


def cancel_tenant_visit(
    session: Session, principal: Principal, command: CancelVisit
) -> TenantVisit:
    """Give the visit back to the campaign (pending already: no change).

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    ConflictError
        When ``version`` is stale, or the visit is done or escalated.
    """
    with transaction(session):
        found = changeable_home(session, principal, command.version, action="cancel a visit")
        home = found.home
        if home.state == HomeState.PENDING.value:
            return visit_of(found)
        changed = _withdraw_open_visits(session, home.id)
        home.state = HomeState.PENDING.value
        home.confirmed = False
        home.day = home.crew_id = home.window_start = home.window_end = home.visit_order = None
        cancel_calendar(found)
        save(session, home)
        jobs_changed(session, found.campaign.region_id, changed)
        return visit_of(found)


def _withdraw_open_visits(session: Session, home_id: int) -> list[int]:
    """Cancel the jobs and appointments of the home's open visits and drop the visit rows."""
    changed: list[int] = []
    visits = session.scalars(
        select(m.CampaignVisit).where(
            m.CampaignVisit.campaign_home_id == home_id, m.CampaignVisit.outcome.is_(None)
        )
    ).all()
    for visit in visits:
        job = session.get(m.Job, visit.job_id) if visit.job_id is not None else None
        if job is not None and job.status in {JobStatus.OPEN.value, JobStatus.SCHEDULED.value}:
            check_transition(JobStatus(job.status), JobStatus.CANCELLED)
            job.status = JobStatus.CANCELLED.value
            job.notes = f"{job.notes or ''} (cancelled by the tenant)".strip()
            changed.append(job.id)
            for appointment in session.scalars(
                select(m.Appointment).where(
                    m.Appointment.job_id == job.id, m.Appointment.status.in_(_KEPT)
                )
            ):
                appointment.status = AppointmentStatus.CANCELLED.value
        session.delete(visit)
    session.flush()
    return changed
