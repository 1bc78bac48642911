"""A tenant's visit end to end (#16), on both backends, with a real SMTP server.

The tenant world (``tests.services.tenant_world``): two flats of the east building proposed for
Tuesday 08-10 with the contractor's crew. The proposal is mailed (it arrives at the local
aiosmtpd server of ``test_notifications``) with the tenant's link; the tenant opens it,
confirms, then picks another offered window: the calendar file changes (same UID, next
SEQUENCE, new start) and the re-planned, published route moves the stop into the new window.
The day-before reminder and, when the crew starts the neighbour's visit just before, the
on-the-way message are mailed too. A no-show writes the missed-visit message to the tenant,
and the apartment is offered new windows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world
from tests.services.test_notifications import (  # the outbox tests' own fixtures
    _drain,
    _settings,
    sessions_fixture,  # noqa: F401 (fixture sessions)
    smtp_fixture,  # noqa: F401 (fixture smtp)
)

from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState, VisitOutcome
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import JobStatus
from sitecrew.domain.offers import OfferQuery
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.campaigns import RecordVisitOutcome, record_outcome
from sitecrew.services.jobs import change_job_status
from sitecrew.services.notifications import TellDays, tell_proposals, tell_reminders
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import (
    ChooseTime,
    ConfirmVisit,
    choose_tenant_time,
    confirm_tenant_visit,
)
from sitecrew.services.tenant_visits.calendar import tenant_calendar
from sitecrew.services.tenant_visits.read import tenant_offers

EMAIL = "tenant.zero@example.org"
PLAN = PlanOptions(seed=1, time_limit_s=None, max_iterations=300, publish=True)
_URL = re.compile(r"https://visit\.example/t/(\S+)")


@pytest.fixture
def world(session):
    world = build_tenant_world(session)
    flat = session.get(m.Apartment, world.flats[0])
    flat.tenant_email, flat.tenant_language = EMAIL, "en"
    neighbour = session.get(m.CampaignHome, world.homes[1])  # also proposed Tuesday 08-10
    neighbour.state, neighbour.day, neighbour.crew_id = (
        HomeState.PROPOSED.value,
        TUESDAY,
        world.crew_id,
    )
    neighbour.window_start, neighbour.window_end = local(TUESDAY, 8), local(TUESDAY, 10)
    session.flush()
    return world


def test_proposal_link_new_window_route_reminder_on_the_way_and_no_show(
    session, world, sessions, smtp, planning_osm
):
    now = datetime.now(UTC)
    settings = _settings(smtp)

    # The proposal arrives by mail with the tenant's link.
    assert tell_proposals(session, ADMIN, TellDays(TUESDAY, campaign_id=world.campaign_id)) >= 1
    _drain(sessions, settings, links=LINKS)
    (proposal,) = smtp.box.mails
    assert smtp.box.recipients == [[EMAIL]]
    (token,) = _URL.findall(proposal.get_content())

    # The tenant opens the link and confirms; the neighbour confirms through its own link.
    tenant = authenticate_link(session, LINKS.secret, token).principal
    confirm_tenant_visit(session, tenant, ConfirmVisit(), osm=planning_osm, now=now)
    confirm_tenant_visit(session, _neighbour(session, world), ConfirmVisit(), osm=planning_osm)
    first_ics = _event(tenant_calendar(session, tenant))
    plan_day(session, region=world.offers.region_id, day=TUESDAY, osm=planning_osm, options=PLAN)
    job_id, neighbour_job = _job(session, world.homes[0]), _job(session, world.homes[1])
    assert local(TUESDAY, 8) < _planned_end(session, job_id) <= local(TUESDAY, 10)

    # The tenant picks another offer: 10-12 the same day.
    offers = tenant_offers(session, tenant, osm=planning_osm, limit=50, now=now)
    other = next(o for o in offers if o.window_start == local(TUESDAY, 10))
    choose_tenant_time(session, tenant, ChooseTime(other.window_start), osm=planning_osm, now=now)
    moved_ics = _event(tenant_calendar(session, tenant))
    assert moved_ics["UID"] == first_ics["UID"]
    assert int(moved_ics["SEQUENCE"]) == int(first_ics["SEQUENCE"]) + 1
    assert moved_ics.decoded("DTSTART") == local(TUESDAY, 10) != first_ics.decoded("DTSTART")

    # The day is planned again: the published route moves the stop into the new window.
    plan_day(session, region=world.offers.region_id, day=TUESDAY, osm=planning_osm, options=PLAN)
    assert local(TUESDAY, 10) < _planned_end(session, job_id) <= local(TUESDAY, 12)
    assert _planned_end(session, neighbour_job) < _planned_end(session, job_id)

    # The reminder, then "on the way" when the crew starts the neighbour's visit.
    tell_reminders(session, ADMIN, TellDays(TUESDAY, campaign_id=world.campaign_id))
    started = ChangeJobStatus(
        neighbour_job, JobStatus.IN_PROGRESS, _version(session, neighbour_job)
    )
    change_job_status(session, ADMIN, started)
    _drain(sessions, settings, links=LINKS)
    kinds = _kinds(session, world.flats[0])
    assert {"proposal", "confirmation", "reminder", "on_the_way"} <= set(kinds)
    assert all(r == [EMAIL] for r in smtp.box.recipients)
    assert len(smtp.box.mails) == len([k for k in kinds if k != "missed_visit"])

    # A no-show: the tenant hears of the missed visit, and new windows are offered.
    visit_id = session.scalar(
        select(m.CampaignVisit.id).where(m.CampaignVisit.campaign_home_id == world.homes[0])
    )
    came = local(TUESDAY, 10)
    missed = RecordVisitOutcome(visit_id, VisitOutcome.NO_SHOW, came, came + timedelta(minutes=5))
    record_outcome(session, ADMIN, missed, osm=planning_osm, now=now)
    assert "missed_visit" in _kinds(session, world.flats[0])
    sent_before = len(smtp.box.mails)
    _drain(sessions, settings, links=LINKS)
    assert len(smtp.box.mails) == sent_before + 1
    query = OfferQuery(world.flats[0], TUESDAY, TUESDAY + timedelta(days=13), limit=10)
    again = appointment_offers(session, ADMIN, query, osm=planning_osm, now=now)
    assert again
    assert all(o.window_start >= now for o in again)


def _neighbour(session, world):
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[1],)),
        links=LINKS,
        actor="test",
    )
    return authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal


def _job(session, home_id: int) -> int:
    return session.scalar(
        select(m.CampaignVisit.job_id).where(m.CampaignVisit.campaign_home_id == home_id)
    )


def _version(session, job_id: int) -> int:
    return session.get(m.Job, job_id, populate_existing=True).version


def _planned_end(session, job_id: int) -> datetime:
    """When the stop's work ends on the day's published route (UTC)."""
    start = session.scalar(
        select(m.RouteStop.departure_at)
        .join(m.Route, m.Route.id == m.RouteStop.route_id)
        .where(m.RouteStop.job_id == job_id, m.Route.status == "published")
        .order_by(m.Route.id.desc())
        .limit(1)
    )
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start


def _kinds(session, apartment_id: int) -> list[str]:
    query = (
        select(m.Notification.kind)
        .where(m.Notification.apartment_id == apartment_id)
        .order_by(m.Notification.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def _event(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event
