"""A re-plan that moves a window a tenant was told: the tenant hears of it, the calendar follows.

Confirmed windows stay put on a re-plan unless the planner says so, or unless their day passed
without a visit. When one does move, the tenant's calendar entry for the old window becomes a
cancellation and the new window goes out as a proposal, in the plan's own transaction.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world

from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState
from sitecrew.services.campaigns import (
    ConfirmVisitWindow,
    PlanCampaign,
    confirm_visit_window,
    plan_campaign,
)
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.calendar import tenant_calendar


def _confirmed_with_calendar(session, world):
    """Confirm flat 0's Tuesday 08-10 window and give its tenant's calendar that entry."""
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(world.homes[0]))
    [issued] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[0],)),
        links=LINKS,
        actor="test",
    )
    link = session.scalar(select(m.TenantLink).where(m.TenantLink.apartment_id == world.flats[0]))
    link.calendar_start, link.calendar_end = local(TUESDAY, 8), local(TUESDAY, 10)
    link.calendar_sequence = 1
    session.flush()
    return authenticate_link(session, LINKS.secret, issued.url.rpartition("/t/")[2]).principal


def _told(session, world) -> list[str]:
    query = (
        select(m.Notification.kind)
        .where(m.Notification.apartment_id == world.flats[0])
        .order_by(m.Notification.id)
    )
    return list(session.scalars(query))


def test_a_re_plan_keeps_a_confirmed_window_and_tells_nobody(session):
    world = build_tenant_world(session)
    _confirmed_with_calendar(session, world)
    plan_campaign(session, ADMIN, PlanCampaign(world.campaign_id, TUESDAY - timedelta(days=1)))
    home = session.get(m.CampaignHome, world.homes[0])
    session.refresh(home)
    assert (home.state, home.day) == (HomeState.CONFIRMED.value, TUESDAY)
    assert _told(session, world) == ["confirmation"]
    link = session.scalar(select(m.TenantLink).where(m.TenantLink.apartment_id == world.flats[0]))
    assert (link.calendar_cancelled, link.calendar_sequence) == (False, 1)


def test_a_confirmed_window_that_moves_is_proposed_anew_and_leaves_the_calendar(session):
    """Its day passed without a visit: the plan from Wednesday must place it again."""
    world = build_tenant_world(session)
    tenant = _confirmed_with_calendar(session, world)
    wednesday = TUESDAY + timedelta(days=1)

    plan_campaign(session, ADMIN, PlanCampaign(world.campaign_id, wednesday))

    home = session.get(m.CampaignHome, world.homes[0])
    session.refresh(home)
    assert home.state == HomeState.PROPOSED.value
    assert home.day >= wednesday
    assert _told(session, world) == ["confirmation", "proposal"]
    proposal = session.scalar(
        select(m.Notification).where(
            m.Notification.apartment_id == world.flats[0], m.Notification.kind == "proposal"
        )
    )
    assert str(home.day.day) in proposal.body  # the new day, not the old Tuesday
    ics = Calendar.from_ical(tenant_calendar(session, tenant))
    [event] = ics.walk("VEVENT")
    assert (str(ics["METHOD"]), event["STATUS"], int(event["SEQUENCE"])) == (
        "CANCEL",
        "CANCELLED",
        2,
    )
    assert event.decoded("DTSTART") == local(TUESDAY, 8)  # the entry that no longer holds


def test_moving_confirmed_windows_on_purpose_tells_the_tenant_and_nobody_else(session):
    """From Monday the sweep starts the stairwell on Monday: flat 0 moves there from Tuesday."""
    world = build_tenant_world(session)
    _confirmed_with_calendar(session, world)
    monday = TUESDAY - timedelta(days=1)

    plan_campaign(session, ADMIN, PlanCampaign(world.campaign_id, monday, move_confirmed=True))

    home = session.get(m.CampaignHome, world.homes[0])
    session.refresh(home)
    assert (home.state, home.day) == (HomeState.PROPOSED.value, monday)
    assert _told(session, world) == ["confirmation", "proposal"]
    others = session.scalars(
        select(m.Notification.kind).where(m.Notification.apartment_id != world.flats[0])
    ).all()
    assert others == []  # homes that were only ever proposed were told nothing yet
    link = session.scalar(select(m.TenantLink).where(m.TenantLink.apartment_id == world.flats[0]))
    assert (link.calendar_cancelled, link.calendar_sequence) == (True, 2)
