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
   order (:mod:`sitecrew.campaigns._sweep_pack`). Each day is packed with the whole entrances
   of the next few that fill it best (the walk's next one first), so that a stairwell is one
   visit with one setup; a stairwell larger than a day takes whole days and a remainder; a
   stairwell that fits a day is split only when the day would otherwise stay loose. Homes that
   must wait for an ``earliest`` day are placed on the first day they may be that has room.
5. **Overflow.** What a crew could not fit is offered to the owner's other crews' free room;
   what nobody can fit before the deadline is returned unplaced with the reason.
6. **Windows** per crew-day (:mod:`sitecrew.campaigns.windows`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.campaigns._sweep_pack import fill
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
        CrewDay(crew.crew_id, day, shift, work_budget(shift, settings, day), crew.visits_per_day)
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
        leftovers.extend(fill(walk.days, _entrances(territory), settings))
    for crew_index in order:
        if not leftovers:
            break
        leftovers = fill(walks[crew_index].days, _entrances_of(leftovers), settings)
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
