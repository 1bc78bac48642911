"""Forecasting a campaign's finish from its history: the issue's "forecast from a known history"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sitecrew.campaigns.burndown import HomeFacts
from sitecrew.campaigns.forecast import (
    BuildingRisk,
    CapacityDay,
    ForecastBasis,
    RiskReason,
    buildings_at_risk,
    forecast_completion,
    observed_rates,
)
from sitecrew.domain.campaigns import HomeState, VisitOutcome, VisitRecord

MONDAY = date(2025, 3, 3)
FUTURE = date(2025, 4, 7)  # a Monday


def weekdays(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def history(outputs: list[int], *, failed_every: int = 0, crews: int = 2) -> list[VisitRecord]:
    """One crew-day per entry of ``outputs`` (visits that day), crews taking turns on weekdays.

    Every ``failed_every``-th visit overall fails (no-show), the rest are done.
    """
    records: list[VisitRecord] = []
    for index, visits in enumerate(outputs):
        day = weekdays(MONDAY, len(outputs))[index // crews]
        for _ in range(visits):
            failed = failed_every and (len(records) + 1) % failed_every == 0
            outcome = VisitOutcome.NO_SHOW if failed else VisitOutcome.DONE
            records.append(VisitRecord(day=day, crew_id=index % crews + 1, outcome=outcome))
    return records


def capacity(days: int, crews: int = 2) -> list[CapacityDay]:
    return [
        CapacityDay(day, crew) for day in weekdays(FUTURE, days) for crew in range(1, crews + 1)
    ]


def test_a_steady_history_finishes_exactly_when_the_arithmetic_says():
    """10 crew-days of exactly 8 visits, none failed; 160 homes; 2 crews: 16 a day, 10 days."""
    forecast = forecast_completion(
        160, history([8] * 10), capacity(30), planned_visits_per_crew_day=5, seed=1
    )
    tenth = weekdays(FUTURE, 10)[-1]
    assert forecast.basis is ForecastBasis.HISTORY
    assert forecast.p50 == tenth
    assert forecast.p90 == tenth
    assert forecast.rates.visits_per_crew_day == 8
    assert forecast.rates.failure_share == 0


def test_failed_visits_requeue_their_homes_so_the_finish_comes_later():
    steady = forecast_completion(
        160, history([8] * 10), capacity(30), planned_visits_per_crew_day=8
    )
    failing = forecast_completion(
        160, history([8] * 10, failed_every=5), capacity(30), planned_visits_per_crew_day=8
    )
    assert failing.rates.failure_share == pytest.approx(0.2)
    assert failing.rates.outcome_shares[VisitOutcome.NO_SHOW] == pytest.approx(0.2)
    assert failing.p50 is not None
    assert steady.p50 is not None
    assert failing.p50 > steady.p50
    # 160 homes at 16 x 0.8 = 12.8 done a day: about 12.5 working days.
    assert failing.p50 in weekdays(FUTURE, 15)[11:14]


def test_p90_is_never_before_p50():
    forecast = forecast_completion(
        400,
        history([5, 9, 7, 11, 6, 8, 10, 4, 9, 7], failed_every=7),
        capacity(60),
        planned_visits_per_crew_day=8,
    )
    assert forecast.p50 is not None
    assert forecast.p90 is not None
    assert forecast.p90 >= forecast.p50
    assert all(p.p90_remaining >= p.p50_remaining for p in forecast.band)


def test_more_history_of_the_same_pace_narrows_the_band():
    """A short history says little about the true pace; a long one pins it down."""
    pattern = [4, 12, 6, 10, 8]
    short = forecast_completion(
        600, history(pattern * 2), capacity(120), planned_visits_per_crew_day=8
    )
    long = forecast_completion(
        600, history(pattern * 40), capacity(120), planned_visits_per_crew_day=8
    )
    assert short.p50 is not None
    assert short.p90 is not None
    assert long.p50 is not None
    assert long.p90 is not None
    assert (long.p90 - long.p50) < (short.p90 - short.p50)


def test_the_same_seed_gives_the_same_forecast_and_another_seed_may_not():
    args = (400, history([5, 9, 7, 11, 6, 8, 10, 4, 9, 7], failed_every=6), capacity(60))
    first = forecast_completion(*args, planned_visits_per_crew_day=8, seed=7)
    again = forecast_completion(*args, planned_visits_per_crew_day=8, seed=7)
    assert first == again
    assert first.seed == 7


def test_too_little_history_falls_back_to_the_planned_rate_with_a_wide_band():
    forecast = forecast_completion(
        160, history([8] * 3), capacity(40), planned_visits_per_crew_day=8, deadline=FUTURE
    )
    assert forecast.basis is ForecastBasis.PLANNED
    assert "3 crew-days" in forecast.note
    assert forecast.p50 is not None
    assert forecast.p90 is not None
    # At best 16 a day (10 days); the planned basis is pessimistic and wide.
    assert forecast.p50 > weekdays(FUTURE, 10)[-1]
    assert (forecast.p90 - forecast.p50).days >= 2


def test_a_capacity_too_small_to_finish_has_no_finish_date():
    forecast = forecast_completion(
        160, history([8] * 10), capacity(5), planned_visits_per_crew_day=8, deadline=FUTURE
    )
    assert forecast.p50 is None
    assert forecast.p90 is None
    assert forecast.share_by_deadline == 0


def test_the_share_of_trials_finished_by_the_deadline():
    days = weekdays(FUTURE, 30)
    on_time = forecast_completion(
        160, history([8] * 10), capacity(30), planned_visits_per_crew_day=8, deadline=days[9]
    )
    one_day_short = forecast_completion(
        160, history([8] * 10), capacity(30), planned_visits_per_crew_day=8, deadline=days[8]
    )
    assert on_time.share_by_deadline == 1
    assert one_day_short.share_by_deadline == 0


def test_nothing_remaining_is_done_on_the_last_visit_day():
    visits = history([8] * 10)
    forecast = forecast_completion(0, visits, capacity(5), planned_visits_per_crew_day=8)
    assert forecast.basis is ForecastBasis.DONE
    assert forecast.p50 == max(visit.day for visit in visits)


def test_observed_rates_count_distinct_crew_days_and_median_durations():
    start = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    visits = [
        VisitRecord(MONDAY, 1, VisitOutcome.DONE, start, start + timedelta(minutes=30)),
        VisitRecord(MONDAY, 1, VisitOutcome.NO_ACCESS, start, start + timedelta(minutes=5)),
        VisitRecord(MONDAY, 2, VisitOutcome.DONE, start, start + timedelta(minutes=40)),
        VisitRecord(MONDAY + timedelta(days=1), 1, VisitOutcome.REFUSED),
    ]
    rates = observed_rates(visits)
    assert rates.crew_days == 3
    assert rates.visits_per_crew_day == pytest.approx(4 / 3)
    assert rates.failure_share == 0.5
    assert rates.outcome_shares[VisitOutcome.NEEDS_FOLLOW_UP] == 0
    assert rates.median_visit_minutes == 30
    assert rates.timed_visits == 3


# --- buildings at risk -------------------------------------------------------------------------

DEADLINE = date(2025, 12, 19)


def home(
    apartment: int,
    building: int,
    state: HomeState = HomeState.PROPOSED,
    *,
    attempts: int = 0,
    day: date | None = date(2025, 6, 2),
) -> HomeFacts:
    return HomeFacts(apartment, building, state, attempts=attempts, planned_day=day)


def risks(homes: list[HomeFacts]) -> dict[int, BuildingRisk]:
    found = buildings_at_risk(homes, deadline=DEADLINE, max_failed_attempts=3)
    return {risk.building_id: risk for risk in found}


def calm_building(building: int, first: int) -> list[HomeFacts]:
    """Ten homes: eight done at the first try, one failed once, one still to come."""
    return [home(first + i, building, HomeState.DONE) for i in range(8)] + [
        home(first + 8, building, HomeState.PENDING, attempts=1),
        home(first + 9, building),
    ]


def test_a_building_whose_remaining_homes_are_planned_after_the_deadline_is_late():
    homes = [*calm_building(1, 100), home(200, 2, day=DEADLINE + timedelta(days=3)), home(201, 2)]
    found = risks(homes)
    assert set(found) == {2}
    assert found[2].reasons == (RiskReason.LATE,)
    assert found[2].late == 1


def test_homes_at_or_near_the_escalation_threshold_put_their_building_at_risk():
    homes = [
        *calm_building(1, 100),
        home(200, 2, HomeState.PENDING, attempts=2),  # one more failure escalates it
        home(300, 3, HomeState.ESCALATED, attempts=3),
    ]
    found = risks(homes)
    assert found[2].reasons == (RiskReason.NEAR_ESCALATION,)
    assert found[3].near_escalation == 1
    assert 1 not in found


def test_a_building_failing_far_more_often_than_the_campaign_is_at_risk():
    troubled = [home(200 + i, 2, HomeState.DONE) for i in range(3)] + [
        home(210 + i, 2, HomeState.PENDING, attempts=1) for i in range(3)
    ]
    homes = calm_building(1, 100) + calm_building(3, 300) + calm_building(4, 400) + troubled
    found = risks(homes)
    assert set(found) == {2}
    assert RiskReason.HIGH_FAILURE in found[2].reasons
    assert found[2].failure_rate == pytest.approx(0.5)
    assert found[2].failure_rate > 2 * found[2].campaign_failure_rate


def test_one_unlucky_visit_is_not_a_pattern():
    homes = [*calm_building(1, 100), home(200, 2, HomeState.PENDING, attempts=1)]
    assert risks(homes) == {}


def test_the_riskiest_buildings_come_first():
    homes = [
        home(1, 1, day=DEADLINE + timedelta(days=1)),
        home(2, 2, HomeState.PENDING, attempts=2, day=DEADLINE + timedelta(days=1)),
    ]
    found = buildings_at_risk(homes, deadline=DEADLINE, max_failed_attempts=3)
    assert [risk.building_id for risk in found] == [2, 1]
