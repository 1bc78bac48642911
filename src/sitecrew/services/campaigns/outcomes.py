"""Recording how a campaign visit ended: the visit, the home, the apartment and the job follow.

- DONE: the home is done, the apartment installed, the job done, the appointment completed.
- A failure (no show, no access, refused, needs follow-up): the home's failed attempts grow; it
  goes back to pending with a re-visit held until a later day (a week by default: the crew is
  back in that building), or is escalated to the planner after the campaign's maximum of failed
  attempts. A refusal marks the apartment declined, no access marks it so; the job is blocked
  (the re-visit is a job of its own) and the appointment completed (no show: marked no-show).

Every visit counts as an attempt of its home. A visit's outcome is recorded once.

The tenant is told in the same transaction: a completion, or for a missed visit (no show, no
access) the few best new windows with the link to choose one
(:mod:`~sitecrew.services.campaigns.missed_offers`); once the home is escalated, no offers and
no link but word that the housing company will get in touch.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_utc
from sitecrew.domain.buildings import InstallationStatus
from sitecrew.domain.campaigns import CampaignStatus, HomeState, VisitOutcome
from sitecrew.domain.jobs import AppointmentStatus, JobStatus, check_transition
from sitecrew.domain.notifications import NotificationKind
from sitecrew.errors import ConflictError, SitecrewError
from sitecrew.events import jobs_changed
from sitecrew.services._persist import check_version, save
from sitecrew.services.campaigns.missed_offers import missed_visit_offers
from sitecrew.services.campaigns.rows import FINISHED_HOMES, visit_info
from sitecrew.services.notifications.campaign_messages import tell_visit
from sitecrew.services.scoping import get_recordable_visit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import RecordVisitOutcome, VisitInfo

LOGGER = logging.getLogger("sitecrew.campaigns")

#: What an outcome makes of the apartment's installation status (others leave it as it is).
APARTMENT_STATUS: dict[VisitOutcome, InstallationStatus] = {
    VisitOutcome.DONE: InstallationStatus.INSTALLED,
    VisitOutcome.REFUSED: InstallationStatus.DECLINED,
    VisitOutcome.NO_ACCESS: InstallationStatus.NO_ACCESS,
}
#: The job's way to its final status from each status a visited job may be in.
_JOB_PATHS: dict[JobStatus, dict[JobStatus, tuple[JobStatus, ...]]] = {
    JobStatus.DONE: {
        JobStatus.OPEN: (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.DONE),
        JobStatus.SCHEDULED: (JobStatus.IN_PROGRESS, JobStatus.DONE),
        JobStatus.IN_PROGRESS: (JobStatus.DONE,),
    },
    JobStatus.BLOCKED: {
        JobStatus.OPEN: (JobStatus.SCHEDULED, JobStatus.BLOCKED),
        JobStatus.SCHEDULED: (JobStatus.BLOCKED,),
        JobStatus.IN_PROGRESS: (JobStatus.BLOCKED,),
    },
}


def record_outcome(
    session: Session,
    principal: Principal,
    command: RecordVisitOutcome,
    *,
    osm: OsmSettings | None = None,
    now: datetime | None = None,
) -> VisitInfo:
    """Record how a visit ended and move its home, apartment, job and appointment on.

    ``osm``: where the street graphs are, to list new windows in a missed-visit message
    (``None``: the message carries the link alone).

    Raises
    ------
    PermissionDeniedError
        For contractors.
    NotFoundError
        When the visit does not exist, lies outside the planner's region, or is another
        crew's.
    ConflictError
        When the visit's outcome is already recorded or ``command.version`` is stale.
    IllegalTransitionError
        When the visit's job was cancelled or finished meanwhile.
    """
    with transaction(session):
        visit = get_recordable_visit(session, principal, command.visit_id, action="record visits")
        if command.version is not None:
            check_version(visit, command.version, what="campaign visit")
        if visit.outcome is not None:
            raise ConflictError(f"visit {visit.id} already ended {visit.outcome}")
        home = _locked_home(session, visit.campaign_home_id)
        campaign = session.get_one(m.Campaign, home.campaign_id)
        visit.outcome = command.outcome.value
        visit.started_at = to_db_utc(command.started_at)
        visit.ended_at = to_db_utc(command.ended_at)
        visit.recorded_at = now or datetime.now(UTC)
        visit.notes = command.notes
        _update_home(home, visit, campaign, command)
        _update_apartment(session, home.apartment_id, command.outcome)
        _update_job(session, visit, command.outcome)
        _tell_tenant(session, visit, home, command.outcome, osm=osm, now=visit.recorded_at)
        save(session, home)
        _complete_if_finished(session, campaign, home)
        if visit.job_id is not None:
            jobs_changed(session, campaign.region_id, [visit.job_id])
        return visit_info(save(session, visit))


#: What the tenant is told when a visit ends so (other outcomes tell nobody).
TENANT_MESSAGES = {
    VisitOutcome.DONE: NotificationKind.COMPLETION,
    VisitOutcome.NO_SHOW: NotificationKind.MISSED_VISIT,
    VisitOutcome.NO_ACCESS: NotificationKind.MISSED_VISIT,
}


def _tell_tenant(
    session: Session,
    visit: m.CampaignVisit,
    home: m.CampaignHome,
    outcome: VisitOutcome,
    *,
    osm: OsmSettings | None,
    now: datetime,
) -> None:
    """Queue the completion or missed-visit message (with new offers, or escalated)."""
    kind = TENANT_MESSAGES.get(outcome)
    if kind is not NotificationKind.MISSED_VISIT:
        if kind is not None:
            tell_visit(session, visit, kind)
        return
    if home.state == HomeState.ESCALATED.value:
        tell_visit(session, visit, kind, escalated=True)
        return
    offers: tuple[tuple[datetime, datetime], ...] = ()
    if osm is not None:
        session.flush()  # the crews' days must see the failed visit's job closed
        try:
            offers = missed_visit_offers(session, home, osm=osm, now=now)
        except SitecrewError as error:  # the link still lets the tenant choose
            LOGGER.warning("visit %s: no offers for the missed-visit message: %s", visit.id, error)
    tell_visit(session, visit, kind, offers=offers)


def _locked_home(session: Session, home_id: int) -> m.CampaignHome:
    """Lock the home's campaign, then read the home afresh (see scoping.get_campaign_row)."""
    campaign_id = session.scalar(
        select(m.CampaignHome.campaign_id).where(m.CampaignHome.id == home_id)
    )
    session.execute(select(m.Campaign.id).where(m.Campaign.id == campaign_id).with_for_update())
    query = select(m.CampaignHome).where(m.CampaignHome.id == home_id)
    return session.scalars(query.execution_options(populate_existing=True)).one()


def _update_home(
    home: m.CampaignHome,
    visit: m.CampaignVisit,
    campaign: m.Campaign,
    command: RecordVisitOutcome,
) -> None:
    home.attempts += 1
    home.last_outcome = command.outcome.value
    if not command.outcome.failed:
        home.state = HomeState.DONE.value
        home.confirmed = False
        return
    home.failed_attempts += 1
    home.confirmed = False
    if home.failed_attempts >= campaign.max_failed_attempts:
        home.state = HomeState.ESCALATED.value
        return
    home.state = HomeState.PENDING.value
    home.day = home.crew_id = home.window_start = home.window_end = home.visit_order = None
    home.earliest_on = visit.day + timedelta(days=command.revisit_after_days)


def _update_apartment(session: Session, apartment_id: int, outcome: VisitOutcome) -> None:
    status = APARTMENT_STATUS.get(outcome)
    if status is None:
        return
    apartment = session.get_one(m.Apartment, apartment_id)
    apartment.installation_status = status.value


def _update_job(session: Session, visit: m.CampaignVisit, outcome: VisitOutcome) -> None:
    if visit.job_id is None:
        return
    job = session.get_one(m.Job, visit.job_id)
    target = JobStatus.BLOCKED if outcome.failed else JobStatus.DONE
    current = JobStatus(job.status)
    for step in _JOB_PATHS[target].get(current, (target,)):
        check_transition(current, step)
        current = step
    job.status = current.value
    if outcome.failed:
        job.notes = f"{job.notes or ''} (visit ended {outcome.value})".strip()
    appointment_status = (
        AppointmentStatus.NO_SHOW
        if outcome is VisitOutcome.NO_SHOW
        else AppointmentStatus.COMPLETED
    )
    query = select(m.Appointment).where(
        m.Appointment.job_id == job.id,
        m.Appointment.status.in_(
            (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)
        ),
    )
    for appointment in session.scalars(query):
        appointment.status = appointment_status.value


def _complete_if_finished(session: Session, campaign: m.Campaign, home: m.CampaignHome) -> None:
    """Mark the campaign completed once every home is done or escalated.

    Only an outcome that finished its home can finish the campaign, and one unfinished home
    is enough to say it is not (a crew records thousands of outcomes: no count of 22,000).
    """
    if home.state not in FINISHED_HOMES or campaign.status != CampaignStatus.ACTIVE.value:
        return
    session.flush()
    unfinished = session.scalar(
        select(m.CampaignHome.id)
        .where(
            m.CampaignHome.campaign_id == campaign.id,
            m.CampaignHome.state.not_in(FINISHED_HOMES),
        )
        .limit(1)
    )
    if unfinished is None:
        campaign.status = CampaignStatus.COMPLETED.value
