"""Expansion benchmark: site k depots for a region's schools and residential areas, exactly.

Usage: python benchmarks/expansion.py [EXTRACT] [--k 3] [--candidates 200]
       [--objective pmedian|coverage] [--limit-minutes 15] [--seed 1] [--time-limit 60]

EXTRACT defaults to ``malta.osm.pbf`` in the OSM directory (``SITECREW_OSM_DIR``). Sites are the
extract's schools and residential areas (work per year from the catalogue's default care
plans), candidates a seeded sample of its addresses, travel times the street graph's (built
once into the graph cache). Prints a table, writes benchmarks/results/expansion.json and ends
with one machine-readable line:
RESULT region=<r> sites=<n> candidates=<n> k=<k> objective=<x> gap_pct=<g> wall_s=<s>
(``wall_s`` is the whole run's wall-clock time: street graph, sites, candidates, matrix and
solve; the table shows each stage.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sitecrew.config import Settings
from sitecrew.domain.siting import SolveOptions
from sitecrew.errors import SitecrewError
from sitecrew.services.expansion.candidates import candidates_from_extract
from sitecrew.services.expansion.demand import demand_from_extract
from sitecrew.services.expansion.siting import site_depots
from sitecrew.streets import network_from_extract

RESULTS = Path(__file__).resolve().parent / "results" / "expansion.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", nargs="?", default=None, help="an .osm.pbf (default: malta)")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--objective", choices=("pmedian", "coverage"), default="pmedian")
    parser.add_argument("--limit-minutes", type=float, default=15.0, help="coverage limit")
    parser.add_argument("--seed", type=int, default=1, help="seed of the candidate sample")
    parser.add_argument("--time-limit", type=float, default=60.0, help="solver seconds")
    parser.add_argument("--gap", type=float, default=0.005, help="relative gap to prove")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    console = Console(stderr=True)
    osm = Settings.from_env(os.environ).osm
    extract = Path(args.extract) if args.extract else osm.directory / "malta.osm.pbf"
    region = extract.name.removesuffix(".osm.pbf")
    started = time.perf_counter()
    with console.status(f"street graph of {extract.name}"):
        network = network_from_extract(
            extract,
            cache_directory=osm.cache_directory,
            max_snap_distance_m=osm.max_snap_distance_m,
        )
        _ = network.topology
    graph_s = time.perf_counter() - started
    with console.status("sites and candidate depots"):
        sites = demand_from_extract(extract, kinds=("school", "residential"))
        candidates = candidates_from_extract(extract, count=args.candidates, seed=args.seed)
    with console.status(f"{args.objective} for k={args.k}"):
        siting = site_depots(
            network,
            sites,
            candidates,
            args.k,
            objective=args.objective,
            limit_minutes=args.limit_minutes,
            options=SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap),
        )
    total_s = time.perf_counter() - started
    result = siting.result
    table = Table(title=f"Depot siting: {region}, {args.objective}, k={args.k}")
    for column in ("figure", "value"):
        table.add_column(column)
    rows = {
        "sites (schools, residential)": f"{len(sites):,}",
        "work per year (hours)": f"{sum(s.minutes_per_year for s in sites) / 60:,.0f}",
        "candidates": f"{len(candidates):,}",
        "sites unreachable / beyond snap": f"{len(result.unreachable_sites)}",
        "candidates beyond snap": f"{len(siting.matrix.far_candidates)}",
        "graph load (s)": f"{graph_s:.2f}",
        "matrix (s)": f"{siting.matrix.matrix_s:.2f}",
        "solve (s)": f"{result.solve_s:.2f}",
        "objective": f"{result.objective:,.0f}",
        "bound": f"{result.bound:,.0f}",
        "gap (%)": f"{result.gap_pct:.4f}",
        "status": result.status.value,
    }
    for name, value in rows.items():
        table.add_row(name, value)
    for j, depot in zip(result.depots, siting.depots, strict=True):
        served = siting.sites_of(j)
        table.add_row(
            f"depot #{j}",
            f"{depot.name} ({depot.lon:.5f}, {depot.lat:.5f}): {len(served)} sites",
        )
    Console().print(table)
    results = {
        "region": region,
        "objective_kind": args.objective,
        "k": args.k,
        "sites": len(sites),
        "candidates": len(candidates),
        "unreachable_sites": len(result.unreachable_sites),
        "graph_s": round(graph_s, 3),
        "matrix_s": round(siting.matrix.matrix_s, 3),
        "solve_s": round(result.solve_s, 3),
        "total_s": round(total_s, 3),
        "objective": result.objective,
        "bound": result.bound,
        "gap_pct": result.gap_pct,
        "status": result.status.value,
        "depots": [
            {
                "index": j,
                "name": d.name,
                "lon": d.lon,
                "lat": d.lat,
                "sites": len(siting.sites_of(j)),
            }
            for j, d in zip(result.depots, siting.depots, strict=True)
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"RESULT region={region} sites={len(sites)} candidates={len(candidates)} k={args.k} "
        f"objective={result.objective:.0f} gap_pct={result.gap_pct:.4f} "
        f"wall_s={total_s:.2f}"
    )


if __name__ == "__main__":
    try:
        main()
    except SitecrewError as error:  # an extract the planner cannot use: say why, no traceback
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
