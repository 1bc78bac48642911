"""A campaign packs its crew-days by a day budget learned from the routes the planner made.

Minutes off the door are the crews' lunch plus the drive out of the depot and back; a change of
building costs what the published routes of the campaign's past days travelled between two of its
stops. Without such routes the defaults stand (15 minutes each way, 4 per building change).
Builds on the campaign world of ``test_campaign_create``, with a street of small two-flat houses
added to the west so that building changes weigh in a crew-day.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import select
from tests.services.test_campaign_create import (
    ADMIN,
    START,
    CampaignWorld,
    build_campaign_world,
    new_campaign,
)

from sitecrew.campaigns.sweep import plan_sweep
from sitecrew.db import models as m
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.campaigns import HomeState, SweepSettings
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState
from sitecrew.services import buildings
from sitecrew.services.campaigns import (
    MaterialiseDay,
    PlanCampaign,
    create_campaign,
    materialise_day,
    plan_campaign,
)
from sitecrew.services.campaigns.budget import learn_day_budget
from sitecrew.services.campaigns.load import entrance_numbers, home_rows, sweep_crews, sweep_home
from sitecrew.services.campaigns.plan import sweep_settings

#: What the test routes travel: between two houses, inside one, and to or from the depot.
CHANGE_SECONDS, SAME_HOUSE_SECONDS, DEPOT_SECONDS = 150, 20, 6 * 60
LONG_LUNCH = 45


@pytest.fixture
def world(session) -> CampaignWorld:
    built = build_campaign_world(session)
    for n in range(24):  # two-flat houses along a west street
        point = Point(10.7305 + 0.0004 * n, 59.925)
        house = buildings.create_building(
            session,
            Building(
                built.region_id,
                point,
                address=f"Småhusveien {n + 1}",
                levels=2,
                entrances=(point,),
                district_id=built.west_id,
            ),
        )
        for unit in ("H0101", "H0201"):
            buildings.create_apartment(session, Apartment(house.id or 0, unit, 1))
    session.get(m.Crew, built.own_crew_id).lunch_minutes = LONG_LUNCH
    session.flush()
    return built


@pytest.fixture
def campaign(session, world):
    command = new_campaign(world, visits_per_crew_day=40, minutes_per_home=15.0)
    return session.get(m.Campaign, create_campaign(session, ADMIN, command).id)


def _publish_routes(session, campaign_id: int, days: int) -> int:
    """Materialise the first ``days`` planned days and publish a route per crew-day for them.

    Stops follow the plan's order; legs travel CHANGE_SECONDS between houses, SAME_HOUSE_SECONDS
    inside one and DEPOT_SECONDS out and back, with a lunch break (no travel) after the third.
    Return how many building changes the routes hold.
    """
    planned = session.scalars(
        select(m.CampaignHome.day).where(m.CampaignHome.campaign_id == campaign_id).distinct()
    )
    for day in sorted(d for d in planned if d is not None)[:days]:
        materialise_day(session, ADMIN, MaterialiseDay(campaign_id, day))
    query = (
        select(m.CampaignVisit, m.Apartment.building_id)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .join(m.Apartment, m.Apartment.id == m.CampaignHome.apartment_id)
        .where(m.CampaignHome.campaign_id == campaign_id)
        .order_by(m.CampaignVisit.day, m.CampaignVisit.crew_id, m.CampaignHome.visit_order)
    )
    grouped: dict[tuple, list[tuple[int, int]]] = {}
    for visit, building_id in session.execute(query):
        grouped.setdefault((visit.crew_id, visit.day), []).append((visit.job_id, building_id))
    changes = 0
    for (crew_id, day), stops in grouped.items():
        route = m.Route(crew_id=crew_id, service_date=day, status=RouteState.PUBLISHED.value)
        session.add(route)
        session.flush()
        legs = [(StopKind.START, None, 0)]
        for n, (job_id, building_id) in enumerate(stops):
            same = n > 0 and stops[n - 1][1] == building_id
            changes += n > 0 and not same
            travel = DEPOT_SECONDS if n == 0 else SAME_HOUSE_SECONDS if same else CHANGE_SECONDS
            legs.append((StopKind.JOB, job_id, travel))
            if n == 2:
                legs.append((StopKind.BREAK, None, 0))
        legs.append((StopKind.END, None, DEPOT_SECONDS))
        moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8)
        for sequence, (kind, job_id, travel) in enumerate(legs):
            session.add(
                m.RouteStop(
                    route_id=route.id,
                    sequence=sequence,
                    kind=kind.value,
                    job_id=job_id,
                    arrival_at=moment,
                    departure_at=moment,
                    travel_seconds=travel,
                )
            )
    session.flush()
    return changes


def _homes_per_crew_day(session, campaign: m.Campaign, settings: SweepSettings) -> float:
    """Run the sweep on the campaign's homes: all placed; homes per full crew-day.

    A crew's last day holds only what is left over, so it does not count.
    """
    rows = home_rows(session, campaign.id, [state.value for state in HomeState])
    entrances = entrance_numbers(rows)
    homes = [sweep_home(row, entrances[row.home_id], campaign.minutes_per_home) for row in rows]
    days = [START + timedelta(days=n) for n in range((campaign.deadline_on - START).days + 1)]
    plan = plan_sweep(homes, sweep_crews(session, campaign, days), settings)
    assert plan.unplaced == {}
    crew_days = Counter((visit.crew_id, visit.day) for visit in plan.visits)
    last = dict(sorted(crew_days))
    full = [n for (crew_id, day), n in crew_days.items() if last[crew_id] != day]
    return sum(full) / len(full)


def test_without_routes_the_defaults_stand_and_lunch_is_the_crews(session, campaign):
    """No published route yet: 15 minutes each way, 4 per building change, the longest lunch."""
    budget = learn_day_budget(session, campaign)

    assert budget.lunch_minutes == LONG_LUNCH
    assert budget.depot_minutes == 15.0
    assert budget.minutes_between_buildings == 4.0
    assert budget.minutes_off_per_day == LONG_LUNCH + 30
    assert budget.observations == 0

    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    assert (summary.minutes_off_per_day, summary.minutes_between_buildings) == (75.0, 4.0)
    assert summary.routed_legs == 0


def test_published_campaign_routes_teach_the_building_change_and_depot_minutes(session, campaign):
    """Medians of the routed legs replace the defaults; a lunch break on the way is no leg."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    changes = _publish_routes(session, campaign.id, days=3)
    assert changes >= 5
    after = max(session.scalars(select(m.Route.service_date))) + timedelta(days=1)

    budget = learn_day_budget(session, campaign, before=after)
    assert budget.minutes_between_buildings == CHANGE_SECONDS / 60
    assert budget.depot_minutes == DEPOT_SECONDS / 60
    assert budget.building_changes == changes
    assert budget.depot_legs >= 4
    assert budget.minutes_off_per_day == LONG_LUNCH + 2 * DEPOT_SECONDS / 60

    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, after))
    assert summary.minutes_between_buildings == CHANGE_SECONDS / 60
    assert summary.routed_legs == budget.observations


def test_routes_of_the_plans_own_days_or_not_published_teach_nothing(session, campaign):
    """Only published routes of days before the plan's first day count."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    _publish_routes(session, campaign.id, days=3)

    assert learn_day_budget(session, campaign, before=START).observations == 0
    for route in session.scalars(select(m.Route)):
        route.status = RouteState.DRAFT.value
    session.flush()
    assert learn_day_budget(session, campaign).observations == 0


def test_the_learned_budget_packs_more_homes_into_a_crew_day_than_the_old_flat_one(
    session, campaign
):
    """Same homes, same crews: 60 minutes off and 8 per building change fill days more loosely."""
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    _publish_routes(session, campaign.id, days=3)
    old = SweepSettings(
        start=START,
        deadline=campaign.deadline_on,
        setup_minutes_per_entrance=campaign.setup_minutes_per_entrance,
        revisit_share=campaign.revisit_share,
        window_minutes=campaign.window_minutes,
    )
    learned = sweep_settings(campaign, START, learn_day_budget(session, campaign))

    assert _homes_per_crew_day(session, campaign, learned) > _homes_per_crew_day(
        session, campaign, old
    )
