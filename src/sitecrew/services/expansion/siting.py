"""Depot siting over a region's streets: candidate-to-site travel times, then the exact choice.

The choice of ``k`` depots is the p-median or the maximal coverage of
:mod:`sitecrew.domain.siting`.

Both sides are snapped to the street graph; a site or candidate farther than the snap limit
from any street gets no travel times (such a site is reported as unreachable, such a candidate
is never chosen), and pairs with no street path between them (islands, a one-way dead end) are
``inf``. Travel is one way, candidate to site, in whole seconds of free-flow driving; the
weight of a site is its care work per year (minutes), so the p-median objective is
"minute-weighted seconds" and favours depots near the big sites.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from sitecrew.domain.siting import (
    SitingObjective,
    SitingResult,
    SolveOptions,
    coverage_from_matrix,
    p_median_from_matrix,
)
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.candidates import CandidateDepot
from sitecrew.services.expansion.demand import DemandSite
from sitecrew.streets.engines import UNREACHABLE
from sitecrew.streets.matrix import costs_between
from sitecrew.streets.snap import nearest_edges_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.streets import SnappedPoints, StreetNetwork

#: Costs at or above this (milliseconds) mean "no path" (the engines' sentinel, with margin).
_NO_PATH_MS = UNREACHABLE / 2
#: Longest coverage limit accepted (minutes): beyond a day's drive coverage means nothing.
MAX_LIMIT_MINUTES = 24 * 60


@dataclass(frozen=True, eq=False)
class SitingMatrix:
    """Travel times from candidates to sites over the street graph.

    Attributes
    ----------
    travel_s
        ``(sites, candidates)`` seconds, ``inf`` where there is no path (the domain's layout).
    far_sites, far_candidates
        Indices farther than the snap limit from any street (their rows / columns are ``inf``).
    matrix_s
        Wall-clock seconds spent snapping and computing the matrix.
    """

    travel_s: NDArray[np.float64]
    far_sites: tuple[int, ...]
    far_candidates: tuple[int, ...]
    matrix_s: float


@dataclass(frozen=True)
class DepotSiting:
    """A solved siting with its inputs, so callers can name depots and sites.

    Attributes
    ----------
    sites, candidates
        The inputs, in the order the result's indices refer to.
    matrix
        The travel times the solve used.
    result
        Depots (candidate indices), assignment per site, objective, bound, gap, status.
    """

    sites: tuple[DemandSite, ...]
    candidates: tuple[CandidateDepot, ...]
    matrix: SitingMatrix
    result: SitingResult

    @property
    def depots(self) -> list[CandidateDepot]:
        """Return the chosen candidates."""
        return [self.candidates[j] for j in self.result.depots]

    def sites_of(self, depot: int) -> list[DemandSite]:
        """Return the sites assigned to candidate ``depot`` (an index into ``candidates``)."""
        return [s for s, j in zip(self.sites, self.result.assignment, strict=True) if j == depot]


def siting_matrix_for(
    network: StreetNetwork, candidates: Sequence[CandidateDepot], sites: Sequence[DemandSite]
) -> SitingMatrix:
    """Return the ``(sites, candidates)`` travel times over ``network``.

    Parameters
    ----------
    network
        The region's street network (``services.graphs.get_network``).
    candidates, sites
        Both sides; each snapped to its nearest street.

    Returns
    -------
    SitingMatrix
        Seconds candidate to site; ``inf`` for no path or a point beyond the snap limit.
    """
    started = time.perf_counter()
    depots, far_depots = _snapped(network, [(c.lon, c.lat) for c in candidates])
    places, far_places = _snapped(network, [(s.lon, s.lat) for s in sites])
    arrays = network.arrays
    ms = costs_between(network.time_engine, arrays, arrays.travel_time_ms, depots, places)
    seconds = np.where(ms >= _NO_PATH_MS, np.inf, np.rint(ms / 1000.0)).T
    seconds[list(far_places), :] = np.inf
    seconds[:, list(far_depots)] = np.inf
    return SitingMatrix(
        travel_s=np.ascontiguousarray(seconds),
        far_sites=far_places,
        far_candidates=far_depots,
        matrix_s=time.perf_counter() - started,
    )


def _snapped(
    network: StreetNetwork, points: list[tuple[float, float]]
) -> tuple[SnappedPoints, tuple[int, ...]]:
    snapped = nearest_edges_for(network.edge_index, points, max_distance_m=float("inf"))
    far = np.flatnonzero(snapped.distance_m > network.max_snap_distance_m)
    return snapped, tuple(int(i) for i in far)


def site_depots(
    network: StreetNetwork,
    sites: Sequence[DemandSite],
    candidates: Sequence[CandidateDepot],
    k: int,
    *,
    objective: Literal["pmedian", "coverage"] = "pmedian",
    limit_minutes: float | None = None,
    options: SolveOptions | None = None,
) -> DepotSiting:
    """Choose ``k`` of ``candidates`` as depots for ``sites`` over the region's streets.

    Parameters
    ----------
    network
        The region's street network.
    sites
        Demand (``demand_from_extract`` / ``demand_from_csv``); weighted by minutes per year.
    candidates
        Possible depots (``candidates_from_extract`` / ``candidates_from_csv``).
    k
        Depots to open.
    objective
        ``pmedian`` (least work-weighted travel time) or ``coverage`` (most work within
        ``limit_minutes`` of a depot).
    limit_minutes
        The coverage limit; required for ``coverage``, ignored by ``pmedian``.
    options
        Time limit and relative gap of the solve.

    Returns
    -------
    DepotSiting
        The inputs, the matrix and the proven result.

    Raises
    ------
    InvalidInputError
        When there are no sites or candidates, ``k`` is out of range, the objective is unknown
        or the coverage limit is missing or out of range.
    InfeasiblePlanError
        When no ``k`` candidates together reach every reachable site (p-median).
    """
    kind = _checked(sites, candidates, k, objective, limit_minutes)
    matrix = siting_matrix_for(network, candidates, sites)
    weights = np.array([s.minutes_per_year for s in sites], dtype=np.float64)
    if kind is SitingObjective.P_MEDIAN:
        result = p_median_from_matrix(matrix.travel_s, weights, k, options=options)
    else:
        limit_s = float(limit_minutes or 0) * 60
        result = coverage_from_matrix(matrix.travel_s, weights, k, limit_s=limit_s, options=options)
    return DepotSiting(tuple(sites), tuple(candidates), matrix, result)


def _checked(
    sites: Sequence[DemandSite],
    candidates: Sequence[CandidateDepot],
    k: int,
    objective: str,
    limit_minutes: float | None,
) -> SitingObjective:
    if not sites:
        msg = "there are no sites to serve"
        raise InvalidInputError(msg)
    if not 1 <= k <= len(candidates):
        msg = f"choose between 1 and {len(candidates)} depots (the candidates), not {k}"
        raise InvalidInputError(msg)
    try:
        kind = SitingObjective(objective)
    except ValueError:
        msg = f"objective must be pmedian or coverage, not {objective[:20]!r}"
        raise InvalidInputError(msg) from None
    if kind is SitingObjective.COVERAGE and not (
        limit_minutes is not None and 0 < limit_minutes <= MAX_LIMIT_MINUTES
    ):
        msg = f"coverage needs a limit between 0 and {MAX_LIMIT_MINUTES} minutes"
        raise InvalidInputError(msg)
    return kind
