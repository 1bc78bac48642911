"""Solomon VRPTW benchmark of the route solver facade (sitecrew.routing.solve_problem).

Each instance goes through the same code path as a crew day: vrplib reads it,
``problem_from_instance`` turns it into a RoutingProblem (customers = required jobs, vehicles =
identical crews), ``solve_problem`` solves it with a seed and a time limit, and the independent
checker ``violations_in`` verifies the plan without the solver.

Convention: DIMACS (every arc truncated to one decimal, travel time = distance), solved in exact
integer tenths (scale 10). The gap is to ``trunc_distance`` of bks_distance_only.csv (the
distance-only best known, stated in the same convention). The plan is also re-measured with
exact Euclidean arithmetic: exact distance, its gap to ``exact_distance`` where published, and
whether the plan is still feasible with exact times. The hierarchical BKS (bks.csv: vehicles
first) is shown for reference.

Usage:
    .venv/bin/python benchmarks/vrptw_solomon.py [--time-limit 10] [--instances 'R1*'] [--jobs 1]
    .venv/bin/python benchmarks/vrptw_solomon.py path/to/instance.vrp   # VRPLIB, explicit matrix
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import vrplib

from sitecrew.routing.check import violations_in
from sitecrew.routing.instances import problem_from_instance
from sitecrew.routing.solve import solve_problem

ROOT = Path(__file__).resolve().parent.parent
SOLOMON = ROOT.parent / "shared" / "vrp" / "solomon"
RESULTS = ROOT / "benchmarks" / "results" / "solomon.json"


def _read_bks() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    def read(name: str) -> dict[str, dict[str, str]]:
        path = SOLOMON / name
        if not path.exists():
            return {}
        with path.open() as handle:
            return {row["instance"]: row for row in csv.DictReader(handle)}

    return read("bks_distance_only.csv"), read("bks.csv")


def _exact(instance: dict, routes: list[list[int]]) -> tuple[float, bool]:
    """Return exact Euclidean distance and whether the routes keep every window with exact times."""
    coords = np.asarray(instance["node_coord"], dtype=float)
    windows = np.asarray(instance["time_window"], dtype=float)
    service = np.asarray(instance["service_time"], dtype=float)
    total, feasible = 0.0, True
    for route in routes:
        time_now, previous = windows[0, 0], 0
        for node in [*route, 0]:
            leg = math.dist(coords[previous], coords[node])
            total += leg
            time_now = max(time_now + leg, windows[node, 0])
            feasible &= time_now <= windows[node, 1] + 1e-9
            time_now += service[node]
            previous = node
    return total, bool(feasible)


def run_one(path: str, time_limit: float, seed: int) -> dict:
    """Solve one instance and return its measured figures."""
    source = Path(path)
    solomon = source.suffix.lower() == ".txt"
    instance = vrplib.read_instance(source, instance_format="solomon" if solomon else "vrplib")
    scale = 10 if solomon else 1
    problem = problem_from_instance(instance, scale=scale, truncate=solomon)
    started = time.perf_counter()
    plan = solve_problem(problem, seed=seed, time_limit_s=time_limit)
    elapsed = time.perf_counter() - started
    violations = violations_in(problem, plan)
    routes = [[int(j) for j in r.job_ids] for r in plan.routes if r.job_ids]
    result = {
        "instance": instance.get("name", source.stem),
        "cost": plan.objective,
        "distance": sum(r.distance_m for r in plan.routes) / scale,
        "vehicles": len(routes),
        "feasible": not violations and not plan.unassigned,
        "violations": list(violations[:5]),
        "time_s": round(elapsed, 2),
        "iterations": plan.iterations,
    }
    if solomon:
        exact, exact_ok = _exact(instance, routes)
        result |= {"exact_distance": round(exact, 4), "exact_feasible": exact_ok}
    return result


def _class(name: str) -> str:
    match = re.match(r"([A-Za-z]+)(\d)", name)
    return f"{match.group(1).upper()}{match.group(2)}" if match else "other"


def _add_gaps(result: dict, trunc: dict, hierarchical: dict) -> None:
    row = trunc.get(result["instance"])
    if row:
        best = float(row["trunc_distance"])
        result["bks_distance"] = best
        result["gap_pct"] = 100 * (result["distance"] - best) / best
        if row.get("exact_distance") and "exact_distance" in result:
            exact = float(row["exact_distance"])
            result["exact_gap_pct"] = 100 * (result["exact_distance"] - exact) / exact
    row = hierarchical.get(result["instance"])
    if row:
        result["bks_hier_vehicles"] = int(row["vehicles"])
        result["bks_hier_distance"] = float(row["distance"])


def _print_table(results: list[dict]) -> None:
    classes: dict[str, list[dict]] = {}
    for r in results:
        classes.setdefault(_class(r["instance"]), []).append(r)
    print()
    print(
        f"{'class':<6}{'n':>4}{'gap%':>9}{'exact gap%':>12}{'vehicles':>10}{'bks veh':>9}"
        f"{'time s':>9}{'feasible':>10}{'exact feas':>12}"
    )
    for name, rows in sorted(classes.items()):
        gaps = [r["gap_pct"] for r in rows if "gap_pct" in r]
        exact_gaps = [r["exact_gap_pct"] for r in rows if "exact_gap_pct" in r]
        print(
            f"{name:<6}{len(rows):>4}"
            f"{statistics.fmean(gaps) if gaps else float('nan'):>9.3f}"
            f"{statistics.fmean(exact_gaps) if exact_gaps else float('nan'):>12.3f}"
            f"{statistics.fmean(r['vehicles'] for r in rows):>10.2f}"
            f"{statistics.fmean(r.get('bks_hier_vehicles', 0) for r in rows):>9.2f}"
            f"{statistics.fmean(r['time_s'] for r in rows):>9.2f}"
            f"{sum(r['feasible'] for r in rows):>7}/{len(rows):<2}"
            f"{sum(r.get('exact_feasible', False) for r in rows):>9}/{len(rows):<2}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="VRPLIB files (explicit matrix, windows)")
    parser.add_argument("--instances", default="*.txt", help="glob inside the Solomon folder")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    pattern = args.instances if args.instances.endswith(".txt") else f"{args.instances}.txt"
    paths = [str(p) for p in args.paths] or sorted(str(p) for p in SOLOMON.glob(pattern))
    trunc, hierarchical = _read_bks()
    print(
        f"# convention: DIMACS one-decimal truncation (scale 10), gap to trunc_distance; "
        f"time limit {args.time_limit} s, seed {args.seed}, {len(paths)} instances"
    )
    results = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, p, args.time_limit, args.seed) for p in paths]
        for future in futures:
            result = future.result()
            _add_gaps(result, trunc, hierarchical)
            results.append(result)
            print(
                f"INSTANCE {result['instance']} cost={result['cost']} "
                f"distance={result['distance']:.1f} vehicles={result['vehicles']} "
                f"feasible={str(result['feasible']).lower()} time_s={result['time_s']:.2f}"
                + (f" gap_pct={result['gap_pct']:.3f}" if "gap_pct" in result else ""),
                flush=True,
            )
    _print_table(results)
    gaps = [r["gap_pct"] for r in results if "gap_pct" in r]
    mean_gap = statistics.fmean(gaps) if gaps else float("nan")
    infeasible = sum(not r["feasible"] for r in results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "mean_gap_pct": mean_gap,
        "infeasible": infeasible,
        "convention": "DIMACS one-decimal truncation",
        "instances": results,
    }
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"RESULT instances={len(results)} mean_gap_pct={mean_gap:.3f} "
        f"infeasible={infeasible} time_limit_s={args.time_limit:g}"
    )


if __name__ == "__main__":
    main()
