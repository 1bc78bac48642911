"""Planning a campaign's sweep: owners, calendars, and what re-planning keeps.

Runs the real sweep (:func:`sitecrew.campaigns.sweep.plan_sweep`) on the small campaign world of
``test_campaign_create``: the housing company's crew works only once its second member is
trained (13 May) and not on Ascension Day; the contractor's crew alone serves the east.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.services.test_campaign_create import (
    ADMIN,
    ASCENSION,
    START,
    TRAINED_ON,
    build_campaign_world,
    counts,
    home_states,
    new_campaign,
)

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.calendars import Absence
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.crews import AbsenceKind
from sitecrew.errors import ConflictError, NotFoundError, PermissionDeniedError
from sitecrew.services import crew_calendars
from sitecrew.services.campaigns import (
    ConfirmVisitWindow,
    PlanCampaign,
    confirm_visit_window,
    create_campaign,
    plan_campaign,
)


@pytest.fixture
def world(session):
    return build_campaign_world(session)


@pytest.fixture
def campaign(session, world):
    return create_campaign(session, ADMIN, new_campaign(world))


def _homes(session, campaign_id: int) -> list[m.CampaignHome]:
    query = select(m.CampaignHome).where(m.CampaignHome.campaign_id == campaign_id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def test_every_home_gets_a_day_crew_and_window_and_the_campaign_becomes_active(
    session, world, campaign
):
    """All 20 homes are proposed with a two-hour window on a day between start and deadline."""
    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))

    assert summary.placed == 20
    assert summary.unplaced == {}
    assert START <= summary.first_day <= summary.last_day
    assert session.get(m.Campaign, campaign.id).status == CampaignStatus.ACTIVE.value
    for home in _homes(session, campaign.id):
        assert home.state == HomeState.PROPOSED.value
        assert home.crew_id in {world.own_crew_id, world.contractor_crew_id}
        assert home.day is not None
        assert home.visit_order is not None
        assert home.window_end - home.window_start == timedelta(minutes=120)


def test_contractor_districts_go_only_to_the_contractors_crew(session, world, campaign):
    """East (bound to the contractor) is the contractor crew's; west is the housing crew's."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    east = set(world.apartments[world.buildings[2]])
    for home in _homes(session, campaign.id):
        expected = world.contractor_crew_id if home.apartment_id in east else world.own_crew_id
        assert home.crew_id == expected, home.apartment_id


def test_no_visit_falls_on_a_day_off(session, world, campaign):
    """No weekend, no public holiday, no training day, no absence day carries a visit."""
    absent = date(2026, 5, 15)  # the lead is sick on Friday: the crew is below its minimum
    crew_calendars.add_absence(
        session, ADMIN, Absence(world.lead_id, AbsenceKind.SICK, absent, absent)
    )
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    days = {(home.crew_id, home.day) for home in _homes(session, campaign.id)}
    for crew_id, day in days:
        assert day.weekday() < 5, day
        assert day != ASCENSION
        if crew_id == world.own_crew_id:
            assert day >= TRAINED_ON, "before its second member is trained"
            assert day != absent


def test_confirmed_windows_stay_put_on_a_re_plan_and_move_only_when_told(session, world, campaign):
    """A confirmed window survives a re-plan even when its crew no longer works that day."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    home = next(h for h in _homes(session, campaign.id) if h.crew_id == world.own_crew_id)
    confirmed = confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    assert confirmed.state is HomeState.CONFIRMED
    apartment = session.get(m.Apartment, home.apartment_id)
    assert apartment.installation_status == "booked"
    day, window = confirmed.day, confirmed.window_start
    crew_calendars.add_absence(session, ADMIN, Absence(world.lead_id, AbsenceKind.SICK, day, day))

    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    kept = home_states(session, campaign.id)[home.apartment_id]
    assert kept[:4] == (HomeState.CONFIRMED.value, day, world.own_crew_id, kept[3])
    assert kept[3].replace(tzinfo=None) == window.replace(tzinfo=None)
    assert summary.kept == 1
    others = [h for h in _homes(session, campaign.id) if h.id != home.id]
    assert all(not (h.day == day and h.crew_id == world.own_crew_id) for h in others)

    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START, move_confirmed=True))
    moved = home_states(session, campaign.id)[home.apartment_id]
    assert moved[0] == HomeState.PROPOSED.value
    assert moved[1] != day


def test_a_re_plan_from_a_later_day_leaves_earlier_days_to_the_past(session, world, campaign):
    """Homes proposed before the new first day are planned again from it."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    later = date(2026, 5, 20)
    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, later))
    assert summary.placed == 20
    assert all(home.day >= later for home in _homes(session, campaign.id))


def test_confirming_needs_a_proposed_window_and_is_idempotent(session, world, campaign):
    """A pending home has nothing to confirm; confirming twice changes nothing the second time."""
    home = _homes(session, campaign.id)[0]
    before = counts(session)
    with pytest.raises(ConflictError, match="no window to confirm"):
        confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    assert counts(session) == before
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    first = confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    again = confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    assert again == first
    with pytest.raises(ConflictError, match="version"):
        confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id, version=1))


def test_only_the_regions_planners_plan(session, world, campaign):
    """Planners of other regions do not find the campaign; crews and contractors may not plan."""
    before = home_states(session, campaign.id)
    with pytest.raises(NotFoundError):
        plan_campaign(
            session,
            Principal(Role.PLANNER, region_id=world.other_region_id),
            PlanCampaign(campaign.id, START),
        )
    with pytest.raises(PermissionDeniedError):
        plan_campaign(
            session,
            Principal(Role.CREW, crew_id=world.own_crew_id),
            PlanCampaign(campaign.id, START),
        )
    assert home_states(session, campaign.id) == before
    planner = Principal(Role.PLANNER, region_id=world.region_id)
    assert plan_campaign(session, planner, PlanCampaign(campaign.id, START)).placed == 20


def test_a_crew_missing_from_the_campaign_leaves_its_homes_pending_with_a_reason(session, world):
    """Without the contractor's crew, the east's homes are unplaced and stay pending."""
    created = create_campaign(session, ADMIN, new_campaign(world, crew_ids=(world.own_crew_id,)))
    summary = plan_campaign(session, ADMIN, PlanCampaign(created.id, START))
    east = set(world.apartments[world.buildings[2]])
    assert summary.placed == 14
    assert summary.unplaced_total == len(east)
    states = home_states(session, created.id)
    assert {states[a][0] for a in east} == {HomeState.PENDING.value}
    assert all(states[a][1] is None for a in east)
