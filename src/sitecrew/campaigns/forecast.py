"""When will the campaign finish? A forecast from what the crews actually did, with its spread.

Three answers from the campaign's history, none needing a database:

- :func:`forecast_completion`: the P50 and P90 finish dates over the future crew-days. A seeded
  Monte Carlo resamples the observed crew-days (how many visits a crew made in a day, and how many
  failed); failed homes go back in the queue. Each trial first resamples the *history itself*, so
  a short history (which says little about the true pace) gives a wide band and a long one a
  narrow band. Too little history: the campaign's planned rate with a wide band, and ``basis``
  says so.
- :func:`buildings_at_risk`: buildings whose remaining homes are planned after the deadline, whose
  homes near the escalation threshold, or whose visits fail far more often than the campaign's.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sitecrew.campaigns._forecast_sim import Simulation, quantile_index, simulate
from sitecrew.campaigns.service_time import visit_minutes
from sitecrew.domain.campaigns import HomeState, VisitOutcome, VisitRecord

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import numpy.typing as npt

    from sitecrew.campaigns._forecast_sim import AttemptSampler
    from sitecrew.campaigns.burndown import HomeFacts

TRIALS = 1000
MIN_HISTORY_CREW_DAYS = 10
"""Fewer observed crew-days than this and the forecast uses the planned rate instead."""
MAX_HISTORY_CREW_DAYS = 2000
"""The most recent crew-days the forecast resamples: the current pace, not the training weeks."""
PLANNED_RATE_SPREAD = (0.6, 1.1)
"""Without history, a trial's pace is the planned rate times a factor drawn from this range:
new crews rarely beat their target and often fall well short of it."""
PLANNED_FAILURE_SHARE = 0.15
"""Without history, the share of visits assumed to fail (the issue's 10 % no-show, 3 % no-access,
and a little more)."""


class ForecastBasis(StrEnum):
    """What a forecast's rates come from."""

    HISTORY = "history"  # resampled observed crew-days
    PLANNED = "planned"  # too little history: the campaign's target rate, wide band
    DONE = "done"  # nothing remains


class CapacityDay(NamedTuple):
    """One crew working one future day (the capacity the forecast spends)."""

    day: date
    crew_id: int


@dataclass(frozen=True)
class ObservedRates:
    """What the history says: pace per crew-day, failure shares per attempt, visit durations."""

    crew_days: int
    visits: int
    failed: int
    visits_per_crew_day: float
    failure_share: float
    #: Share of all visits per failed outcome (no-show, no-access, refused, follow-up).
    outcome_shares: Mapping[VisitOutcome, float]
    median_visit_minutes: float | None
    timed_visits: int


@dataclass(frozen=True)
class ForecastPoint:
    """Homes left after one future day: the median trial's and the pessimistic (P90) trial's."""

    day: date
    p50_remaining: int
    p90_remaining: int


@dataclass(frozen=True)
class Forecast:
    """The finish dates (None: not within the given capacity) and how sure they are.

    ``p50``: half the trials finish on or before it; ``p90``: nine in ten do.
    ``share_by_deadline`` is the share of trials finished on or before the deadline.
    ``band`` holds the remaining homes per future day up to the P90 finish (for the chart).
    """

    basis: ForecastBasis
    remaining: int
    p50: date | None
    p90: date | None
    deadline: date | None
    share_by_deadline: float | None
    rates: ObservedRates
    trials: int
    seed: int
    band: tuple[ForecastPoint, ...]
    note: str


def observed_rates(history: Iterable[VisitRecord]) -> ObservedRates:
    """Summarise the finished visits: per distinct (crew, day) pair, per outcome, per minute."""
    visits = list(history)
    crew_days = {(visit.crew_id, visit.day) for visit in visits}
    outcomes = Counter(visit.outcome for visit in visits)
    failed = sum(count for outcome, count in outcomes.items() if outcome.failed)
    minutes = [m for m in (visit_minutes(visit) for visit in visits) if m is not None]
    return ObservedRates(
        crew_days=len(crew_days),
        visits=len(visits),
        failed=failed,
        visits_per_crew_day=len(visits) / len(crew_days) if crew_days else 0.0,
        failure_share=failed / len(visits) if visits else 0.0,
        outcome_shares={
            outcome: outcomes[outcome] / len(visits) if visits else 0.0
            for outcome in VisitOutcome
            if outcome.failed
        },
        median_visit_minutes=statistics.median(minutes) if minutes else None,
        timed_visits=len(minutes),
    )


def forecast_completion(
    remaining: int,
    history: Sequence[VisitRecord],
    capacity: Iterable[CapacityDay | tuple[date, int]],
    *,
    planned_visits_per_crew_day: float,
    deadline: date | None = None,
    trials: int = TRIALS,
    seed: int = 0,
    min_history_crew_days: int = MIN_HISTORY_CREW_DAYS,
) -> Forecast:
    """Forecast when the ``remaining`` homes are done, spending ``capacity`` in date order.

    ``capacity`` lists the future crew-days (calendars, holidays and absences applied); the
    result is reproducible for one ``seed``.
    """
    rates = observed_rates(history)
    days = sorted(Counter(CapacityDay(*crew_day).day for crew_day in capacity).items())
    if remaining <= 0:
        last = max((visit.day for visit in history), default=None)
        return Forecast(
            basis=ForecastBasis.DONE,
            remaining=0,
            p50=last,
            p90=last,
            deadline=deadline,
            share_by_deadline=1.0 if deadline else None,
            rates=rates,
            trials=0,
            seed=seed,
            band=(),
            note="every home is done or escalated",
        )
    rng = np.random.default_rng(seed)
    if rates.crew_days >= min_history_crew_days:
        basis = ForecastBasis.HISTORY
        sampler, failure = _history_sampler(history, trials, rng)
        note = (
            f"resampled {min(rates.crew_days, MAX_HISTORY_CREW_DAYS)} observed crew-days: "
            f"{rates.visits_per_crew_day:.1f} visits per crew-day, "
            f"{rates.failure_share:.0%} failed"
        )
    else:
        basis = ForecastBasis.PLANNED
        sampler, failure = _planned_sampler(planned_visits_per_crew_day, trials, rng)
        note = (
            f"only {rates.crew_days} crew-days observed (fewer than {min_history_crew_days}): "
            f"planned {planned_visits_per_crew_day:g} visits per crew-day at "
            f"{PLANNED_RATE_SPREAD[0]:.0%}-{PLANNED_RATE_SPREAD[1]:.0%}, "
            f"{PLANNED_FAILURE_SHARE:.0%} assumed to fail"
        )
    run = simulate(remaining, [crews for _, crews in days], sampler, failure, rng)
    future = [day for day, _ in days]
    return Forecast(
        basis=basis,
        remaining=remaining,
        p50=_finish_day(run, future, 0.5),
        p90=_finish_day(run, future, 0.9),
        deadline=deadline,
        share_by_deadline=_share_by(run, future, deadline),
        rates=rates,
        trials=trials,
        seed=seed,
        band=_band(run, future),
        note=note,
    )


def _history_sampler(
    history: Sequence[VisitRecord], trials: int, rng: np.random.Generator
) -> tuple[AttemptSampler, npt.NDArray[np.float64]]:
    """Resample the recent crew-days: once per trial (its own 'world'), then per crew and day."""
    attempts, failed = _crew_day_table(history)
    size = attempts.shape[0]
    world = rng.integers(0, size, size=(trials, size))
    world_attempts, world_failed = attempts[world], failed[world]
    failure = world_failed.sum(axis=1) / world_attempts.sum(axis=1)

    def sample(crews: int) -> npt.NDArray[np.int64]:
        picks = rng.integers(0, size, size=(trials, crews))
        drawn = np.take_along_axis(world_attempts, picks, axis=1)
        return np.asarray(drawn.sum(axis=1), dtype=np.int64)

    return sample, failure.astype(np.float64)


def _planned_sampler(
    per_crew_day: float, trials: int, rng: np.random.Generator
) -> tuple[AttemptSampler, npt.NDArray[np.float64]]:
    """Each trial's pace is the target times a factor; a crew-day's visits are Poisson around it."""
    pace = per_crew_day * rng.uniform(*PLANNED_RATE_SPREAD, size=trials)

    def sample(crews: int) -> npt.NDArray[np.int64]:
        return rng.poisson(pace * crews).astype(np.int64)

    return sample, np.full(trials, PLANNED_FAILURE_SHARE)


def _crew_day_table(
    history: Sequence[VisitRecord],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Visits and failed visits per (crew, day), the most recent crew-days only."""
    attempts: defaultdict[tuple[date, int], int] = defaultdict(int)
    failed: defaultdict[tuple[date, int], int] = defaultdict(int)
    for visit in history:
        attempts[visit.day, visit.crew_id] += 1
        failed[visit.day, visit.crew_id] += visit.outcome.failed
    keys = sorted(attempts)[-MAX_HISTORY_CREW_DAYS:]
    return (
        np.array([attempts[key] for key in keys], dtype=np.int64),
        np.array([failed[key] for key in keys], dtype=np.int64),
    )


def _finish_day(run: Simulation, days: Sequence[date], q: float) -> date | None:
    index = quantile_index(run.finish, q) if len(run.finish) else len(days)
    return days[index] if index < len(days) else None


def _share_by(run: Simulation, days: Sequence[date], deadline: date | None) -> float | None:
    if deadline is None:
        return None
    within = sum(1 for day in days if day <= deadline)
    return float(np.mean(run.finish < within))


def _band(run: Simulation, days: Sequence[date]) -> tuple[ForecastPoint, ...]:
    """Remaining homes per day for the median and the pessimistic trial, until P90 finishes."""
    end = min(quantile_index(run.finish, 0.9) + 1, len(days))
    return tuple(
        ForecastPoint(
            day=days[index],
            p50_remaining=quantile_index(run.left[:, index], 0.5),
            p90_remaining=quantile_index(run.left[:, index], 0.9),
        )
        for index in range(end)
    )


# --- buildings at risk -------------------------------------------------------------------------


class RiskReason(StrEnum):
    """Why a building is at risk."""

    LATE = "late"  # remaining homes planned after the deadline
    NEAR_ESCALATION = "near_escalation"  # homes at or near the failed-attempt threshold
    HIGH_FAILURE = "high_failure"  # its visits fail far more often than the campaign's


@dataclass(frozen=True)
class BuildingRisk:
    """One building at risk, with the counts behind each reason."""

    building_id: int
    reasons: tuple[RiskReason, ...]
    homes: int
    remaining: int
    late: int
    near_escalation: int
    failure_rate: float
    campaign_failure_rate: float


def buildings_at_risk(
    homes: Sequence[HomeFacts],
    *,
    deadline: date,
    max_failed_attempts: int,
    near_margin: int = 1,
    failure_ratio: float = 2.0,
    min_failure_gap: float = 0.1,
    min_visits: int = 4,
) -> tuple[BuildingRisk, ...]:
    """Return the buildings at risk, the most reasons and most remaining homes first.

    *Near escalation*: a remaining home with at least ``max_failed_attempts - near_margin``
    failed attempts, or an escalated one. *High failure*: failed / (failed + done) visits is at
    least ``failure_ratio`` times the campaign's and ``min_failure_gap`` above it, over at least
    ``min_visits`` visits (a building with one unlucky visit is not a pattern).
    """
    buildings: defaultdict[int, list[HomeFacts]] = defaultdict(list)
    for home in homes:
        buildings[home.building_id].append(home)
    campaign_rate = _failure_rate(homes)
    threshold = max_failed_attempts - near_margin
    risks = []
    for building_id, members in buildings.items():
        remaining = [home for home in members if home.remaining]
        late = sum(1 for h in remaining if h.planned_day is not None and h.planned_day > deadline)
        near = sum(
            1
            for h in members
            if h.state is HomeState.ESCALATED or (h.remaining and h.attempts >= threshold)
        )
        rate = _failure_rate(members)
        visits = sum(h.attempts + (h.state is HomeState.DONE) for h in members)
        high = (
            visits >= min_visits
            and rate >= failure_ratio * campaign_rate
            and rate - campaign_rate >= min_failure_gap
        )
        reasons = tuple(
            reason
            for reason, flagged in (
                (RiskReason.LATE, late > 0),
                (RiskReason.NEAR_ESCALATION, near > 0),
                (RiskReason.HIGH_FAILURE, high),
            )
            if flagged
        )
        if reasons:
            risks.append(
                BuildingRisk(
                    building_id=building_id,
                    reasons=reasons,
                    homes=len(members),
                    remaining=len(remaining),
                    late=late,
                    near_escalation=near,
                    failure_rate=rate,
                    campaign_failure_rate=campaign_rate,
                )
            )
    return tuple(sorted(risks, key=lambda r: (-len(r.reasons), -r.remaining, r.building_id)))


def _failure_rate(homes: Iterable[HomeFacts]) -> float:
    """Failed visits over all visits, reading a home's visits as its failures plus its success."""
    failed = done = 0
    for home in homes:
        failed += home.attempts
        done += home.state is HomeState.DONE
    return failed / (failed + done) if failed + done else 0.0
