"""Travel-time and distance matrices: exact, asymmetric, and equal across engines."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sitecrew.streets import CCHEngine, DijkstraEngine, SnappedPoints, StreetNetwork
from sitecrew.streets.matrix import costs_between


def ms_weight(data: dict[int, dict[str, float]]) -> float:
    """networkx weight: the cheapest parallel edge in whole milliseconds (the engines' unit)."""
    return min(max(1.0, float(np.rint(d["travel_time"] * 1000))) for d in data.values())


def test_cch_equals_dijkstra_exactly_when_random_node_pairs(grunerlokka: StreetNetwork) -> None:
    """The contraction hierarchy returns the exact Dijkstra integers, for time and length."""
    arrays = grunerlokka.arrays
    rng = np.random.default_rng(3)
    sources = rng.integers(0, arrays.node_count, 60)
    targets = rng.integers(0, arrays.node_count, 80)
    for weights in (arrays.travel_time_ms, arrays.length_cm):
        exact = DijkstraEngine(arrays, weights).costs(sources, targets)
        fast = CCHEngine(arrays, weights, topology=grunerlokka.topology).costs(sources, targets)
        assert np.array_equal(exact, fast)


def test_node_costs_equal_networkx_when_random_pairs(
    grunerlokka: StreetNetwork, grunerlokka_graph: nx.MultiDiGraph
) -> None:
    """Engine costs equal networkx's shortest-path lengths on the same millisecond weights."""
    arrays = grunerlokka.arrays
    rng = np.random.default_rng(11)
    pairs = rng.integers(0, arrays.node_count, (40, 2))
    costs = grunerlokka.time_engine.costs(pairs[:, 0], pairs[:, 1])
    for k, (a, b) in enumerate(pairs):
        expected = nx.shortest_path_length(
            grunerlokka_graph,
            int(arrays.node_osmid[a]),
            int(arrays.node_osmid[b]),
            weight=lambda _u, _v, data: ms_weight(data),
        )
        assert costs[k, k] == expected


def _graph_with_points(
    network: StreetNetwork, graph: nx.MultiDiGraph, points: SnappedPoints
) -> nx.DiGraph:
    """networkx reference: split each snapped edge (and its twin) at the points on it."""
    arrays = network.arrays
    H = nx.DiGraph()
    H.add_weighted_edges_from(
        (u, v, ms_weight(graph.get_edge_data(u, v))) for u, v in set(graph.edges())
    )
    by_edge: dict[int, list[tuple[float, str]]] = {}
    for i in range(len(points)):
        by_edge.setdefault(int(points.edge[i]), []).append((float(points.fraction[i]), f"p{i}"))
    for edge, on_edge in by_edge.items():
        on_edge.sort()
        chains = [(edge, on_edge)]
        twin = int(arrays.edge_twin[edge])
        if twin >= 0:
            chains.append((twin, [(1 - t, name) for t, name in reversed(on_edge)]))
        for e, stops in chains:
            u, v = (
                int(arrays.node_osmid[arrays.edge_u[e]]),
                int(arrays.node_osmid[arrays.edge_v[e]]),
            )
            w = float(arrays.travel_time_ms[e])
            positions = [0.0] + [t for t, _ in stops] + [1.0]
            names = [u] + [name for _, name in stops] + [v]
            for a in range(len(names) - 1):
                H.add_edge(names[a], names[a + 1], weight=(positions[a + 1] - positions[a]) * w)
    return H


def test_point_matrix_equals_networkx_when_edges_are_split_at_the_points(
    grunerlokka: StreetNetwork, grunerlokka_graph: nx.MultiDiGraph, street_points: np.ndarray
) -> None:
    """Partial edges at both ends are costed as if the points were nodes on the streets."""
    points = grunerlokka.snap(street_points[:15])
    H = _graph_with_points(grunerlokka, grunerlokka_graph, points)
    arrays = grunerlokka.arrays
    costs = costs_between(grunerlokka.time_engine, arrays, arrays.travel_time_ms, points, points)
    for i in range(len(points)):
        lengths = nx.single_source_dijkstra_path_length(H, f"p{i}")
        expected = [lengths[f"p{j}"] for j in range(len(points))]
        assert costs[i] == pytest.approx(expected, abs=1e-6)


def test_one_way_street_costs_more_against_its_direction(grunerlokka: StreetNetwork) -> None:
    """Along a one-way edge the cost is the partial edge; the other way round it is a detour."""
    arrays = grunerlokka.arrays
    one_way = np.flatnonzero((arrays.edge_twin < 0) & (arrays.edge_u != arrays.edge_v))
    edge = int(one_way[np.argmax(arrays.travel_time_ms[one_way])])
    points = SnappedPoints(
        edge=np.array([edge, edge]),
        fraction=np.array([0.2, 0.8]),
        distance_m=np.zeros(2),
        lon=np.zeros(2),
        lat=np.zeros(2),
    )
    costs = costs_between(grunerlokka.time_engine, arrays, arrays.travel_time_ms, points, points)
    assert costs[0, 1] == pytest.approx(0.6 * arrays.travel_time_ms[edge])
    assert costs[1, 0] > costs[0, 1]


def test_matrices_are_asymmetric_integers_when_region_has_one_way_streets(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Seconds and metres are whole numbers, zero on the diagonal, and not symmetric."""
    points = grunerlokka.snap(street_points)
    matrices = grunerlokka.matrices(points)
    assert matrices.seconds.dtype == np.int64
    assert matrices.metres.dtype == np.int64
    assert np.all(np.diag(matrices.seconds) == 0)
    assert np.all(matrices.seconds[~np.eye(len(points), dtype=bool)] > 0)
    assert not np.array_equal(matrices.seconds, matrices.seconds.T)


def test_exact_and_fast_networks_agree_when_matrices_of_points(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Swapping the engine behind StreetNetwork changes no matrix entry."""
    exact = StreetNetwork(grunerlokka.arrays, engine="dijkstra")
    points = grunerlokka.snap(street_points)
    fast_m, exact_m = grunerlokka.matrices(points), exact.matrices(points)
    assert np.array_equal(fast_m.seconds, exact_m.seconds)
    assert np.array_equal(fast_m.metres, exact_m.metres)
