"""Day-plan benchmark: plan the demo's busiest day over the central Oslo street graph.

Setup (timed and reported, but not part of the planned day): a fresh SpatiaLite database in a
temporary directory, the full demo world loaded into it (22,000 flats, 13 crews, 240 confirmed
two-hour installation appointments on 2026-06-02, furniture jobs due), and the Oslo street
graph built into a temporary cache. The in-process network memo is then cleared, so the timed
plan starts by loading the cached graph (and its contraction hierarchy) like a fresh process.

Timed, as ``sitecrew plan`` runs it: load the day from the database, load the cached graph, snap,
matrices, solve (the time limit is a parameter), road geometry, persist draft routes. The plan is
checked with the independent checker (``feasible``). Prints a table, one ``INSTANCE`` line and a
``RESULT`` line, and writes ``benchmarks/results/plan_day.json``.

Usage:
    .venv/bin/python benchmarks/plan_day.py [--time-limit 5] [--seed 1] [--osm-dir ../shared/osm]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sitecrew.cli.progress import progress_bar
from sitecrew.config import OsmSettings
from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.routes import PlanOptions
from sitecrew.routing.check import violations_in
from sitecrew.services.demo import load_demo
from sitecrew.services.graphs import clear_networks, get_network
from sitecrew.services.planning.runs import PlanOutcome, plan_day

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "plan_day.json"
DAY = date(2026, 6, 2)
REGION = "Oslo sentrum"


def prepare(folder: Path, osm: OsmSettings) -> tuple[str, dict[str, float]]:
    """Create the demo database and the graph cache; return the URL and setup timings."""
    setup: dict[str, float] = {}
    started = time.perf_counter()
    url = f"sqlite:///{folder / 'plan_day.db'}"
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        load_demo(session, osm.directory / "oslo.osm.pbf", region_name=REGION, plan_day=DAY)
    engine.dispose()
    setup["demo_load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    get_network("oslo", settings=osm)
    clear_networks()
    setup["graph_build_s"] = time.perf_counter() - started
    return url, setup


def plan(url: str, osm: OsmSettings, *, time_limit: float, seed: int) -> tuple[PlanOutcome, float]:
    """Plan the day as the CLI does; return the outcome and the wall time."""
    engine = engine_from_url(url)
    options = PlanOptions(seed=seed, time_limit_s=time_limit)
    started = time.perf_counter()
    with progress_bar() as progress, session_factory(engine).begin() as session:
        outcome = plan_day(
            session, region=REGION, day=DAY, osm=osm, options=options, progress=progress
        )
    wall = time.perf_counter() - started
    engine.dispose()
    return outcome, wall


def report(outcome: PlanOutcome, wall: float, setup: dict[str, float]) -> dict[str, object]:
    """Print the table and the result lines; return the figures for the JSON file."""
    summary = outcome.summary
    solved = outcome.solved
    violations = violations_in(solved.problem, solved.plan)
    distance = sum(r.distance_m for r in solved.plan.routes)
    table = Table(
        title=f"Day plan {REGION} {DAY} ({summary['jobs']} jobs, {summary['crews']} crews)"
    )
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for stage, seconds in summary["timings_s"].items():
        table.add_row(stage, f"{seconds:.3f}")
    table.add_row("total (wall)", f"{wall:.3f}")
    for name, seconds in setup.items():
        table.add_row(f"setup: {name} (excluded)", f"{seconds:.3f}")
    Console().print(table)
    print(
        f"INSTANCE oslo-{DAY} cost={solved.plan.objective} distance={distance} "
        f"vehicles={summary['routes']} feasible={str(not violations).lower()} "
        f"time_s={wall:.2f}"
    )
    print(
        f"RESULT visits={summary['visits']} crews={summary['crews']} "
        f"unassigned={summary['unassigned']} wall_s={wall:.2f}"
    )
    return {
        "instance": f"oslo-{DAY}",
        "objective": solved.plan.objective,
        "solver_distance_m": distance,
        "driven_distance_m": summary["distance_m"],
        "violations": list(violations),
        "wall_s": round(wall, 3),
        "setup_s": {k: round(v, 3) for k, v in setup.items()},
        **summary,
    }


def main() -> None:
    """Parse arguments, set up, plan, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--osm-dir", type=Path, default=ROOT.parent / "shared" / "osm")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitecrew-plan-day-") as folder:
        osm = OsmSettings(directory=args.osm_dir, cache_directory=Path(folder) / "graphs")
        url, setup = prepare(Path(folder), osm)
        outcome, wall = plan(url, osm, time_limit=args.time_limit, seed=args.seed)
        figures = report(outcome, wall, setup)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"peak memory (whole process, demo load included): {figures['peak_rss_mb']} MB")
    figures["time_limit_s"] = args.time_limit
    figures["seed"] = args.seed
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
