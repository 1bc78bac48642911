"""A campaign's day becomes work: jobs with appointment windows, and what the day plan left out.

:func:`materialise_day` turns the day's proposed and confirmed homes into jobs (one per home,
due that day, its duration from the campaign's service time model) with an appointment in the
home's window (confirmed when the tenant confirmed it) and a visit row per job. It is
idempotent: a home that already has an open visit gets no second job.

:func:`return_unfitted` hands back to the sweep what the day planner could not fit: the job and
its appointment are cancelled, the visit row goes (it never happened), and the home is pending
again from the next day. No home is lost between the sweep and the day plan.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.jobs import (
    DEFAULT_SKILLS,
    AppointmentStatus,
    JobKind,
    JobStatus,
    check_transition,
)
from sitecrew.domain.notifications import NotificationKind
from sitecrew.errors import ConflictError
from sitecrew.events import jobs_changed
from sitecrew.services._persist import save
from sitecrew.services.campaigns.commands import MaterialisedDay
from sitecrew.services.campaigns.plan import open_visit_homes
from sitecrew.services.campaigns.rows import visit_job_minutes
from sitecrew.services.notifications.campaign_messages import tell_home_window
from sitecrew.services.scoping import (
    get_campaign_row,
    get_changeable,
    require_changer,
    require_region_planner,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import MaterialiseDay, ReturnUnfitted

_DAY_STATES = (HomeState.PROPOSED.value, HomeState.CONFIRMED.value)


def materialise_day(
    session: Session, principal: Principal, command: MaterialiseDay
) -> MaterialisedDay:
    """Create the day's jobs, appointments and visits for homes that have none yet.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    ConflictError
        When the campaign is not active (plan it first; a finished one has no more days).
    """
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="materialise campaign days"
        )
        if campaign.status != CampaignStatus.ACTIVE.value:
            raise ConflictError(f"campaign {campaign.id} is {campaign.status}, not active")
        visited = open_visit_homes(session, campaign.id)
        query = select(m.CampaignHome).where(
            m.CampaignHome.campaign_id == campaign.id,
            m.CampaignHome.day == command.day,
            m.CampaignHome.state.in_(_DAY_STATES),
            m.CampaignHome.crew_id.is_not(None),
            m.CampaignHome.window_start.is_not(None),
        )
        homes = [
            h for h in session.scalars(query.order_by(m.CampaignHome.id)) if h.id not in visited
        ]
        created = [materialise_home(session, campaign, home) for home in homes]
        session.flush()
        jobs_changed(session, campaign.region_id, [job for _, job in created])
        return MaterialisedDay(
            campaign.id,
            command.day,
            tuple(visit for visit, _ in created),
            tuple(job for _, job in created),
        )


def materialise_home(
    session: Session, campaign: m.Campaign, home: m.CampaignHome
) -> tuple[int, int]:
    """Add the home's job, appointment and visit; return the visit's and the job's ids.

    Shared by the day's materialising and a tenant booking a time (``tenant_visits.book``), so
    a visit is the same rows whoever makes it.
    """
    kind = JobKind(campaign.job_kind)
    job = m.Job(
        region_id=campaign.region_id,
        kind=kind.value,
        apartment_id=home.apartment_id,
        duration_minutes=visit_job_minutes(campaign),
        required_skills=sorted(skill.value for skill in DEFAULT_SKILLS.get(kind, frozenset())),
        priority=3,
        due_on=home.day,
        status=JobStatus.OPEN.value,
        notes=f"campaign {campaign.name}, attempt {home.attempts + 1}",
    )
    session.add(job)
    session.flush()
    confirmed = home.state == HomeState.CONFIRMED.value
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=home.window_start,
            window_end=home.window_end,
            status=(AppointmentStatus.CONFIRMED if confirmed else AppointmentStatus.PROPOSED).value,
        )
    )
    visit = m.CampaignVisit(
        campaign_home_id=home.id,
        job_id=job.id,
        day=home.day,
        crew_id=home.crew_id,
        window_start=home.window_start,
        window_end=home.window_end,
        attempt=home.attempts + 1,
    )
    session.add(visit)
    session.flush()
    if not confirmed:  # the window becomes an appointment: the tenant is asked to confirm it
        tell_home_window(session, home, NotificationKind.PROPOSAL)
    return visit.id, job.id


def return_unfitted(session: Session, principal: Principal, command: ReturnUnfitted) -> int:
    """Put the homes whose jobs the day plan left out back in the sweep; return how many.

    Named by a run, the run's routes also tell who does the other visits: the day planner
    routes a campaign's jobs over all the day's crews, so a visit may land in another crew's
    route than the sweep chose. Such a visit (and its home) follows the routed crew: that crew
    records its outcome, and the next re-plan keeps the visit in that crew's day.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners (before anything is read).
    NotFoundError
        When the planning run does not exist or lies outside the planner's region.
    """
    with transaction(session):
        require_changer(principal, m.Campaign, action="return unfitted visits")
        job_ids = set(command.job_ids)
        if command.run_id is not None:
            run = get_changeable(
                session, principal, m.PlanningRun, command.run_id, action="return unfitted visits"
            )
            query = select(m.UnassignedJob.job_id).where(m.UnassignedJob.run_id == run.id)
            job_ids.update(session.scalars(query))
        visits = _open_visits_of(session, sorted(job_ids))
        if command.run_id is not None:
            _follow_routes(session, principal, command.run_id)
        returned: list[int] = []
        for visit, home, campaign in visits:
            require_region_planner(principal, campaign.region_id, action="return unfitted visits")
            get_campaign_row(session, principal, campaign.id, action="return unfitted visits")
            returned.extend(_give_back(session, visit, home))
        session.flush()
        regions = {campaign.region_id for _, _, campaign in visits}
        for region_id in regions:
            jobs_changed(session, region_id, returned)
        return len(returned)


def _follow_routes(session: Session, principal: Principal, run_id: int) -> None:
    """Give each open campaign visit in the run's routes the crew whose route holds it."""
    query = (
        select(m.Route.crew_id, m.CampaignVisit, m.CampaignHome)
        .join(m.RouteStop, m.RouteStop.route_id == m.Route.id)
        .join(m.CampaignVisit, m.CampaignVisit.job_id == m.RouteStop.job_id)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.Route.run_id == run_id, m.CampaignVisit.outcome.is_(None))
        .order_by(m.CampaignVisit.id)
    )
    checked: set[int] = set()
    for crew_id, visit, home in session.execute(query):
        if visit.crew_id == crew_id:
            continue
        if home.campaign_id not in checked:
            get_campaign_row(session, principal, home.campaign_id, action="follow day plans")
            checked.add(home.campaign_id)
        visit.crew_id = crew_id
        if home.day == visit.day:
            home.crew_id = crew_id
    session.flush()


def _open_visits_of(
    session: Session, job_ids: list[int]
) -> list[tuple[m.CampaignVisit, m.CampaignHome, m.Campaign]]:
    found: list[tuple[m.CampaignVisit, m.CampaignHome, m.Campaign]] = []
    for start in range(0, len(job_ids), 500):
        query = (
            select(m.CampaignVisit, m.CampaignHome, m.Campaign)
            .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
            .join(m.Campaign, m.Campaign.id == m.CampaignHome.campaign_id)
            .where(
                m.CampaignVisit.job_id.in_(job_ids[start : start + 500]),
                m.CampaignVisit.outcome.is_(None),
            )
            .order_by(m.CampaignVisit.id)
        )
        found.extend(session.execute(query).all())
    return found


def _give_back(session: Session, visit: m.CampaignVisit, home: m.CampaignHome) -> list[int]:
    """Cancel the visit's job and appointments, drop the visit, make the home pending."""
    job = session.get(m.Job, visit.job_id) if visit.job_id is not None else None
    changed: list[int] = []
    if job is not None and job.status in {JobStatus.OPEN.value, JobStatus.SCHEDULED.value}:
        check_transition(JobStatus(job.status), JobStatus.CANCELLED)
        job.status = JobStatus.CANCELLED.value
        job.notes = f"{job.notes or ''} (the day plan could not fit it; back to the campaign)"
        changed.append(job.id)
        for appointment in session.scalars(
            select(m.Appointment).where(m.Appointment.job_id == job.id)
        ):
            if appointment.status in {"proposed", "confirmed"}:
                appointment.status = AppointmentStatus.CANCELLED.value
    home.state = HomeState.PENDING.value
    home.confirmed = False
    home.day = home.crew_id = home.window_start = home.window_end = home.visit_order = None
    home.earliest_on = visit.day + timedelta(days=1)
    session.delete(visit)
    save(session, home)
    return changed
