"""A re-plan learns the campaign's service time model from the visits' recorded durations.

Issue #15 point 1: minutes per apartment and setup per entrance are "both learned from recorded
actual durations as the campaign runs". Builds on the campaign world of ``test_campaign_create``
with three visits a crew-day, so that the twenty homes spread over several days and stairwells.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from tests.services.test_campaign_create import ADMIN, START, build_campaign_world, new_campaign

from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState, VisitOutcome
from sitecrew.services.campaigns import (
    MaterialiseDay,
    PlanCampaign,
    RecordVisitOutcome,
    create_campaign,
    materialise_day,
    plan_campaign,
    record_outcome,
)
from sitecrew.services.campaigns.load import entrance_numbers, home_rows

PER_HOME, SETUP = 35, 12


@pytest.fixture
def world(session):
    return build_campaign_world(session)


def _homes(session, campaign_id: int) -> list[m.CampaignHome]:
    query = select(m.CampaignHome).where(m.CampaignHome.campaign_id == campaign_id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _utc(moment):
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _work_every_day(session, campaign_id: int, *, limit: int | None = None) -> tuple[int, int]:
    """Materialise the first days and record DONE visits (about ``limit`` of them).

    The first visit of a stairwell on a crew-day takes PER_HOME + SETUP minutes, the others
    PER_HOME. Return how many first and later visits were recorded.
    """
    homes = _homes(session, campaign_id)
    rows = home_rows(session, campaign_id, [state.value for state in HomeState])
    entrance = entrance_numbers(rows)
    building = {row.home_id: row.building_id for row in rows}
    made = 0
    for day in sorted({home.day for home in homes}):
        if limit is not None and made >= limit:
            break
        made += len(materialise_day(session, ADMIN, MaterialiseDay(campaign_id, day)).job_ids)
    visits = session.scalars(
        select(m.CampaignVisit, m.CampaignHome.visit_order)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign_id)
        .order_by(m.CampaignVisit.day, m.CampaignVisit.crew_id, m.CampaignHome.visit_order)
    ).all()
    seen: dict[tuple, int] = defaultdict(int)
    firsts = later = 0
    for visit in visits[:limit]:
        home_id = visit.campaign_home_id
        key = (visit.day, visit.crew_id, building[home_id], entrance[home_id])
        first = seen[key] == 0
        seen[key] += 1
        firsts, later = firsts + first, later + (not first)
        start = _utc(visit.window_start) + timedelta(minutes=5 * seen[key] * (PER_HOME + SETUP))
        minutes = PER_HOME + (SETUP if first else 0)
        record_outcome(
            session,
            ADMIN,
            RecordVisitOutcome(
                visit.id, VisitOutcome.DONE, start, start + timedelta(minutes=minutes)
            ),
        )
    return firsts, later


def test_a_re_plan_learns_minutes_per_home_and_setup_from_recorded_visits(session, world):
    """After the visits are timed, the campaign plans with 35 min a home and 12 min setup."""
    campaign = create_campaign(session, ADMIN, new_campaign(world, visits_per_crew_day=3))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    firsts, later = _work_every_day(session, campaign.id, limit=14)
    assert firsts >= 5, "enough first visits of a stairwell to learn the setup from"
    assert later >= 5, "enough later visits to learn the minutes per home from"

    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))

    row = session.scalars(
        select(m.Campaign)
        .where(m.Campaign.id == campaign.id)
        .execution_options(populate_existing=True)
    ).one()
    assert (row.minutes_per_home, row.setup_minutes_per_entrance) == (PER_HOME, SETUP)
    assert (summary.minutes_per_home, summary.setup_minutes_per_entrance) == (PER_HOME, SETUP)
    assert summary.timed_visits == firsts + later


def test_the_next_days_jobs_take_the_learned_minutes(session, world):
    """Jobs materialised after the re-plan last the learned minutes per home."""
    campaign = create_campaign(session, ADMIN, new_campaign(world, visits_per_crew_day=3))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    _work_every_day(session, campaign.id, limit=14)
    worked = max(session.scalars(select(m.CampaignVisit.day)))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, worked + timedelta(days=1)))
    later = [h.day for h in _homes(session, campaign.id) if h.day is not None and h.day > worked]
    assert later, "homes are left for the days after the timed ones"

    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, min(later)))

    durations = {session.get(m.Job, job_id).duration_minutes for job_id in made.job_ids}
    assert durations == {PER_HOME}


def test_too_few_timed_visits_keep_the_planners_numbers(session, world):
    """Four timed visits are not enough: the campaign keeps 30 min a home and 10 min setup."""
    campaign = create_campaign(session, ADMIN, new_campaign(world, visits_per_crew_day=3))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    _work_every_day(session, campaign.id, limit=4)

    summary = plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))

    assert (summary.minutes_per_home, summary.setup_minutes_per_entrance) == (30.0, 10.0)
    assert summary.timed_visits == 4
