"""A crew-day's capacity: the minutes and visits it has left, and what a home would cost it.

A crew-day's work is its homes' minutes, plus a setup for each distinct entrance visited, plus a
move for each change of building. It must stay within the shift less the minutes off (lunch,
driving out and back), less the share kept free for re-visits, and within the campaign's visits
per crew-day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from statistics import median
from typing import TYPE_CHECKING

from sitecrew.domain.calendars import Shift
from sitecrew.domain.campaigns import SweepCrew, SweepHome, SweepSettings

if TYPE_CHECKING:
    from collections.abc import Iterable


def shift_minutes(shift: Shift) -> float:
    """Return the length of a shift in minutes (zero for an empty or inverted one)."""
    start, end = shift
    length = _of_day(end) - _of_day(start)
    return max(length, 0.0)


def typical_day_minutes(crews: Iterable[SweepCrew], minutes_off_per_day: float) -> float:
    """Return the minutes at the door of the crews' usual working day (the median shift's)."""
    lengths = [shift_minutes(shift) for crew in crews for shift in crew.days.values()]
    if not lengths:
        return 0.0
    return max(median(lengths) - minutes_off_per_day, 0.0)


def _of_day(moment: time) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


def work_budget(shift: Shift, settings: SweepSettings, day: date | None = None) -> float:
    """Return the minutes of planned work a crew-day with ``shift`` (on ``day``) may hold.

    The share kept free for re-visits is kept only from the first day a re-visit not yet known
    could be placed on (``settings.revisits_unknown_from``, the next re-plan): the days before
    it can only take the re-visits already waiting, which the sweep places itself, so room kept
    free there would stay empty.
    """
    at_the_door = max(shift_minutes(shift) - settings.minutes_off_per_day, 0.0)
    known = settings.revisits_unknown_from
    if day is not None and known is not None and day < known:
        return at_the_door
    return at_the_door * (1.0 - settings.revisit_share)


@dataclass
class CrewDay:
    """One working day of one crew, filled home by home."""

    crew_id: int
    day: date
    shift: Shift
    budget: float
    max_visits: int
    used: float = 0.0
    visits: int = 0
    entrances: set[tuple[int, int]] = field(default_factory=set)
    buildings: set[int] = field(default_factory=set)
    homes: list[SweepHome] = field(default_factory=list)  # free (not fixed) homes, in order

    def cost(self, home: SweepHome, settings: SweepSettings) -> float:
        """Return the minutes ``home`` adds to this day: its own, a setup, a move."""
        extra = home.minutes
        if (home.building_id, home.entrance) not in self.entrances:
            extra += settings.setup_minutes_per_entrance
        if self.buildings and home.building_id not in self.buildings:
            extra += settings.minutes_between_buildings
        return extra

    def fits(self, home: SweepHome, settings: SweepSettings) -> bool:
        """Whether ``home`` still fits: within the work budget and the visits per day."""
        if self.visits + 1 > self.max_visits:
            return False
        return self.used + self.cost(home, settings) <= self.budget + 1e-9

    def charge(self, home: SweepHome, settings: SweepSettings) -> None:
        """Count ``home`` against this day (whether or not it fits: fixed visits always do)."""
        self.used += self.cost(home, settings)
        self.visits += 1
        self.entrances.add((home.building_id, home.entrance))
        self.buildings.add(home.building_id)

    def add(self, home: SweepHome, settings: SweepSettings) -> None:
        """Place a free home on this day, after the ones already there."""
        self.charge(home, settings)
        self.homes.append(home)

    @property
    def room(self) -> float:
        """Minutes still free for planned work."""
        return self.budget - self.used
