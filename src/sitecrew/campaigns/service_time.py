"""What a visit attempt costs, learned from the campaign's own recorded outcomes and durations.

The sweep packs crew-days by these numbers, so they come from what the crews actually did, with
medians where one odd visit (a broken socket, a chatty tenant) must not move the plan:

- minutes per home: the median DONE visit that was not the first of its stairwell that day;
- setup per entrance: the median first visit of a stairwell-day minus that;
- spread of a DONE visit's minutes (its standard deviation), for the day's reserve;
- the share of attempts that end at the door (nobody home, no access, refused) and the median
  minutes such an attempt takes.

Each number keeps the prior (the campaign's own) until enough observations stand behind it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sitecrew.domain.campaigns import ServiceTimeModel, VisitOutcome, VisitRecord

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

#: Timed visits needed before a median replaces the prior.
MIN_SERVICE_OBSERVATIONS = 5
#: Attempts with an outcome needed before their door share replaces the prior (a share of a
#: handful of attempts says little).
MIN_ATTEMPTS_FOR_SHARE = 30
#: Outcomes that end an attempt at the door, in a few minutes.
AT_THE_DOOR = frozenset({VisitOutcome.NO_SHOW, VisitOutcome.NO_ACCESS, VisitOutcome.REFUSED})


@dataclass(frozen=True)
class EntranceVisit:
    """A finished visit and the entrance (stairwell) it was in: what setup is learned from."""

    building_id: int
    entrance: int
    record: VisitRecord


@dataclass(frozen=True)
class LearnedServiceTime:
    """The learned model and how many observations stand behind each of its numbers.

    ``learned`` is False when too few homes were timed: ``model``'s visit minutes are then the
    prior's. The door share and door minutes are learned on their own counts.
    """

    model: ServiceTimeModel
    home_observations: int
    setup_observations: int
    learned: bool
    attempts: int = 0
    door_observations: int = 0


def visit_minutes(visit: VisitRecord) -> float | None:
    """Return a visit's recorded minutes; None when a timestamp is missing or out of order."""
    return _span(visit.started_at, visit.ended_at)


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end <= start:
        return None
    return (end - start).total_seconds() / 60


def learn_service_time(
    visits: Iterable[EntranceVisit],
    *,
    prior: ServiceTimeModel | None = None,
    min_observations: int = MIN_SERVICE_OBSERVATIONS,
) -> LearnedServiceTime:
    """Learn the service time model from finished visits (any outcome).

    Visits in one entrance on one crew-day are ordered by start: the first DONE one includes
    the setup, the later ones do not. Too few observations of a number keep the prior's.
    """
    base = prior or ServiceTimeModel()
    listed = list(visits)
    model = _door_model(listed, base, min_observations)
    firsts, later = _first_and_later_durations(listed)
    attempts = len(listed)
    doors = sum(1 for v in listed if v.record.outcome in AT_THE_DOOR)
    counts = {"attempts": attempts, "door_observations": doors}
    if len(later) < min_observations:
        return LearnedServiceTime(model, len(later), len(firsts), learned=False, **counts)
    per_home = statistics.median(later)
    setup = base.setup_minutes_per_entrance
    if len(firsts) >= min_observations:
        setup = max(0.0, statistics.median(firsts) - per_home)
    model = replace(
        model,
        minutes_per_home=round(per_home, 1),
        setup_minutes_per_entrance=round(setup, 1),
        minutes_sd=round(statistics.stdev(later), 1) if len(later) > 1 else model.minutes_sd,
    )
    return LearnedServiceTime(model, len(later), len(firsts), learned=True, **counts)


def _door_model(
    visits: list[EntranceVisit], base: ServiceTimeModel, min_observations: int
) -> ServiceTimeModel:
    """Return ``base`` with the door share and door minutes the visits support."""
    model = base
    if len(visits) >= max(MIN_ATTEMPTS_FOR_SHARE, min_observations):
        at_door = sum(1 for v in visits if v.record.outcome in AT_THE_DOOR)
        model = replace(model, door_share=round(at_door / len(visits), 4))
    minutes = [
        found
        for v in visits
        if v.record.outcome in AT_THE_DOOR and (found := visit_minutes(v.record)) is not None
    ]
    if len(minutes) >= min_observations:
        model = replace(model, door_minutes=round(statistics.median(minutes), 1))
    return model


def _first_and_later_durations(
    visits: Iterable[EntranceVisit],
) -> tuple[list[float], list[float]]:
    groups: defaultdict[tuple[int, date, int, int], list[tuple[datetime, float]]] = defaultdict(
        list
    )
    for visit in visits:
        record = visit.record
        minutes = visit_minutes(record)
        if record.outcome is VisitOutcome.DONE and minutes is not None and record.started_at:
            key = (record.crew_id, record.day, visit.building_id, visit.entrance)
            groups[key].append((record.started_at, minutes))
    firsts: list[float] = []
    later: list[float] = []
    for group in groups.values():
        ordered = [minutes for _, minutes in sorted(group)]
        firsts.append(ordered[0])
        later += ordered[1:]
    return firsts, later
