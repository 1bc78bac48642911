"""Street travel seconds between the places of an offer question, exactly as the planner's.

The day planner snaps every place to its nearest street edge and asks the street network for
the matrix between them (:func:`sitecrew.services.planning.problem.matrices_for`); an entry
depends only on its two places, so the same call between the same points gives the same
seconds. Here the new apartment is asked for in one call each way (one-to-many and
many-to-one over the contraction hierarchy, about a millisecond); legs between places already
on the crews' days are the same for every apartment, so they are kept per street network in a
bounded memo (travel between two points on one graph never changes, so it needs no
invalidation) and asked for only when new.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.streets import nearest_edges_for

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sitecrew.streets import SnappedPoints, StreetNetwork

#: Legs kept per street network (about 100 bytes each); the memo starts over when full.
MEMO_LEGS = 500_000

LonLat = tuple[float, float]
_memos: weakref.WeakKeyDictionary[StreetNetwork, dict[tuple[LonLat, LonLat], int]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


class PlaceTravel:
    """Travel seconds between places (indices into ``points``) and from and to one new place.

    Parameters
    ----------
    network
        The region's street network.
    points
        The question's distinct places (lon, lat), as the planner's ``Points`` holds them.
    new_place
        The index of the apartment being offered.

    Places beyond the network's snap limit are in :attr:`far`; the planner does not route jobs
    there (they stay unassigned as unreachable).
    """

    def __init__(self, network: StreetNetwork, points: Sequence[LonLat], new_place: int) -> None:
        self.network = network
        self.points = list(points)
        lonlat = np.asarray(self.points, dtype=np.float64).reshape(-1, 2)
        self.snapped = nearest_edges_for(network.edge_index, lonlat, max_distance_m=float("inf"))
        too_far = self.snapped.distance_m > network.max_snap_distance_m
        self.far = frozenset(int(i) for i in np.flatnonzero(too_far))
        self.new_place = new_place
        one = self.snapped.take([new_place])
        with np.errstate(invalid="ignore"):
            self._from_new = network.matrices(one, self.snapped).seconds[0]
            self._to_new = network.matrices(self.snapped, one).seconds[:, 0]
        self._legs: dict[tuple[int, int], int] = {}

    def prepare(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Make the legs between ``pairs`` of existing places known (one batch for the new)."""
        memo = _memo(self.network)
        missing = []
        for a, b in pairs:
            if a == b or self.new_place in {a, b}:
                continue
            key = (self.points[a], self.points[b])
            seconds = memo.get(key)
            if seconds is None:
                missing.append((a, b))
            else:
                self._legs[a, b] = seconds
        if missing:
            self._compute(missing, memo)

    def _compute(
        self, pairs: list[tuple[int, int]], memo: dict[tuple[LonLat, LonLat], int]
    ) -> None:
        sources = sorted({a for a, _ in pairs})
        targets = sorted({b for _, b in pairs})
        with np.errstate(invalid="ignore"):
            seconds = self.network.matrices(
                _take(self.snapped, sources), _take(self.snapped, targets)
            ).seconds
        row = {a: i for i, a in enumerate(sources)}
        col = {b: j for j, b in enumerate(targets)}
        with _lock:
            if len(memo) + len(pairs) > MEMO_LEGS:
                memo.clear()
            for a, b in pairs:
                value = int(seconds[row[a], col[b]])
                self._legs[a, b] = value
                memo[self.points[a], self.points[b]] = value

    def __call__(self, a: int, b: int) -> int:
        """Return the seconds from place ``a`` to place ``b`` (negative: no street path)."""
        if a == b:
            return 0
        if a == self.new_place:
            return int(self._from_new[b])
        if b == self.new_place:
            return int(self._to_new[a])
        found = self._legs.get((a, b))
        if found is None:
            self.prepare([(a, b)])
            found = self._legs[a, b]
        return found


def _memo(network: StreetNetwork) -> dict[tuple[LonLat, LonLat], int]:
    with _lock:
        memo = _memos.get(network)
        if memo is None:
            memo = {}
            _memos[network] = memo
        return memo


def _take(snapped: SnappedPoints, order: list[int]) -> SnappedPoints:
    return snapped.take(order)
