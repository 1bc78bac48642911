"""Street-graph fixtures: real extracts built once per session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from sitecrew.streets import (
    StreetNetwork,
    add_travel_times,
    graph_from_extract,
    load_graph,
    network_from_extract,
)

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty graph cache shared by the session's builds."""
    return tmp_path_factory.mktemp("graph-cache")


@pytest.fixture(scope="session")
def grunerlokka(osm_dir: Path, cache_dir: Path) -> StreetNetwork:
    """Grünerløkka, Oslo (2025 data, full tags): ~500 intersections, many one-way streets."""
    return network_from_extract(osm_dir / "oslo-grunerlokka.osm.pbf", cache_directory=cache_dir)


@pytest.fixture(scope="session")
def grunerlokka_graph(grunerlokka: StreetNetwork) -> nx.MultiDiGraph:
    """The networkx graph behind :func:`grunerlokka`, as cached by its build."""
    assert grunerlokka.cache_folder is not None
    return load_graph(grunerlokka.cache_folder)


@pytest.fixture(scope="session")
def uppsala_graph(osm_dir: Path) -> nx.MultiDiGraph:
    """Central Uppsala, Sweden: roads only, footways and service roads included in the file."""
    return add_travel_times(graph_from_extract(osm_dir / "uppsala-central-roads.osm.pbf"))


@pytest.fixture(scope="session")
def street_points(grunerlokka: StreetNetwork) -> np.ndarray:
    """40 seeded random lon/lat points inside the Grünerløkka graph's node extent."""
    arrays = grunerlokka.arrays
    rng = np.random.default_rng(7)
    lon = rng.uniform(np.quantile(arrays.node_lon, 0.1), np.quantile(arrays.node_lon, 0.9), 40)
    lat = rng.uniform(np.quantile(arrays.node_lat, 0.1), np.quantile(arrays.node_lat, 0.9), 40)
    return np.column_stack([lon, lat])
