"""Filling a crew's days from its walk: whole entrances packed tightly, larger ones in fewest days.

A crew walks its territory entrance by entrance. Taking the entrances strictly in order and
splitting whichever one does not fit the rest of a day splits about one stairwell a day, so
tenants of one stairwell meet the crew on two days and the crew sets up twice. Instead each day
is *packed*: from the next :data:`PACK_WINDOW` entrances of the walk (a few neighbouring
buildings) it takes the whole entrances that fill the day's rest best, always including the
walk's next entrance when it fits, so that the walk moves on and nothing is left behind (the
window never reaches more than :data:`PACK_WINDOW` entrances past the oldest one waiting).

Whole entrances alone leave days loose where stairwells are large (an entrance of nine homes is
three quarters of a day), and a loose day costs the campaign working days. So a day still below
:data:`TIGHT_DAY` after packing takes the first homes of a stairwell larger than a day (which
splits anyway): first one for which that costs no extra day, else one for which it costs one.
Only when no such stairwell is near and the day would stay below :data:`SPLIT_BELOW` does a
stairwell that fits a day split, over two consecutive days. A split stairwell's rest goes to the
walk's front: a fresh day takes it whole-day by whole-day, and its remainder is packed like any
entrance.

A day's cost is :class:`~sitecrew.campaigns.days.CrewDay`'s: homes' minutes, one setup per
entrance per day, one move per building the day adds after its first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.campaigns.days import CrewDay
    from sitecrew.domain.campaigns import SweepHome, SweepSettings

#: How many entrances ahead of the walk a day looks for whole entrances that fill it.
PACK_WINDOW = 10
#: A day filled to this share of its budget is tight: the walk's next entrance is not passed
#: over for a tighter day.
TIGHT_DAY = 0.9
#: How many days may pass over the walk's next entrance for a tighter fill before one must take it.
MAX_PASSES = 2
#: A day that whole entrances and larger stairwells leave below this share of its budget takes
#: the first homes of the walk's next stairwell (split over two days) rather than stay loose.
SPLIT_BELOW = 0.9
#: Minutes of a day's rest below which the search stops looking for a tighter fill.
GOOD_ENOUGH_MINUTES = 5.0
#: Search nodes per packing at most; a window of ten entrances rarely needs a hundred.
SEARCH_LIMIT = 4000

_EPSILON = 1e-9
#: Rests of split stairwells go to the walk's front; the window looks this much further.
_FRONT_PIECES = 3


@dataclass(frozen=True)
class _Item:
    """One entrance of the window as the search sees it."""

    minutes: float  # homes' minutes plus a setup (when the day has not set up there yet)
    homes: int
    building: int


def fill(
    days: Sequence[CrewDay], groups: list[list[SweepHome]], settings: SweepSettings
) -> list[SweepHome]:
    """Walk ``groups`` (entrances) over ``days`` in order; return the homes that did not fit.

    Homes whose ``earliest`` day has not come wait, and are placed home by home on the first day
    they may be that has room.
    """
    walk = _Walk(deque(groups), settings)
    waiting: list[SweepHome] = []
    for day in days:
        if not walk.queue and not waiting:
            break
        waiting = _place_waiting(day, waiting, settings)
        walk.fill_day(day, waiting)
    rest = [home for group in walk.queue for home in group]
    return rest + sorted(waiting, key=lambda h: (h.earliest, h.apartment_id))


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


class _Walk:
    """The entrances a crew still has to visit, in walking order, and how often each was passed."""

    def __init__(self, queue: deque[list[SweepHome]], settings: SweepSettings) -> None:
        self.queue = queue
        self.settings = settings
        self.passes: dict[tuple[int, int], int] = {}
        # Each entrance's place in the walk: the window never reaches further than
        # PACK_WINDOW entrances past the oldest one still waiting, so nothing is left behind.
        self.rank: dict[tuple[int, int], int] = {}
        # Entrances with a home that must wait for an ``earliest`` day (few: re-visits).
        self.waits: set[tuple[int, int]] = set()
        for rank, group in enumerate(queue):
            self.rank.setdefault(_key(group), rank)
            if any(h.earliest is not None for h in group):
                self.waits.add(_key(group))

    def fill_day(self, day: CrewDay, waiting: list[SweepHome]) -> None:
        """Fill ``day`` from the walk; homes that must wait for a later day go to ``waiting``."""
        while self.queue and day.visits < day.max_visits:
            head = _due_part(self.queue, day, waiting)
            if not head:
                continue
            if not self._fits_a_day(day, head) and self._start_big(day, 0, head):
                return
            if self._pack(day):
                continue
            if day.used < TIGHT_DAY * day.budget:
                self._fill_rest(day)
            return

    def _fits_a_day(self, day: CrewDay, group: Sequence[SweepHome]) -> bool:
        """Whether ``group`` fits a day like ``day`` with nothing else on it."""
        cost = sum(h.minutes for h in group) + self.settings.setup_minutes_per_entrance
        return len(group) <= day.max_visits and cost <= day.budget + _EPSILON

    def _fill_rest(self, day: CrewDay) -> None:
        """Fill a day that whole entrances leave loose by starting a stairwell in its rest.

        A stairwell larger than a day goes first where that costs it no extra day, then where
        it costs one; a stairwell that fits a day is split only when the day would otherwise
        stay below :data:`SPLIT_BELOW` of its budget.
        """
        window = self._window(day)
        for position, group in window:
            if not self._fits_a_day(day, group) and self._start_big(day, position, group):
                return
        for position, group in window:
            if not self._fits_a_day(day, group) and self._start(day, position, group):
                return
        if day.used < SPLIT_BELOW * day.budget and window:
            position, group = window[0]
            self._start(day, position, group)

    def _start_big(self, day: CrewDay, position: int, group: list[SweepHome]) -> bool:
        """Start a stairwell larger than a day here if that costs it no extra day.

        Its first homes fill the day; the rest moves to the walk's front, so that it goes on the
        next day (whole days, then a remainder packed like any entrance). Returns whether any
        home went on the day.
        """
        fresh = _days_needed(group, day.budget, day.max_visits, day, self.settings)
        room = day.room - self._move(day, group[0])
        here = _days_needed(group, room, day.max_visits - day.visits, day, self.settings)
        if here > fresh:
            return False
        return self._start(day, position, group)

    def _start(self, day: CrewDay, position: int, group: list[SweepHome]) -> bool:
        """Place ``group``'s first homes that fit the day; its rest goes to the walk's front."""
        placed = 0
        for home in group:
            if not day.fits(home, self.settings):
                break
            day.add(home, self.settings)
            placed += 1
        if placed == 0:
            return False
        del self.queue[position]
        if placed < len(group):
            self.queue.appendleft(group[placed:])
        return True

    def _move(self, day: CrewDay, home: SweepHome) -> float:
        new_building = day.buildings and home.building_id not in day.buildings
        return self.settings.minutes_between_buildings if new_building else 0.0

    def _pack(self, day: CrewDay) -> bool:
        """Place the best-filling whole entrances of the window on ``day``; whether any went."""
        window = self._window(day)
        if not window:
            return False
        items = [self._item(day, group) for _, group in window]
        room, visits = day.room, day.max_visits - day.visits
        head_item = items[0] if window[0][0] == 0 else None
        chosen: tuple[int, ...] = ()
        if (
            head_item is not None
            and head_item.homes <= visits
            and head_item.minutes + _move_cost(head_item, day, self.settings, ()) <= room + _EPSILON
        ):
            with_head = _Search(items, room, visits, day, self.settings).best(forced=True)
            chosen = with_head[1]
            tight = day.used + with_head[0] >= TIGHT_DAY * day.budget - _EPSILON
            key = _key(self.queue[0])
            if not tight and self.passes.get(key, 0) < MAX_PASSES:
                without = _Search(items, room, visits, day, self.settings).best(skip_first=True)
                if without[0] > with_head[0] + (1.0 - TIGHT_DAY) * day.budget / 2:
                    chosen = without[1]
                    self.passes[key] = self.passes.get(key, 0) + 1
        else:
            chosen = _Search(items, room, visits, day, self.settings).best()[1]
        if not chosen:
            return False
        for index in chosen:
            for home in window[index][1]:
                day.add(home, self.settings)
        for index in sorted((window[i][0] for i in chosen), reverse=True):
            del self.queue[index]
        return True

    def _window(self, day: CrewDay) -> list[tuple[int, list[SweepHome]]]:
        """Return the next entrances (queue position, homes) that may all be visited on ``day``."""
        front = [self.queue[p] for p in range(min(PACK_WINDOW + _FRONT_PIECES, len(self.queue)))]
        keys = [_key(group) for group in front]
        reach = min(self.rank[key] for key in keys) + PACK_WINDOW
        return [
            (position, group)
            for position, (key, group) in enumerate(zip(keys, front, strict=True))
            if self.rank[key] < reach and (key not in self.waits or _due(group, day))
        ]

    def _item(self, day: CrewDay, group: Sequence[SweepHome]) -> _Item:
        first = group[0]
        setup = (first.building_id, first.entrance) not in day.entrances
        minutes = sum(h.minutes for h in group) + self.settings.setup_minutes_per_entrance * setup
        return _Item(minutes, len(group), first.building_id)


def _move_cost(
    item: _Item, day: CrewDay, settings: SweepSettings, buildings: tuple[int, ...]
) -> float:
    """Return the move an item adds: one when the day has a building and the item's is new."""
    if item.building in day.buildings or item.building in buildings:
        return 0.0
    return settings.minutes_between_buildings if (day.buildings or buildings) else 0.0


class _Search:
    """Depth-first search for the whole entrances of a window that fill a day's rest best.

    Entrances are tried in walking order, taking one before leaving it out, so that of two
    equally good fills the one nearer the walk's front wins. The search stops once the rest of
    the day is within :data:`GOOD_ENOUGH_MINUTES` or after :data:`SEARCH_LIMIT` nodes.
    """

    def __init__(
        self,
        items: Sequence[_Item],
        room: float,
        visits: int,
        day: CrewDay,
        settings: SweepSettings,
    ) -> None:
        self.items = items
        self.room = room
        self.visits = visits
        self.day = day
        self.settings = settings
        self.best_used = 0.0
        self.best_chosen: tuple[int, ...] = ()
        self.nodes = 0
        # The most the items from i on can add (moves included), to prune hopeless branches.
        self.tail = [0.0] * (len(items) + 1)
        for i in range(len(items) - 1, -1, -1):
            self.tail[i] = self.tail[i + 1] + items[i].minutes + settings.minutes_between_buildings

    def best(
        self, *, forced: bool = False, skip_first: bool = False
    ) -> tuple[float, tuple[int, ...]]:
        """Return the best fill's minutes and item indices (with or without the first item)."""
        if forced:
            first = self.items[0]
            used = first.minutes + _move_cost(first, self.day, self.settings, ())
            self._go(1, used, first.homes, (first.building,), (0,))
        else:
            self._go(1 if skip_first else 0, 0.0, 0, (), ())
        return self.best_used, self.best_chosen

    def _go(
        self,
        index: int,
        used: float,
        homes: int,
        buildings: tuple[int, ...],
        chosen: tuple[int, ...],
    ) -> None:
        self.nodes += 1
        if used > self.best_used + _EPSILON:
            self.best_used, self.best_chosen = used, chosen
        if (
            index == len(self.items)
            or self.room - self.best_used <= GOOD_ENOUGH_MINUTES
            or self.nodes > SEARCH_LIMIT
            or used + self.tail[index] <= self.best_used + _EPSILON
        ):
            return
        item = self.items[index]
        move = _move_cost(item, self.day, self.settings, buildings)
        if homes + item.homes <= self.visits and used + item.minutes + move <= self.room + _EPSILON:
            self._go(
                index + 1,
                used + item.minutes + move,
                homes + item.homes,
                (*buildings, item.building),
                (*chosen, index),
            )
        self._go(index + 1, used, homes, buildings, chosen)


def _due(group: Sequence[SweepHome], day: CrewDay) -> bool:
    return all(h.earliest is None or h.earliest <= day.day for h in group)


def _key(group: Sequence[SweepHome]) -> tuple[int, int]:
    return group[0].building_id, group[0].entrance


def _days_needed(
    group: Sequence[SweepHome],
    first_room: float,
    first_visits: int,
    day: CrewDay,
    settings: SweepSettings,
) -> int:
    """Return how many days like ``day`` ``group`` takes, starting with ``first_room`` minutes."""
    setup = settings.setup_minutes_per_entrance
    days, room, visits, started = 1, first_room - setup, first_visits, False
    for home in group:
        if visits < 1 or home.minutes > room + _EPSILON:
            days += started
            room, visits = day.budget - setup, day.max_visits
        room -= home.minutes
        visits -= 1
        started = True
    return days


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
