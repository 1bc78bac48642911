"""Two-hour windows for a crew-day: estimated arrivals turned into windows a tenant can be told.

Homes are visited building by building, entrance by entrance, floor by floor. Each visit's
arrival is estimated from the work before it: the homes' minutes, one setup per entrance, one
move per change of building (the costs the day was packed with), stretched over the shift
because the minutes off (lunch, driving) fall somewhere in between.

The rule (issue #15: "consecutive windows through a stairwell"):

* Windows are ``window_minutes`` long (two hours) and start on a grid of half a window from the
  shift start (07:00-09:00, 08:00-10:00, ...). A visit gets the latest grid window starting at or
  before its estimated arrival, so the arrival lies in the window's first half and a visit of at
  most half a window also ends inside it, without idle time at the door.
* Near the shift's end, where the grid window would end after the shift, the visit gets the
  window that ends with the shift (13:30-15:30 for a shift ending 15:30): it still contains the
  arrival and stays inside the shift.
* Arrivals only grow through a day, so windows never go back: consecutive homes of a stairwell
  share a window or take the next one (a home takes less than half a window), and the day's
  first home gets the window starting with the shift.
* Fixed visits keep the window the tenant was told and take their place by its start.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from sitecrew.campaigns.areas import visiting_key
from sitecrew.campaigns.days import CrewDay, shift_minutes
from sitecrew.domain.campaigns import SweepHome, SweepSettings, SweepVisit

if TYPE_CHECKING:
    from collections.abc import Sequence


def day_order(homes: Sequence[SweepHome]) -> list[SweepHome]:
    """Return a day's free homes in visiting order.

    Buildings keep the order in which the day first reached them; inside a building the homes go
    entrance by entrance, floor by floor, unit by unit.
    """
    first_seen: dict[int, int] = {}
    for home in homes:
        first_seen.setdefault(home.building_id, len(first_seen))
    return sorted(homes, key=lambda h: (first_seen[h.building_id], visiting_key(h)))


def _clock(minutes: float) -> time:
    whole = max(0, min(round(minutes), 24 * 60 - 1))
    return time(whole // 60, whole % 60)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def estimated_visits(day: CrewDay, settings: SweepSettings) -> list[tuple[SweepHome, float, float]]:
    """Return each free home of ``day`` with its estimated arrival and end (minutes of the day)."""
    start = _minutes(day.shift[0])
    length = shift_minutes(day.shift)
    at_the_door = max(length - settings.minutes_off_per_day, 1.0)
    stretch = max(length / at_the_door, 1.0)
    elapsed = 0.0
    last_building: int | None = None
    seen: set[tuple[int, int]] = set()
    estimates = []
    for home in day_order(day.homes):
        if last_building is not None and home.building_id != last_building:
            elapsed += settings.minutes_between_buildings
        if (home.building_id, home.entrance) not in seen:
            elapsed += settings.setup_minutes_per_entrance
            seen.add((home.building_id, home.entrance))
        arrival = start + elapsed * stretch
        elapsed += home.minutes
        estimates.append((home, arrival, start + elapsed * stretch))
        last_building = home.building_id
    return estimates


def window_for(arrival: float, day: CrewDay, window_minutes: int) -> tuple[time, time]:
    """Return the window for a visit arriving at ``arrival`` (minutes of the day).

    The latest grid window starting at or before the arrival; where that window would end after
    the shift, the window ending with the shift (which still contains the arrival).
    """
    start = _minutes(day.shift[0])
    end = start + shift_minutes(day.shift)
    if end - start <= window_minutes:
        return day.shift[0], day.shift[1]
    step = max(window_minutes // 2, 1)
    begin = max(start, start + int((arrival - start) // step) * step)
    begin = min(begin, int(end - window_minutes))
    return _clock(begin), _clock(begin + window_minutes)


def day_visits(
    day: CrewDay, fixed: Sequence[SweepVisit], settings: SweepSettings
) -> list[SweepVisit]:
    """Return the day's visits with windows and their order in the crew's day.

    Fixed visits keep their windows; they take their place in the order by window start (a
    fixed visit goes before free visits whose estimated arrival is in the same minute).
    """
    timed: list[tuple[float, int, int, SweepVisit]] = [
        (float(_minutes(visit.window_start)), 0, visit.apartment_id, visit) for visit in fixed
    ]
    for sequence, (home, arrival, _end) in enumerate(estimated_visits(day, settings)):
        window_start, window_end = window_for(arrival, day, settings.window_minutes)
        visit = SweepVisit(home.apartment_id, day.day, day.crew_id, window_start, window_end, 0)
        timed.append((arrival, 1, sequence, visit))
    timed.sort(key=lambda item: item[:3])
    return [
        SweepVisit(v.apartment_id, v.day, v.crew_id, v.window_start, v.window_end, order, v.fixed)
        for order, (*_key, v) in enumerate(timed)
    ]
