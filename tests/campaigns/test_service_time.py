"""What an attempt costs, learned from recorded visits, and how many minutes a plan gives it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from sitecrew.campaigns.service_time import EntranceVisit, learn_service_time
from sitecrew.domain.campaigns import ServiceTimeModel, VisitOutcome, VisitRecord

MONDAY = date(2025, 3, 3)


def timed(
    building: int,
    day: date,
    start: datetime,
    minutes: float,
    *,
    outcome: VisitOutcome = VisitOutcome.DONE,
) -> EntranceVisit:
    record = VisitRecord(day, 1, outcome, start, start + timedelta(minutes=minutes))
    return EntranceVisit(building, 0, record)


def stairwell(
    building: int, day: date, minutes: list[float], outcome: VisitOutcome = VisitOutcome.DONE
) -> list[EntranceVisit]:
    """Consecutive visits through one entrance, starting 08:00."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=8)
    visits = []
    for m in minutes:
        visits.append(timed(building, day, start, m, outcome=outcome))
        start += timedelta(minutes=m)
    return visits


def test_service_time_is_learned_from_recorded_durations_with_setup_on_the_first_visit():
    """Each entrance-day's first visit carries the setup: 12 + 25 min, then 25 min each."""
    visits = []
    for building in range(6):
        visits += stairwell(building, MONDAY, [37, 25, 25, 25])
    # An outlier does not move a median, and failed and untimed visits teach no visit minutes.
    visits += stairwell(99, MONDAY, [37, 25, 180])
    visits.append(
        timed(98, MONDAY, datetime(2025, 3, 3, 9, tzinfo=UTC), 3, outcome=VisitOutcome.NO_SHOW)
    )
    learned = learn_service_time(visits)
    assert learned.learned
    assert learned.model.minutes_per_home == 25.0
    assert learned.model.setup_minutes_per_entrance == 12.0
    assert learned.home_observations == 6 * 3 + 2
    assert learned.setup_observations == 7


def test_the_same_entrance_on_another_day_pays_its_setup_again():
    visits = stairwell(1, MONDAY, [40, 30]) + stairwell(1, MONDAY + timedelta(days=1), [40, 30])
    learned = learn_service_time(visits, min_observations=2)
    assert (learned.model.minutes_per_home, learned.model.setup_minutes_per_entrance) == (30, 10)
    assert learned.setup_observations == 2


def test_too_few_timed_visits_keep_the_prior():
    prior = ServiceTimeModel(33.0, 7.0, door_share=0.2, door_minutes=4.0, minutes_sd=6.0)
    learned = learn_service_time(stairwell(1, MONDAY, [40, 30, 30]), prior=prior)
    assert not learned.learned
    assert learned.model == prior
    assert learned.home_observations == 2


def test_the_share_of_attempts_ending_at_the_door_and_their_minutes_are_learned():
    """40 attempts: 30 done, 6 nobody home, 2 no access, 2 refused (a quarter at the door)."""
    visits = []
    for building in range(10):
        visits += stairwell(building, MONDAY, [40, 30, 30])
    visits += stairwell(50, MONDAY, [3, 3, 3, 4, 4, 5], outcome=VisitOutcome.NO_SHOW)
    visits += stairwell(51, MONDAY, [2, 2], outcome=VisitOutcome.NO_ACCESS)
    visits += stairwell(52, MONDAY, [6, 6], outcome=VisitOutcome.REFUSED)
    learned = learn_service_time(visits)
    assert learned.model.door_share == pytest.approx(10 / 40)
    assert learned.model.door_minutes == 3.5
    assert learned.attempts == 40
    assert learned.door_observations == 10


def test_a_technical_follow_up_is_not_counted_as_ending_at_the_door():
    visits = []
    for building in range(10):
        visits += stairwell(building, MONDAY, [40, 30, 30])
    visits += stairwell(50, MONDAY, [50] * 10, outcome=VisitOutcome.NEEDS_FOLLOW_UP)
    learned = learn_service_time(visits)
    assert learned.model.door_share == 0.0


def test_a_door_share_from_a_handful_of_attempts_keeps_the_prior():
    prior = ServiceTimeModel(30.0, 10.0, door_share=0.1)
    visits = stairwell(1, MONDAY, [40, 30, 30, 30, 30, 30]) + stairwell(
        2, MONDAY, [3, 3, 3, 3, 3], outcome=VisitOutcome.NO_SHOW
    )
    learned = learn_service_time(visits, prior=prior)
    assert learned.model.door_share == 0.1
    assert learned.model.door_minutes == 3.0  # five timed doors are enough for their median


def test_the_spread_of_visit_minutes_is_learned():
    visits = []
    for building in range(5):
        visits += stairwell(building, MONDAY, [40, 20, 40])
    learned = learn_service_time(visits)
    assert learned.model.minutes_per_home == 30.0
    assert learned.model.minutes_sd == pytest.approx(10.5, abs=0.1)


# --- what a plan gives an attempt --------------------------------------------------------------


def test_an_attempt_costs_the_mean_of_visits_and_door_stops():
    model = ServiceTimeModel(30.0, 10.0, door_share=0.2, door_minutes=5.0)
    assert model.attempt_minutes == pytest.approx(0.8 * 30 + 0.2 * 5)


def test_without_doors_or_spread_the_plan_gives_the_visit_minutes_whatever_the_confidence():
    model = ServiceTimeModel(30.0, 10.0)
    assert model.attempt_sd == 0.0
    assert model.planned_minutes(0.95, 450) == pytest.approx(30.0)


def test_confidence_one_half_plans_the_mean_attempt_and_more_confidence_keeps_a_reserve():
    model = ServiceTimeModel(32.5, 8.0, door_share=0.13, door_minutes=3.5, minutes_sd=7.2)
    mean = model.attempt_minutes
    assert model.planned_minutes(0.5, 450) == pytest.approx(mean)
    assert mean < model.planned_minutes(0.8, 450) < model.planned_minutes(0.95, 450)
    assert model.planned_minutes(0.8, 450) < model.minutes_per_home  # doors pay for the reserve


@pytest.mark.parametrize("confidence", [0.7, 0.8, 0.9])
def test_a_day_packed_by_planned_minutes_ends_in_time_about_as_often_as_asked(confidence):
    """Simulate days of attempts drawn as the model says: the on-time share meets the ask."""
    model = ServiceTimeModel(32.5, 0.0, door_share=0.13, door_minutes=3.5, minutes_sd=7.2)
    day_minutes = 430.0
    planned = model.planned_minutes(confidence, day_minutes)
    attempts = int(day_minutes // planned)
    rng = random.Random(7)
    on_time = 0
    trials = 4000
    for _ in range(trials):
        total = sum(
            rng.uniform(2, 5) if rng.random() < model.door_share else rng.uniform(20, 45)
            for _ in range(attempts)
        )
        on_time += total <= day_minutes
    assert on_time / trials >= confidence - 0.03
