"""A tenant confirms the proposed window or chooses an offered one: booked only if still offered.

Two tenants (or a tenant and a planner) may look at the same last place of a crew's day. So the
write asks the offers again inside its own transaction, after taking the region's booking turn
(:func:`sitecrew.services.appointments.booking.require_offered`, the same check a planner's
``bookAppointment`` makes): the second writer's question sees the first one's booking, and its
window is refused (``WINDOW_NOT_OFFERED``) rather than overbooking the day.

A booking makes the visit a job at once (with its confirmed appointment and visit row, as a
campaign day does when it is materialised), so the next question about that crew-day counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.jobs import AppointmentStatus, JobStatus
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.events import jobs_changed
from sitecrew.services._persist import save
from sitecrew.services.appointments.booking import not_offered, require_offered
from sitecrew.services.appointments.visit import visit_for_apartment
from sitecrew.services.campaigns.daily import materialise_home
from sitecrew.services.campaigns.plan import book_apartment
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.tenant_visits.calendar_facts import tell_calendar
from sitecrew.services.tenant_visits.home import (
    TenantHome,
    TenantVisit,
    changeable_home,
    visit_of,
)
from sitecrew.services.tenant_visits.read import offer_days, region_today

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.domain.offers import AppointmentOffer

_OPEN_JOBS = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)
_KEPT = (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)


@dataclass(frozen=True)
class ConfirmVisit:
    """The tenant confirms the proposed window (``version``: the home's, as last shown)."""

    version: int | None = None


@dataclass(frozen=True)
class ChooseTime:
    """The tenant takes the offered window starting at ``window_start`` (with its offset)."""

    window_start: datetime
    version: int | None = None

    def __post_init__(self) -> None:
        if self.window_start.utcoffset() is None:
            raise InvalidInputError("a window's start needs a time zone offset")


def confirm_tenant_visit(
    session: Session,
    principal: Principal,
    command: ConfirmVisit,
    *,
    osm: OsmSettings,
    now: datetime | None = None,
) -> TenantVisit:
    """Confirm the proposed window (confirmed already: no change).

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    ConflictError
        When ``version`` is stale, or there is no proposed window to confirm.
    WindowNotOfferedError
        When the proposed window cannot be made any more (choose an offered one).
    """
    moment = now or datetime.now(UTC)
    with transaction(session):
        found = changeable_home(session, principal, command.version, action="confirm a visit")
        home = found.home
        if home.state == HomeState.CONFIRMED.value:
            return visit_of(found)
        target = _proposed(home)
        visit = _open_visit(session, home.id)
        if visit is not None:  # a job already: the crew's day counts it
            _move(session, found, visit, target)
            return visit_of(found)
        offer = _still_offered(session, found, target[2], osm=osm, now=moment)
        return _book(session, found, offer)


def choose_tenant_time(
    session: Session,
    principal: Principal,
    command: ChooseTime,
    *,
    osm: OsmSettings,
    now: datetime | None = None,
) -> TenantVisit:
    """Book the visit in an offered window, confirmed.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    ConflictError
        When ``version`` is stale, or the visit is done, escalated or its campaign closed.
    WindowNotOfferedError
        When no crew can make the window (never offered, or taken meanwhile).
    """
    moment = now or datetime.now(UTC)
    with transaction(session):
        found = changeable_home(session, principal, command.version, action="choose a visit time")
        offer = _still_offered(session, found, command.window_start, osm=osm, now=moment)
        return _book(session, found, offer)


Target = tuple[date, int, datetime, datetime]


def _proposed(home: m.CampaignHome) -> Target:
    """Return the home's proposed day, crew and window (UTC)."""
    start, end = as_utc(home.window_start), as_utc(home.window_end)
    if home.state != HomeState.PROPOSED.value or None in (home.day, home.crew_id, start, end):
        raise ConflictError("there is no proposed time to confirm; choose one of the offers")
    return (home.day, home.crew_id, start, end)  # type: ignore[return-value]


def _still_offered(
    session: Session, found: TenantHome, start: datetime, *, osm: OsmSettings, now: datetime
) -> AppointmentOffer:
    """Return the offer of the grid window starting at ``start``, asked at write time."""
    days = offer_days(found, now)
    day = region_today(found.timezone, start)
    if days is None or not days[0] <= day <= days[1]:
        raise not_offered(start)
    region = get_region_or_raise(session, found.campaign.region_id)
    visit = visit_for_apartment(session, found.apartment, region.id)
    return require_offered(session, region, visit, (start, None), osm=osm, now=now)


def _book(session: Session, found: TenantHome, offer: AppointmentOffer) -> TenantVisit:
    home = found.home
    home.day, home.crew_id = offer.day, offer.crew_id
    home.window_start, home.window_end = offer.window_start, offer.window_end
    home.state = HomeState.CONFIRMED.value
    home.confirmed = True
    home.visit_order = None
    visit = _open_visit(session, home.id)
    if visit is None:
        save(session, home)
        _, job_id = materialise_home(session, found.campaign, home)
        book_apartment(session, home.apartment_id)
        tell_calendar(session, found, home)
        jobs_changed(session, found.campaign.region_id, [job_id])
        save(session, home)
        return visit_of(found)
    target = (offer.day, offer.crew_id, offer.window_start, offer.window_end)
    _move(session, found, visit, target)
    return visit_of(found)


def _move(
    session: Session,
    found: TenantHome,
    visit: m.CampaignVisit,
    target: Target,
) -> None:
    """Move the home's open visit (its job and appointment) to ``target``, confirmed."""
    day, crew_id, start, end = target
    home = found.home
    home.state, home.confirmed = HomeState.CONFIRMED.value, True
    visit.day, visit.crew_id, visit.window_start, visit.window_end = day, crew_id, start, end
    job = session.get(m.Job, visit.job_id) if visit.job_id is not None else None
    if job is not None and job.status in _OPEN_JOBS:
        job.due_on = day
        for appointment in session.scalars(
            select(m.Appointment).where(
                m.Appointment.job_id == job.id, m.Appointment.status.in_(_KEPT)
            )
        ):
            appointment.window_start, appointment.window_end = start, end
            appointment.status = AppointmentStatus.CONFIRMED.value
        jobs_changed(session, found.campaign.region_id, [job.id])
    book_apartment(session, home.apartment_id)
    tell_calendar(session, found, home)
    save(session, home)


def _open_visit(session: Session, home_id: int) -> m.CampaignVisit | None:
    return session.scalar(
        select(m.CampaignVisit)
        .where(m.CampaignVisit.campaign_home_id == home_id, m.CampaignVisit.outcome.is_(None))
        .order_by(m.CampaignVisit.id.desc())
        .limit(1)
        .with_for_update()
    )
