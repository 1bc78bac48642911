"""Depot siting over real streets: the matrix, the chosen depots and the refusals."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pytest

from sitecrew.domain.siting import SitingStatus
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.candidates import CandidateDepot, candidates_from_extract
from sitecrew.services.expansion.demand import DemandSite, demand_from_extract
from sitecrew.services.expansion.siting import site_depots, siting_matrix_for
from sitecrew.streets import network_from_extract

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def lokka(osm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Grünerløkka's street network, its schools and residential areas, 12 sampled addresses."""
    extract = osm_dir / "oslo-grunerlokka.osm.pbf"
    network = network_from_extract(extract, cache_directory=tmp_path_factory.mktemp("graphs"))
    sites = demand_from_extract(extract, kinds=("school", "residential"))
    return network, sites, candidates_from_extract(extract, count=12, seed=3)


def test_p_median_over_streets_equals_brute_force(lokka: tuple):
    """Two depots of 12 candidates: the chosen pair is the best pair by the street matrix."""
    network, sites, candidates = lokka
    siting = site_depots(network, sites, candidates, 2)
    travel = siting.matrix.travel_s
    weights = np.array([s.minutes_per_year for s in sites])
    best = min(
        float(weights @ travel[:, list(pair)].min(axis=1))
        for pair in combinations(range(len(candidates)), 2)
    )
    assert siting.result.objective == pytest.approx(best)
    assert siting.result.status is SitingStatus.OPTIMAL
    assert len(siting.depots) == 2
    assert sum(len(siting.sites_of(j)) for j in siting.result.depots) == len(sites)


def test_matrix_is_seconds_from_candidate_to_site(lokka: tuple):
    """Within a small district every pair is reachable in 1 s to 15 min of driving."""
    network, sites, candidates = lokka
    matrix = siting_matrix_for(network, candidates, sites)
    assert matrix.travel_s.shape == (len(sites), len(candidates))
    assert np.isfinite(matrix.travel_s).all()
    assert matrix.travel_s.min() >= 0
    assert matrix.travel_s.max() < 15 * 60


def test_site_beyond_the_snap_limit_is_reported_unreachable(lokka: tuple):
    """A site 50 km out at sea is left out, listed, and assigned no depot."""
    network, sites, candidates = lokka
    at_sea = DemandSite("At sea", "customer", 11.5, 59.5, 3, 100.0, "file:line 2")
    siting = site_depots(network, [*sites[:5], at_sea], candidates, 1)
    assert siting.matrix.far_sites == (5,)
    assert siting.result.unreachable_sites == (5,)
    assert siting.result.assignment[5] is None


def test_coverage_needs_a_limit_and_covers_everything_nearby(lokka: tuple):
    """Without a limit coverage is refused; with 15 minutes one depot covers the district."""
    network, sites, candidates = lokka
    with pytest.raises(InvalidInputError, match="coverage needs a limit"):
        site_depots(network, sites, candidates, 1, objective="coverage")
    siting = site_depots(network, sites, candidates, 1, objective="coverage", limit_minutes=15)
    assert all(siting.result.covered)
    assert siting.result.objective == pytest.approx(sum(s.minutes_per_year for s in sites))


def test_bad_k_or_objective_is_refused(lokka: tuple):
    """k beyond the candidates and an unknown objective are typed errors before any matrix."""
    network, sites, _ = lokka
    one = [CandidateDepot("Lager", 10.76, 59.925, "file:line 2")]
    with pytest.raises(InvalidInputError, match="choose between 1 and 1"):
        site_depots(network, sites, one, 2)
    with pytest.raises(InvalidInputError, match="objective"):
        site_depots(network, sites, one, 1, objective="cheapest")  # type: ignore[arg-type]
