"""Street-graph benchmark: build, cache load, snapping and matrices against networkx.

Usage: python benchmarks/streets_bench.py EXTRACT [--sizes 50 200 1000] [--seed 1]

Prints a table, writes benchmarks/results/streets.json and ends with one machine-readable line:
RESULT graph_nodes=<n> build_s=<s> load_s=<s> matrix200_speedup=<x> matrix1000_s=<s>

The networkx baseline is what a straightforward implementation does: one
``single_source_dijkstra_path_length`` per point (from the point's nearest node, by travel
time) on the same graph. Our figure is the full travel-time matrix between the snapped points
(partial edges at both ends included) from the contraction hierarchy; the exact scipy Dijkstra
engine is timed on the same points for reference.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

from sitecrew.streets import StreetNetwork, network_from_extract
from sitecrew.streets.engines import DijkstraEngine
from sitecrew.streets.matrix import costs_between

RESULTS = Path(__file__).resolve().parent / "results" / "streets.json"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def sample_points(network: StreetNetwork, count: int, *, seed: int) -> np.ndarray:
    """Random intersections moved by ~100 m, so points fall beside streets, not on nodes."""
    arrays = network.arrays
    rng = np.random.default_rng(seed)
    chosen = rng.choice(arrays.node_count, size=count, replace=False)
    to_metric, to_lonlat = arrays.to_metric(), arrays.to_lonlat()
    x, y = to_metric.transform(arrays.node_lon[chosen], arrays.node_lat[chosen])
    x, y = x + rng.normal(0, 100, count), y + rng.normal(0, 100, count)
    lon, lat = to_lonlat.transform(x, y)
    return np.column_stack([lon, lat])


def networkx_matrix_s(G: nx.MultiDiGraph, network: StreetNetwork, points) -> float:  # noqa: ANN001
    arrays = network.arrays
    nodes = arrays.node_osmid[arrays.edge_v[points.edge]]
    started = time.perf_counter()
    for node in track(nodes, description=f"networkx x{len(nodes)}", transient=True):
        nx.single_source_dijkstra_path_length(G, int(node), weight="travel_time")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    console = Console(width=150)
    rows: list[tuple[str, str]] = []
    results: dict[str, float | int | str] = {"extract": args.extract.name}

    with tempfile.TemporaryDirectory(prefix="streets-bench-") as cache:
        cache_dir = Path(cache)
        console.print(f"building {args.extract.name} ...")
        _network, build_s = timed(
            lambda: network_from_extract(args.extract, cache_directory=cache_dir)
        )
        results["build_s"] = build_s
        results["build_peak_mb"] = peak_mb()
        loaded, load_s = timed(
            lambda: network_from_extract(args.extract, cache_directory=cache_dir)
        )
        results["load_s"] = load_s
        _, topology_s = timed(lambda: loaded.topology)
        results["cch_topology_s"] = topology_s
        reloaded = network_from_extract(args.extract, cache_directory=cache_dir)
        _, topology_load_s = timed(lambda: reloaded.topology)
        results["cch_topology_cached_s"] = topology_load_s
        G, graph_load_s = timed(lambda: loaded.graph)
        results["graph_pickle_load_s"] = graph_load_s
        arrays = loaded.arrays
        results["graph_nodes"] = arrays.node_count
        results["graph_edges"] = arrays.edge_count
        rows += [
            ("graph", f"{arrays.node_count:,} nodes, {arrays.edge_count:,} edges"),
            ("build (read, simplify, speeds, arrays, save)", f"{build_s:.2f} s"),
            (
                "cache load (arrays, npz)",
                f"{load_s * 1000:.1f} ms ({build_s / load_s:,.0f}x faster)",
            ),
            ("cache load of networkx graph (pickle, lazy)", f"{graph_load_s:.2f} s"),
            (
                "CCH topology build / cached load",
                f"{topology_s:.2f} s / {topology_load_s * 1000:.1f} ms",
            ),
        ]

        snap_points = sample_points(loaded, 1000, seed=args.seed)
        loaded.snap(snap_points[:2])  # builds the R-tree once, like a long-running service
        _, snap_s = timed(lambda: loaded.snap(snap_points))
        results["snap1000_s"] = snap_s
        rows.append(("snap 1,000 points", f"{snap_s * 1000:.1f} ms"))

        fast = loaded.time_engine
        exact = DijkstraEngine(arrays, arrays.travel_time_ms)
        for n in args.sizes:
            points = loaded.snap(sample_points(loaded, n, seed=args.seed + n))
            ms = arrays.travel_time_ms
            cch, cch_s = timed(lambda: costs_between(fast, arrays, ms, points, points))  # noqa: B023
            dij, dij_s = timed(lambda: costs_between(exact, arrays, ms, points, points))  # noqa: B023
            if not np.array_equal(cch, dij):
                raise SystemExit(f"CCH and Dijkstra disagree at N={n}")
            nx_s = networkx_matrix_s(G, loaded, points)
            _both, both_s = timed(lambda: loaded.matrices(points))  # noqa: B023
            results[f"matrix{n}_s"] = cch_s
            results[f"matrix{n}_both_s"] = both_s
            results[f"matrix{n}_scipy_s"] = dij_s
            results[f"matrix{n}_networkx_s"] = nx_s
            results[f"matrix{n}_speedup"] = nx_s / cch_s
            results[f"matrix{n}_scipy_speedup"] = nx_s / dij_s
            rows.append(
                (
                    f"matrix N={n} (time)",
                    (
                        f"CCH {cch_s:.3f} s | scipy {dij_s:.3f} s | networkx {nx_s:.2f} s | "
                        f"speed-up CCH {nx_s / cch_s:,.0f}x, scipy {nx_s / dij_s:,.1f}x | "
                        f"time+distance {both_s:.3f} s"
                    ),
                )
            )
        results["peak_mb"] = peak_mb()
        rows.append(("peak memory (RSS)", f"{results['peak_mb']:.0f} MB"))

    table = Table(title=f"streets benchmark: {args.extract.name}")
    table.add_column("measure")
    table.add_column("result")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    speedup = results.get("matrix200_speedup", float("nan"))
    matrix1000 = results.get("matrix1000_s", float("nan"))
    print(
        f"RESULT graph_nodes={arrays.node_count} build_s={build_s:.2f} load_s={load_s:.4f} "
        f"matrix200_speedup={speedup:.1f} matrix1000_s={matrix1000:.3f}"
    )


if __name__ == "__main__":
    main()
