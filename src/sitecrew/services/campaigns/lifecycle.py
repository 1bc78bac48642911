"""Ending a campaign early: cancelling frees its homes for another campaign.

A cancelled campaign no longer claims its homes (only draft and active campaigns do), so a new
campaign of the same job kind may take them. Work it had already turned into jobs and that has
not happened yet is withdrawn: the open visit's job and appointments are cancelled and the visit
row goes (it never happened), as when a day plan leaves a visit out. Homes that are not done
lose their day, crew and window and are pending again; done homes and every recorded visit stay,
as the campaign's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.jobs import AppointmentStatus, JobStatus, check_transition
from sitecrew.errors import ConflictError
from sitecrew.events import jobs_changed
from sitecrew.services._persist import check_version, save
from sitecrew.services.campaigns.read import get_campaign
from sitecrew.services.scoping import get_campaign_row

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import CampaignInfo

#: Job statuses a withdrawn visit's job may still be cancelled from (work not started).
_WITHDRAWABLE = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)
_LIVE_APPOINTMENTS = (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)
_UNFINISHED = (HomeState.PENDING.value, HomeState.PROPOSED.value, HomeState.CONFIRMED.value)


@dataclass(frozen=True)
class CancelCampaign:
    """Cancel a draft or active campaign (``version``: as read; a stale one is a Conflict)."""

    campaign_id: int
    version: int | None = None


def cancel_campaign(
    session: Session, principal: Principal, command: CancelCampaign
) -> CampaignInfo:
    """Cancel the campaign, withdraw its jobs not yet started and free its unfinished homes.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners (before anything is read).
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    ConflictError
        When ``command.version`` is stale, or the campaign is completed or already cancelled.
    """
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="cancel campaigns"
        )
        if command.version is not None:
            check_version(campaign, command.version, what="campaign")
        if campaign.status not in {CampaignStatus.DRAFT.value, CampaignStatus.ACTIVE.value}:
            raise ConflictError(f"campaign {campaign.id} is {campaign.status}: nothing to cancel")
        withdrawn = _withdraw_open_visits(session, campaign.id)
        _free_homes(session, campaign.id)
        campaign.status = CampaignStatus.CANCELLED.value
        save(session, campaign)
        if withdrawn:
            jobs_changed(session, campaign.region_id, withdrawn)
        return get_campaign(session, principal, campaign.id)


def _withdraw_open_visits(session: Session, campaign_id: int) -> list[int]:
    """Cancel the jobs and appointments of visits without an outcome; drop those visits."""
    query = (
        select(m.CampaignVisit)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign_id, m.CampaignVisit.outcome.is_(None))
        .order_by(m.CampaignVisit.id)
    )
    cancelled: list[int] = []
    for visit in list(session.scalars(query)):
        job = session.get(m.Job, visit.job_id) if visit.job_id is not None else None
        if job is not None and job.status in _WITHDRAWABLE:
            check_transition(JobStatus(job.status), JobStatus.CANCELLED)
            job.status = JobStatus.CANCELLED.value
            job.notes = f"{job.notes or ''} (campaign cancelled)".strip()
            cancelled.append(job.id)
            appointments = select(m.Appointment).where(
                m.Appointment.job_id == job.id, m.Appointment.status.in_(_LIVE_APPOINTMENTS)
            )
            for appointment in session.scalars(appointments):
                appointment.status = AppointmentStatus.CANCELLED.value
        session.delete(visit)
    session.flush()
    return cancelled


def _free_homes(session: Session, campaign_id: int) -> None:
    """Make every unfinished home pending with no day, crew or window."""
    query = select(m.CampaignHome).where(
        m.CampaignHome.campaign_id == campaign_id, m.CampaignHome.state.in_(_UNFINISHED)
    )
    for home in session.scalars(query):
        home.state = HomeState.PENDING.value
        home.confirmed = False
        home.day = home.crew_id = home.window_start = home.window_end = None
        home.visit_order = None
    session.flush()
