"""How much work the demo's crews can do in a day, so that the demo books no more than that.

A real booking desk offers tenants only the windows its crews can keep. The demo does the same,
from the numbers the route planner itself uses: each crew's shift and lunch (the catalogue),
job durations (:data:`~sitecrew.domain.jobs.DEFAULT_MINUTES`), setup per building or site
(:data:`~sitecrew.services.planning.load_jobs.SETUP_MINUTES`) and the trainee slowdown
(:data:`~sitecrew.services.planning.load_crews.TRAINEE_SLOWDOWN`). Travel is estimated from the
map: the depot to the middle of the region along streets about :data:`DETOUR` times longer than
the straight line, at :data:`URBAN_KPH`, and :data:`HOP_MINUTES` between neighbouring visits.

The estimate is deliberately a little pessimistic (lunch is taken at the first gap after it may
start, every visit pays a full hop) and the demo books only :data:`FILL` of it, so the planner
has room to route around one-way streets and uneven spreads of bookings over the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyproj import Geod

from sitecrew.domain.jobs import DEFAULT_MINUTES, JobKind
from sitecrew.services.demo.catalogue import DEPOTS, LUNCH_EARLIEST, LUNCH_MINUTES
from sitecrew.services.planning.load_crews import TRAINEE_SLOWDOWN
from sitecrew.services.planning.load_jobs import SCHOOL_HOURS_S, SETUP_MINUTES

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import time

    from shapely.geometry.base import BaseGeometry

    from sitecrew.services.demo.catalogue import CrewSpec

#: Average door-to-door speed of a van in central Oslo, traffic lights and parking included.
URBAN_KPH = 20.0
#: How much longer the street route is than the straight line (typical of a city grid).
DETOUR = 1.3
#: Minutes between two visits of one crew's day: the next block over, plus finding parking.
HOP_MINUTES = 5.0
#: Share of the estimated capacity the demo books; the rest is the planner's room to manoeuvre.
FILL = 0.9
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class CrewDay:
    """One crew's working day in minutes after midnight, with its travel and pace."""

    starts: float
    ends: float
    depot_leg: float
    pace: float

    @property
    def working_minutes(self) -> float:
        """Minutes left for jobs, setup and hops: the shift less lunch and the depot legs."""
        return self.ends - self.starts - LUNCH_MINUTES - 2 * self.depot_leg


def crew_day(spec: CrewSpec, area: BaseGeometry) -> CrewDay:
    """Return ``spec``'s day over ``area``: the depot leg from the map, the trainee pace."""
    _, lon, lat, _ = DEPOTS[spec.depot]
    middle = area.centroid
    _, _, metres = _GEOD.inv(lon, lat, middle.x, middle.y)
    leg = metres * DETOUR / (URBAN_KPH * 1000 / 60)
    pace = 1 + TRAINEE_SLOWDOWN * spec.trainees / spec.members
    return CrewDay(_minutes(spec.shift[0]), _minutes(spec.shift[1]), leg, pace)


def window_visits(day: CrewDay, windows: Sequence[tuple[float, float]]) -> tuple[int, ...]:
    """Return how many media-box visits one crew can make in each appointment window.

    Parameters
    ----------
    day
        The crew's day.
    windows
        ``(opens, closes)`` in minutes after midnight, in order; the work must lie inside.

    Returns
    -------
    tuple of int
        Visits per window, simulating the crew's day visit by visit: it leaves the depot at the
        start of its shift, pays setup and a hop per visit, waits for a window to open, takes
        lunch at the first gap after it may start, and is back at the depot by the end.
    """
    service = DEFAULT_MINUTES[JobKind.INSTALL_MEDIA_BOX] * day.pace
    setup = SETUP_MINUTES[JobKind.INSTALL_MEDIA_BOX]
    clock, lunch_due, counts = day.starts + day.depot_leg, True, []
    for opens, closes in windows:
        visits = 0
        while True:
            if lunch_due and clock >= _minutes(LUNCH_EARLIEST):
                clock, lunch_due = clock + LUNCH_MINUTES, False
            start = max(clock + setup, opens)
            if start + service > min(closes, day.ends - day.depot_leg):
                break
            visits += 1
            clock = start + service + HOP_MINUTES
        counts.append(visits)
    return tuple(counts)


def quiet_minutes(day: CrewDay) -> float:
    """Return the minutes after school hours in which noisy work at a schoolyard may be done."""
    return max(0.0, day.ends - day.depot_leg - max(day.starts, SCHOOL_HOURS_S[1] / 60))


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute
