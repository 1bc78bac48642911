"""The year's sweep: every home in scope gets a day, a crew and a two-hour window, or a reason.

Method (no 22,000-stop solve; linear in the homes after one sort):

1. **Fixed visits first.** A home whose tenant already knows its window keeps exactly that day,
   crew and window, and its minutes are charged to that crew-day before anything else.
2. **Owners apart.** Homes are split by the organisation owning their district; only crews of
   that organisation serve them (the housing company's own crews serve ``owner_id=None``).
3. **Areas.** Per owner, buildings are ordered street by street, streets along a Hilbert curve
   (:mod:`sitecrew.campaigns.areas`), and the order is cut into one contiguous territory per
   crew, sized by each crew's capacity in the horizon so that crews finish together. Crews take
   territories in the curve order of their depots, and walk theirs from the end nearer home.
4. **Days.** Each crew walks its territory entrance by entrance, filling its working days in
   order (:mod:`sitecrew.campaigns.days`). An entrance that does not fit the rest of a day is
   kept whole when a nearby one fits instead, or when little of the day is left (it starts the
   next day); otherwise it is split over two consecutive days. Homes that must wait for an
   ``earliest`` day are placed on the first day they may be that has room.
5. **Overflow.** What a crew could not fit is offered to the owner's other crews' free room;
   what nobody can fit before the deadline is returned unplaced with the reason.
6. **Windows** per crew-day (:mod:`sitecrew.campaigns.windows`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.campaigns.areas import (
    Building,
    Projection,
    buildings_of,
    cut_territories,
    street_order,
)
from sitecrew.campaigns.days import CrewDay, work_budget
from sitecrew.campaigns.windows import day_visits
from sitecrew.domain.campaigns import (
    SweepCrew,
    SweepHome,
    SweepPlan,
    SweepSettings,
    SweepVisit,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

#: How many entrances ahead the walk looks for one that fits a day's rest whole.
LOOKAHEAD = 6
#: A day with less than this share of its budget left closes instead of splitting an entrance.
CLOSE_DAY_BELOW = 0.15

#: Most homes in one block of a street that territories are never cut through.
BLOCK_HOMES = 120

CAPACITY_EXHAUSTED = "capacity exhausted before the deadline: no crew of its owner has room left"


@dataclass
class _Walk:
    """One crew's days and the homes it could not fit (with why)."""

    crew: SweepCrew
    days: list[CrewDay]


def plan_sweep(
    homes: Sequence[SweepHome], crews: Sequence[SweepCrew], settings: SweepSettings
) -> SweepPlan:
    """Return a day, crew and window for every home, or the reason it could not get one.

    Every home is in exactly one of ``visits`` and ``unplaced``. Deterministic: the same input
    gives the same plan, whatever the order of ``homes`` and ``crews``.

    Raises
    ------
    ValueError
        When an apartment is listed twice or two crews share an id.
    """
    _check_unique(homes, crews)
    ordered_crews = sorted(crews, key=lambda c: c.crew_id)
    calendars = {crew.crew_id: _crew_days(crew, settings) for crew in ordered_crews}
    unplaced: dict[int, str] = {}
    fixed_visits = _place_fixed(homes, calendars, settings)
    free = sorted((h for h in homes if h.fixed is None), key=lambda h: h.apartment_id)
    free = _drop_too_late(free, settings, unplaced)
    if free:
        projection = Projection([h.lon for h in free], [h.lat for h in free])
        for owner, group in _by_owner(free):
            owner_crews = [c for c in ordered_crews if c.contractor_id == owner]
            if not owner_crews:
                for home in group:
                    unplaced[home.apartment_id] = _no_crew_reason(owner)
                continue
            walks = [_Walk(crew, calendars[crew.crew_id]) for crew in owner_crews]
            _sweep_owner(group, walks, projection, settings, unplaced)
    visits = _windows(calendars, fixed_visits, settings)
    return SweepPlan(visits=tuple(visits), unplaced=dict(sorted(unplaced.items())))


def _check_unique(homes: Sequence[SweepHome], crews: Sequence[SweepCrew]) -> None:
    apartments = [h.apartment_id for h in homes]
    if len(set(apartments)) != len(apartments):
        raise ValueError("an apartment is listed more than once")
    crew_ids = [c.crew_id for c in crews]
    if len(set(crew_ids)) != len(crew_ids):
        raise ValueError("two crews share an id")


def _crew_days(crew: SweepCrew, settings: SweepSettings) -> list[CrewDay]:
    """Return the crew's working days inside the horizon, in date order."""
    return [
        CrewDay(crew.crew_id, day, shift, work_budget(shift, settings), crew.visits_per_day)
        for day, shift in sorted(crew.days.items())
        if settings.start <= day <= settings.deadline
    ]


def _place_fixed(
    homes: Sequence[SweepHome], calendars: dict[int, list[CrewDay]], settings: SweepSettings
) -> dict[tuple[int, date], list[SweepVisit]]:
    """Keep every fixed visit as it is, charging its crew-day (when the crew works that day).

    A fixed visit is kept even on a day its crew no longer works or past capacity: tenants know
    it, and moving it is the planner's call, not the sweep's.
    """
    by_day = {(d.crew_id, d.day): d for days in calendars.values() for d in days}
    fixed: dict[tuple[int, date], list[SweepVisit]] = {}
    for home in sorted((h for h in homes if h.fixed is not None), key=lambda h: h.apartment_id):
        visit = home.fixed
        if visit is None:  # pragma: no cover - filtered above
            continue
        crew_day = by_day.get((visit.crew_id, visit.day))
        if crew_day is not None:
            crew_day.charge(home, settings)
        fixed.setdefault((visit.crew_id, visit.day), []).append(
            SweepVisit(
                home.apartment_id,
                visit.day,
                visit.crew_id,
                visit.window_start,
                visit.window_end,
                0,
                fixed=True,
            )
        )
    return fixed


def _drop_too_late(
    homes: list[SweepHome], settings: SweepSettings, unplaced: dict[int, str]
) -> list[SweepHome]:
    kept = []
    for home in homes:
        if home.earliest is not None and home.earliest > settings.deadline:
            unplaced[home.apartment_id] = (
                f"may not be visited before {home.earliest.isoformat()}, after the deadline"
            )
        else:
            kept.append(home)
    return kept


def _by_owner(homes: Sequence[SweepHome]) -> list[tuple[int | None, list[SweepHome]]]:
    """Split homes by district owner; the housing company's own (None) first, then by id."""
    groups: dict[int | None, list[SweepHome]] = {}
    for home in homes:
        groups.setdefault(home.owner_id, []).append(home)
    return sorted(groups.items(), key=lambda item: (item[0] is not None, item[0] or 0))


def _no_crew_reason(owner: int | None) -> str:
    if owner is None:
        return "no crew of the housing company in the sweep serves this home's district"
    return f"no crew of contractor {owner}, which owns this home's district, is in the sweep"


def _sweep_owner(
    homes: Sequence[SweepHome],
    walks: list[_Walk],
    projection: Projection,
    settings: SweepSettings,
    unplaced: dict[int, str],
) -> None:
    """Place one owner's homes on its crews' days (steps 3 to 5 of the method)."""
    buildings = street_order(buildings_of(homes, projection), projection)
    blocks = _street_blocks(buildings)
    costs = [sum(_building_cost(b, settings) for b in block) for block in blocks]
    average = sum(costs) / max(sum(len(b.homes) for b in buildings), 1)
    order = _crews_along_curve(walks, projection)
    shares = [_capacity(walks[i].days, average) for i in order]
    leftovers: list[SweepHome] = []
    for crew_index, (first, last) in zip(order, cut_territories(costs, shares), strict=True):
        walk = walks[crew_index]
        stretch = [building for block in blocks[first:last] for building in block]
        territory = _from_nearer_end(stretch, walk.crew, projection)
        leftovers.extend(_fill(walk.days, _entrances(territory), settings))
    for crew_index in order:
        if not leftovers:
            break
        leftovers = _fill(walks[crew_index].days, _entrances_of(leftovers), settings)
    for home in leftovers:
        unplaced[home.apartment_id] = CAPACITY_EXHAUSTED


def _street_blocks(buildings: Sequence[Building]) -> list[list[Building]]:
    """Group consecutive buildings of one street into blocks of at most ``BLOCK_HOMES`` homes.

    Territories are cut between blocks, so that a street is not shared by two crews working
    it months apart; a long street still splits into blocks of about two crew-weeks.
    """
    blocks: list[list[Building]] = []
    homes = 0
    for building in buildings:
        same_street = blocks and blocks[-1][-1].street == building.street
        if same_street and homes + len(building.homes) <= BLOCK_HOMES:
            blocks[-1].append(building)
            homes += len(building.homes)
        else:
            blocks.append([building])
            homes = len(building.homes)
    return blocks


def _building_cost(building: Building, settings: SweepSettings) -> float:
    entrances = len({h.entrance for h in building.homes})
    return (
        sum(h.minutes for h in building.homes)
        + entrances * settings.setup_minutes_per_entrance
        + settings.minutes_between_buildings
    )


def _capacity(days: Iterable[CrewDay], minutes_per_home: float) -> float:
    """Estimate the minutes of work a crew's days can still take (room and visits per day)."""
    return sum(max(min(d.room, (d.max_visits - d.visits) * minutes_per_home), 0.0) for d in days)


def _crews_along_curve(walks: Sequence[_Walk], projection: Projection) -> list[int]:
    """Return crew indices in the curve order of their depots (ties: crew id)."""
    points = [projection.metres(w.crew.depot_lon, w.crew.depot_lat) for w in walks]
    positions = projection.curve_positions([p[0] for p in points], [p[1] for p in points])
    return sorted(range(len(walks)), key=lambda i: (int(positions[i]), walks[i].crew.crew_id))


def _from_nearer_end(
    territory: Sequence[Building], crew: SweepCrew, projection: Projection
) -> list[Building]:
    """Walk a territory from whichever end lies nearer the crew's depot."""
    if len(territory) < 2:  # noqa: PLR2004 - one building has one end
        return list(territory)
    x, y = projection.metres(crew.depot_lon, crew.depot_lat)
    first, last = territory[0], territory[-1]
    if math.hypot(last.x - x, last.y - y) < math.hypot(first.x - x, first.y - y):
        return list(reversed(territory))
    return list(territory)


def _entrances(buildings: Iterable[Building]) -> list[list[SweepHome]]:
    """Return the homes grouped by entrance, in walking order (a building's homes are sorted)."""
    groups: list[list[SweepHome]] = []
    for building in buildings:
        current: int | None = None
        for home in building.homes:
            if home.entrance != current:
                groups.append([])
                current = home.entrance
            groups[-1].append(home)
    return groups


def _entrances_of(homes: Sequence[SweepHome]) -> list[list[SweepHome]]:
    """Group left-over homes by consecutive entrance, keeping their order."""
    groups: list[list[SweepHome]] = []
    for home in homes:
        if groups and (groups[-1][0].building_id, groups[-1][0].entrance) == (
            home.building_id,
            home.entrance,
        ):
            groups[-1].append(home)
        else:
            groups.append([home])
    return groups


def _group_cost(day: CrewDay, group: Sequence[SweepHome], settings: SweepSettings) -> float | None:
    """Return the minutes ``group`` adds to ``day``, or None if it does not fit whole."""
    if day.visits + len(group) > day.max_visits:
        return None
    cost = sum(h.minutes for h in group) + settings.setup_minutes_per_entrance * (
        (group[0].building_id, group[0].entrance) not in day.entrances
    )
    if day.buildings and group[0].building_id not in day.buildings:
        cost += settings.minutes_between_buildings
    return cost if day.used + cost <= day.budget + 1e-9 else None


def _fill(
    days: Sequence[CrewDay], groups: list[list[SweepHome]], settings: SweepSettings
) -> list[SweepHome]:
    """Walk ``groups`` (entrances) over ``days`` in order; return the homes that did not fit."""
    queue: deque[list[SweepHome]] = deque(groups)
    waiting: list[SweepHome] = []
    for day in days:
        if not queue and not waiting:
            break
        waiting = _place_waiting(day, waiting, settings)
        _fill_day(day, queue, waiting, settings)
    rest = [home for group in queue for home in group]
    return rest + sorted(waiting, key=lambda h: (h.earliest, h.apartment_id))


def _fill_day(
    day: CrewDay,
    queue: deque[list[SweepHome]],
    waiting: list[SweepHome],
    settings: SweepSettings,
) -> None:
    """Fill one day from the head of ``queue``; homes that must wait go to ``waiting``."""
    while queue and day.visits < day.max_visits:
        group = _due_part(queue, day, waiting)
        if not group:
            continue
        if _group_cost(day, group, settings) is not None:
            for home in group:
                day.add(home, settings)
            queue.popleft()
        elif day.visits == 0 and not _fits_a_day(day, group, settings):
            # A stairwell larger than a day takes whole days until the rest fits in one.
            queue[0] = group[_split(day, group, settings) :]
            return
        elif not _take_nearby(day, queue, settings):
            fresh = day.visits == 0
            if fresh or day.room >= CLOSE_DAY_BELOW * day.budget:
                placed = _split(day, group, settings)
                queue[0] = group[placed:]
            return


def _fits_a_day(day: CrewDay, group: Sequence[SweepHome], settings: SweepSettings) -> bool:
    """Whether ``group`` would fit a day like ``day`` with nothing else on it."""
    cost = sum(h.minutes for h in group) + settings.setup_minutes_per_entrance
    return len(group) <= day.max_visits and cost <= day.budget


def _due_part(
    queue: deque[list[SweepHome]], day: CrewDay, waiting: list[SweepHome]
) -> list[SweepHome]:
    """Return the homes of the queue's first entrance that may be visited on ``day``.

    The others move to ``waiting``; an entrance left empty leaves the queue.
    """
    group = queue[0]
    due = [h for h in group if h.earliest is None or h.earliest <= day.day]
    if len(due) < len(group):
        waiting.extend(h for h in group if h.earliest is not None and h.earliest > day.day)
        if due:
            queue[0] = due
        else:
            queue.popleft()
    return due


def _place_waiting(
    day: CrewDay, waiting: list[SweepHome], settings: SweepSettings
) -> list[SweepHome]:
    """Place the waiting homes that may be visited from ``day`` on and fit; return the others."""
    still: list[SweepHome] = []
    for home in waiting:
        if (home.earliest is not None and home.earliest > day.day) or not day.fits(home, settings):
            still.append(home)
        else:
            day.add(home, settings)
    return still


def _take_nearby(day: CrewDay, queue: deque[list[SweepHome]], settings: SweepSettings) -> bool:
    """Place the first of the next few entrances that fits the day's rest whole, if any."""
    for index in range(1, min(LOOKAHEAD, len(queue))):
        group = queue[index]
        if any(h.earliest is not None and h.earliest > day.day for h in group):
            continue
        if _group_cost(day, group, settings) is not None:
            for home in group:
                day.add(home, settings)
            del queue[index]
            return True
    return False


def _split(day: CrewDay, group: list[SweepHome], settings: SweepSettings) -> int:
    """Place the first homes of ``group`` that fit the day; return how many."""
    placed = 0
    for home in group:
        if not day.fits(home, settings):
            break
        day.add(home, settings)
        placed += 1
    return placed


def _windows(
    calendars: dict[int, list[CrewDay]],
    fixed: dict[tuple[int, date], list[SweepVisit]],
    settings: SweepSettings,
) -> list[SweepVisit]:
    """Return every visit with its window, crew by crew and day by day."""
    visits: list[SweepVisit] = []
    covered: set[tuple[int, date]] = set()
    for crew_id in sorted(calendars):
        for day in calendars[crew_id]:
            key = (crew_id, day.day)
            covered.add(key)
            if day.homes or key in fixed:
                visits.extend(day_visits(day, fixed.get(key, []), settings))
    for key in sorted((k for k in fixed if k not in covered), key=lambda k: (k[0], k[1])):
        ordered = sorted(fixed[key], key=lambda v: (v.window_start, v.apartment_id))
        visits.extend(
            SweepVisit(
                v.apartment_id, v.day, v.crew_id, v.window_start, v.window_end, i, fixed=True
            )
            for i, v in enumerate(ordered)
        )
    return visits
