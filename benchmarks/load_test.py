"""Mixed load at 32, 128 and 256 concurrent clients, then the database's invariants.

Usage: ``python benchmarks/load_test.py [--seconds 25] [--clients 32,128,256]``

Setup: a fresh PostGIS database ``sitecrew_load_<pid>`` (on ``SITECREW_TEST_POSTGRES_URL``'s
server; dropped at the end) with the demo world and a planned, published next Tuesday
(``api_bench_world``), tokens of three roles (admin, the region's planner, a crew); the real
``sitecrew serve --workers 2`` and two ``sitecrew worker`` processes on Redis
(``SITECREW_LOAD_REDIS_URL``, default ``redis://127.0.0.1:6379/9``, with a key prefix of its
own; only that prefix's keys are deleted), all in processes of their own; this client is one
asyncio process (aiohttp, connection limit raised to the clients).

Each phase runs the mix of :mod:`load_mix` (13 operations: viewports, nested reads, open jobs,
crews, a crew's route, sites, worn furniture, planning-run polls, status changes with versions,
bookings, reschedules, wear reports, planning runs that publish the day) for ``--seconds``, after
which the planning runs are given up to ``--drain`` seconds to end. Then :mod:`load_checks`
compares the database with the clients' ledger (the invariants and why are listed there).

The server's database pool is ``SITECREW_DB_POOL_SIZE`` (10 here unless set; the product's
default, 20, lets ``--workers 2`` open 2 x (20 + 20) = 80 connections, and on a PostgreSQL shared
with others, ``max_connections`` 100, that made the server refuse connections to everyone).
``errors_5xx`` counts HTTP 5xx answers (a 503 UNAVAILABLE included) and GraphQL INTERNAL errors;
client timeouts (30 s) are counted per operation as ``timeout``.

It prints one table per phase, writes ``benchmarks/results/load_test.json`` and ends with
``RESULT clients=256 lost_writes=<n> duplicate_writes=<n> overbooked=<n> errors_5xx=<n>
p99_ms=<ms> rps=<r>`` (latency and throughput of the largest phase, over every answer; the
counts of writes and bookings over the whole run, checked after the last phase).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_checks  # noqa: E402
from load_mix import Ledger, Mix, errors_5xx, run_phase, table_rows  # noqa: E402
from load_stack import Stack, exception_counts  # noqa: E402
from load_world import (  # noqa: E402
    LoadWorld,
    create_database,
    default_server_url,
    drop_database,
    prepare_load_world,
)
from sitecrew.config import OsmSettings  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def stack_env(url: str, redis_url: str, prefix: str, osm: OsmSettings) -> dict[str, str]:
    """Return the environment of the server and the queue workers."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SITECREW_REDIS_URL": redis_url,
        "SITECREW_REDIS_PREFIX": prefix,
        "SITECREW_LOG_LEVEL": "WARNING",
        "SITECREW_OSM_DIR": str(osm.directory),
        "SITECREW_CACHE_DIR": str(osm.cache_directory),
        # Shared PostgreSQL (max_connections 100, other users): 2 x (10 + 10 overflow).
        "SITECREW_DB_POOL_SIZE": os.environ.get("SITECREW_DB_POOL_SIZE", "10"),
    }


def forget_prefix(redis_url: str, prefix: str) -> None:
    """Delete the keys under the benchmark's prefix (and nothing else)."""
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    with contextlib.suppress(redis.RedisError):
        for key in client.scan_iter(match=f"{prefix}*", count=500):
            client.delete(key)
    client.close()


def wait_runs(url: str, world: LoadWorld, seconds: float) -> tuple[int, float]:
    """Wait (bounded) until the load's planning runs ended; return (still open, waited s)."""
    started = time.perf_counter()
    left = load_checks.runs_unfinished(url, world)
    while left and time.perf_counter() - started < seconds:
        time.sleep(1)
        left = load_checks.runs_unfinished(url, world)
    return left, time.perf_counter() - started


def print_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    """Print one phase's per-operation table."""
    table = Table(title=title)
    for column in ("operation", "count", "ok", "refused", "errors", "p50", "p95", "p99", "req/s"):
        table.add_column(column, justify="right")
    table.add_column("error kinds", justify="left")
    for name, row in rows.items():
        kinds = ", ".join(f"{k}:{n}" for k, n in sorted(row["error_kinds"].items()))
        table.add_row(
            name,
            str(row["count"]),
            str(row["ok"]),
            str(row["refused"]),
            str(row["errors"]),
            f"{row['p50_ms']:.0f}",
            f"{row['p95_ms']:.0f}",
            f"{row['p99_ms']:.0f}",
            f"{row['rps']:.1f}",
            kinds[:60],
        )
    Console(width=160).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0, help="duration of each phase")
    parser.add_argument("--clients", default="32,128,256", help="concurrent clients per phase")
    parser.add_argument("--drain", type=float, default=120.0, help="wait for planning runs")
    parser.add_argument("--workers", type=int, default=2, help="sitecrew serve --workers")
    parser.add_argument(
        "--redis-url", default=os.environ.get("SITECREW_LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    parser.add_argument("--graph-cache", type=Path, default=ROOT / "var" / "cache" / "graphs")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    osm = OsmSettings(directory=args.osm_dir, cache_directory=args.graph_cache)
    levels = [int(level) for level in args.clients.split(",")]
    prefix = f"sitecrew-load-{os.getpid()}:"
    url = create_database(default_server_url(), f"sitecrew_load_{os.getpid()}")
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch), stack_env(url, args.redis_url, prefix, osm))
        try:
            figures = _measure(args, url, osm, stack, levels)
        finally:
            stack.close()
            forget_prefix(args.redis_url, prefix)
            if not args.keep:
                drop_database(url)
    _report(figures, levels)


def _measure(
    args: argparse.Namespace, url: str, osm: OsmSettings, stack: Stack, levels: list[int]
) -> dict[str, Any]:
    print("preparing the demo world on PostGIS …", flush=True)
    started = time.perf_counter()
    world = prepare_load_world(url, osm, plan_seconds=5.0)
    setup_s = time.perf_counter() - started
    base_url = stack.start_server(args.workers)
    for _ in range(2):
        stack.start_worker()
    ledger = Ledger()
    mix = Mix(world, ledger)
    phases: dict[str, Any] = {}
    for clients in levels:
        print(f"phase: {clients} clients for {args.seconds:g} s …", flush=True)
        samples, wall, _ = asyncio.run(
            run_phase(base_url, mix, clients, args.seconds, seed=clients)
        )
        rows = table_rows(samples, wall)
        phases[str(clients)] = {
            "wall_s": wall,
            "errors_5xx": errors_5xx(samples),
            "operations": rows,
        }
        print_table(f"{clients} clients, {wall:.1f} s", rows)
    open_runs, waited = wait_runs(url, world, args.drain)
    invariants = load_checks.check(url, world, ledger)
    return {
        "setup_s": setup_s,
        "seconds_per_phase": args.seconds,
        "server_workers": args.workers,
        "queue_workers": 2,
        "phases": phases,
        "ledger": ledger.summary(),
        "runs_open_after_drain": open_runs,
        "drain_s": waited,
        "invariants": invariants,
        "log_errors": stack.log_errors()[:40],
        "log_exceptions": exception_counts(stack.log_errors()),
    }


def _report(figures: dict[str, Any], levels: list[int]) -> None:
    invariants = figures["invariants"]
    print("ledger:", json.dumps(figures["ledger"]))
    print("invariants:", json.dumps(invariants, default=str))
    print("exceptions in logs:", json.dumps(figures["log_exceptions"], indent=1))
    print(
        f"server/worker log errors: {len(figures['log_errors'])}",
        *figures["log_errors"][:8],
        sep="\n",
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load_test.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    last = figures["phases"][str(levels[-1])]
    overall = last["operations"]["ALL"]
    print(
        f"RESULT clients={levels[-1]} lost_writes={invariants['lost_writes']} "
        f"duplicate_writes={invariants['duplicate_writes']} overbooked={invariants['overbooked']} "
        f"errors_5xx={last['errors_5xx']} p99_ms={overall['p99_ms']:.0f} rps={overall['rps']:.1f}"
    )


if __name__ == "__main__":
    main()
