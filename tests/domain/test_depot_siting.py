"""Depot siting (p-median, maximal coverage) equals brute force over every choice of depots."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from sitecrew.domain.siting import (
    SitingStatus,
    SolveOptions,
    coverage_from_matrix,
    p_median_from_matrix,
)
from sitecrew.errors import InfeasiblePlanError, InvalidInputError

EXACT = SolveOptions(time_limit_s=30, mip_rel_gap=0.0)


def random_case(seed: int, sites: int, candidates: int, unreachable: float = 0.0):
    """Planar-ish travel times (seconds) with some pairs made unreachable, and weights."""
    rng = np.random.default_rng(seed)
    site_xy = rng.uniform(0, 5000, (sites, 2))
    depot_xy = rng.uniform(0, 5000, (candidates, 2))
    travel = np.rint(np.linalg.norm(site_xy[:, None] - depot_xy[None], axis=2) / 8.0)
    travel[rng.random(travel.shape) < unreachable] = np.inf
    return travel, rng.integers(1, 50, sites).astype(float)


def brute_p_median(travel, weights, k):
    """The least total over every k-subset whose depots reach every reachable site."""
    reachable = np.isfinite(travel).any(axis=1)
    best = np.inf
    for depots in combinations(range(travel.shape[1]), k):
        nearest = travel[reachable][:, list(depots)].min(axis=1)
        best = min(best, float(weights[reachable] @ nearest))
    return best


def brute_coverage(travel, weights, k, limit_s):
    """The most demand within ``limit_s`` over every k-subset."""
    return max(
        float(weights[(travel[:, list(depots)] <= limit_s).any(axis=1)].sum())
        for depots in combinations(range(travel.shape[1]), k)
    )


@pytest.mark.parametrize(
    ("seed", "k", "unreachable"),
    [(s, k, u) for s in range(6) for k in (1, 2, 3) for u in (0.0, 0.15)],
)
def test_p_median_equals_brute_force_when_small(seed, k, unreachable):
    """On 25 sites x 9 candidates the p-median objective is the brute-force optimum."""
    travel, weights = random_case(seed, 25, 9, unreachable)
    try:
        result = p_median_from_matrix(travel, weights, k, options=EXACT)
    except InfeasiblePlanError:
        assert brute_p_median(travel, weights, k) == np.inf
        return
    assert result.objective == pytest.approx(brute_p_median(travel, weights, k))
    assert result.status is SitingStatus.OPTIMAL
    assert result.gap_pct == pytest.approx(0.0, abs=1e-6)
    assert len(result.depots) == k


@pytest.mark.parametrize(
    ("seed", "k", "unreachable"),
    [(s, k, u) for s in range(6) for k in (1, 2, 3) for u in (0.0, 0.15)],
)
def test_coverage_equals_brute_force_when_small(seed, k, unreachable):
    """On 25 sites x 9 candidates the covered demand within 5 minutes is the brute-force best."""
    travel, weights = random_case(seed, 25, 9, unreachable)
    result = coverage_from_matrix(travel, weights, k, limit_s=300, options=EXACT)
    assert result.objective == pytest.approx(brute_coverage(travel, weights, k, 300))
    assert result.status is SitingStatus.OPTIMAL
    covered = np.array(result.covered)
    assert weights[covered].sum() == pytest.approx(result.objective)


def test_site_no_candidate_reaches_is_reported_and_left_out():
    """A site with only ``inf`` travel times is listed, unassigned, and adds nothing."""
    travel, weights = random_case(7, 12, 5)
    travel[4] = np.inf
    result = p_median_from_matrix(travel, weights, 2, options=EXACT)
    assert result.unreachable_sites == (4,)
    assert result.assignment[4] is None
    assert result.objective == pytest.approx(brute_p_median(travel, weights, 2))


def test_assignment_is_each_sites_nearest_open_depot():
    """Every served site is assigned to the open depot with its least travel time."""
    travel, weights = random_case(3, 30, 8)
    result = p_median_from_matrix(travel, weights, 3, options=EXACT)
    for site, depot in enumerate(result.assignment):
        assert travel[site, depot] == travel[site, list(result.depots)].min()


def test_p_median_is_infeasible_when_no_k_depots_reach_every_site():
    """Two islands need two depots: with one the model is refused, not half-solved."""
    travel = np.array([[10.0, np.inf], [20.0, np.inf], [np.inf, 5.0]])
    with pytest.raises(InfeasiblePlanError, match="reach every site"):
        p_median_from_matrix(travel, [1, 1, 1], 1)
    assert p_median_from_matrix(travel, [1, 1, 1], 2).objective == 35.0


@pytest.mark.parametrize(
    ("travel", "weights", "k", "message"),
    [
        ([[1.0, 2.0]], [1.0], 3, "k must lie between"),
        ([[1.0, 2.0]], [1.0, 2.0], 1, "one weight per site"),
        ([[1.0, -2.0]], [1.0], 1, "non-negative"),
        ([[1.0, 2.0]], [-1.0], 1, "non-negative"),
        ([1.0, 2.0], [1.0], 1, "matrix"),
    ],
)
def test_bad_input_is_a_typed_error(travel, weights, k, message):
    """Shapes, weights and k are checked before any solving."""
    with pytest.raises(InvalidInputError, match=message):
        p_median_from_matrix(travel, weights, k)
