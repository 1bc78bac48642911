"""API latency and throughput of every operation in schema/operations/, on PostGIS or SpatiaLite.

Usage: ``python benchmarks/api_bench.py --backend postgis|spatialite [--seconds 5] [--workers 2]``

It builds a fresh database of the chosen backend with the demo world (22,010 apartments) and a
planned, published next Tuesday (``api_bench_world.DAY``), starts the real server command,
``sitecrew serve --workers N``, in a separate process, and drives each operation from an async
client for a fixed time per cell. The client is aiohttp: it shares the machine's cores with the
server and PostgreSQL, and it spends about 1 ms of CPU per 400 KB viewport answer where httpx
spent 3 ms, time the server would otherwise have had.

Every ``.graphql`` file under ``schema/operations/`` is one operation, run at concurrency 8 with
realistic variables (an operation without a scenario here runs with its defaults, as admin):

- apartments_viewport: a map box holding about 2,000 apartments (one FeatureCollection);
- record_wear: a wear report on a random furniture item (one write transaction);
- change_job_status: furniture-care jobs moved OPEN <-> SCHEDULED, each client with jobs of its
  own and the version the previous answer returned (no conflicts, so no "errors");
- planning/3_crew_route: the published route of the crew with most stops, with a crew token;
- planning/2_planning_run: the setup's planning run (its unassigned jobs and their jobs);
- planning/1_plan_routes: *acceptance* of a background run (check, per-region lock and quota,
  insert, commit, hand to a worker). The run itself is not what is timed (benchmarks/plan_day.py
  times a plan), so the cell asks for a Sunday, when no crew works and each run ends at once
  instead of queueing solver work; and the server runs with the per-region quota raised
  (``SITECREW_MAX_ACTIVE_RUNS``), or every request after the second would be the QUOTA_EXCEEDED
  refusal. It runs last, on a database no other cell reads after. In the embedded mode (no
  queue) every accepted run still executes in the server's own worker process (about 60 ms of
  CPU for a day nobody works: an engine of its own, the day's load, the result), so at 8
  requests at once the runs, not the mutation, fill the machine: its rate is reported apart
  (``plan_routes_rps_c8`` in the JSON and a PLAN line) and is not in ``min_rps_c8``, since
  the per-region quota holds real use to a few runs at a time.

Besides, ``nested`` (crews with depot and members, open installation jobs with apartment,
building and appointments: the crew/route view of issue #14), the viewport and the wear report
are also run at concurrency 1 and 32.

It prints a table (p50/p95/p99 latency, requests per second, errors, answer size), writes
``benchmarks/results/api_<backend>.json`` and ends with ``RESULT backend=<b>
viewport_p95_ms_c8=<ms> viewport_rps_c8=<r> min_rps_c8=<r> slowest=<operation>`` (the slowest
operation of schema/operations at concurrency 8, planRoutes apart).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx2
import orjson
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench_world import DAY, TODAY, World, database_url, prepare_world  # noqa: E402
from sitecrew.config import OsmSettings  # noqa: E402

OPERATIONS = ROOT / "schema" / "operations"
JSON_HEADERS = {"Content-Type": "application/json"}
NESTED = """{ crews(first: 13) { nodes { name depot { name lon lat } members { name role } } }
  jobs(filter: {kind: INSTALL_MEDIA_BOX, status: OPEN}, first: 50) { nodes { id dueOn
    apartment { unit lon lat building { address } } appointments { windowStart windowEnd } } } }"""
#: Operations also run at concurrency 1 and 32.
MAIN = ("apartments_viewport", "nested", "record_wear")
#: A Sunday: no crew works, so an accepted planning run ends at once (see the module doc).
NOBODY_WORKS = "2026-06-07"
#: Run last: it queues background runs.
LAST = "planning/1_plan_routes"


@dataclass
class Scenario:
    """One operation as the clients send it."""

    name: str
    query: str
    token: str
    #: (client index, concurrency) -> the variables of that client's next request.
    variables: Callable[[int, int], dict[str, Any]] = field(default=lambda _w, _c: {})
    #: Called with the client index and the answer's bytes (to follow versions).
    observe: Callable[[int, bytes], None] | None = None


def _operations() -> dict[str, str]:
    files = sorted(OPERATIONS.rglob("*.graphql"))
    return {str(path.relative_to(OPERATIONS).with_suffix("")): path.read_text() for path in files}


def _scenarios(world: World) -> list[Scenario]:
    rng = random.Random(1)
    known: dict[str, tuple[str, Callable[[int, int], dict[str, Any]]]] = {
        "apartments_viewport": (world.admin, lambda _w, _c: {"bbox": world.box.__dict__}),
        "record_wear": (
            world.admin,
            lambda _w, _c: {
                "input": {
                    "furnitureId": rng.choice(world.furniture),
                    "performedOn": TODAY.isoformat(),
                    "action": "OILED",
                    "wearType": "CRACKING",
                    "severity": 1,
                    "notes": "Hairline crack along the seat's front slat",
                }
            },
        ),
        "planning/3_crew_route": (
            world.crew,
            lambda _w, _c: {"crewId": str(world.crew_id), "date": DAY.isoformat()},
        ),
        "planning/2_planning_run": (world.admin, lambda _w, _c: {"id": str(world.run_id)}),
        LAST: (
            world.admin,
            lambda _w, _c: {
                "input": {
                    "region": world.region_slug,
                    "date": NOBODY_WORKS,
                    "timeLimitSeconds": 5,
                    "publish": False,
                }
            },
        ),
    }
    scenarios = [Scenario("nested", NESTED, world.admin)]
    for name, query in _operations().items():
        if name == "change_job_status":
            scenarios.append(_status_changes(world, query))
        elif name in known:
            token, variables = known[name]
            scenarios.append(Scenario(name, query, token, variables))
        else:
            scenarios.append(Scenario(name, query, world.admin))
    scenarios.sort(key=lambda scenario: scenario.name == LAST)
    return scenarios


def _status_changes(world: World, query: str) -> Scenario:
    """Move jobs OPEN <-> SCHEDULED; client ``w`` of ``c`` owns every c-th job from ``w``."""
    state = {job_id: (status, version) for job_id, status, version in world.status_jobs}
    ids = [job_id for job_id, _, _ in world.status_jobs]
    turns: dict[int, int] = {}

    def variables(worker: int, concurrency: int) -> dict[str, Any]:
        mine = ids[worker::concurrency]
        turns[worker] = turns.get(worker, -1) + 1
        job_id = mine[turns[worker] % len(mine)]
        status, version = state[job_id]
        target = "SCHEDULED" if status == "open" else "OPEN"
        return {"input": {"id": str(job_id), "status": target, "version": version}}

    def observe(_worker: int, content: bytes) -> None:
        job = orjson.loads(content).get("data", {}).get("changeJobStatus") or {}
        if job.get("__typename") == "Job":
            state[int(job["id"])] = (job["status"].lower(), job["version"])

    return Scenario("change_job_status", query, world.admin, variables, observe)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _failed(status: int, content: bytes) -> bool:
    # The body is not decoded (a 2,000-feature collection costs the client milliseconds to
    # parse); the GraphQL envelope names "errors" when there are, and a mutation's problem
    # payload (InvalidInput, Conflict...) carries a "code".
    head = content[:2000]
    return status != 200 or b'"errors"' in head or b'"code"' in head


async def _drive(
    client: aiohttp.ClientSession, scenario: Scenario, concurrency: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    headers = {**JSON_HEADERS, "Authorization": f"Bearer {scenario.token}"}

    async def client_loop(worker: int) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            variables = scenario.variables(worker, concurrency)
            body = orjson.dumps({"query": scenario.query, "variables": variables})
            started = time.perf_counter()
            async with client.post("/graphql", data=body, headers=headers) as response:
                content = await response.read()
            latencies.append(time.perf_counter() - started)
            errors += _failed(response.status, content)
            if scenario.observe is not None:
                scenario.observe(worker, content)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(worker) for worker in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def quantile(share: float) -> float:
        return ordered[int(share * (len(ordered) - 1))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": quantile(0.95),
        "p99_ms": quantile(0.99),
        "rps": len(latencies) / elapsed,
    }


async def _probe(client: aiohttp.ClientSession, scenario: Scenario) -> int:
    """Send one request and check it answers data without errors; return the answer's size."""
    headers = {**JSON_HEADERS, "Authorization": f"Bearer {scenario.token}"}
    body = orjson.dumps({"query": scenario.query, "variables": scenario.variables(0, 1)})
    async with client.post("/graphql", data=body, headers=headers) as response:
        content = await response.read()
    if scenario.observe is not None:
        scenario.observe(0, content)
    answer = orjson.loads(content)
    data = answer.get("data") or {}
    if _failed(response.status, content) or not data or None in data.values():
        raise SystemExit(f"{scenario.name} does not answer as it should: {content[:600]!r}")
    return len(content)


async def _run(
    base_url: str, scenarios: list[Scenario], seconds: float
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    results: dict[str, dict[str, float]] = {}
    sizes: dict[str, int] = {}
    async with aiohttp.ClientSession(
        base_url=base_url,
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=64),
    ) as client:
        for scenario in scenarios:
            sizes[scenario.name] = await _probe(client, scenario)
            levels = (1, 8, 32) if scenario.name in MAIN else (8,)
            for concurrency in levels:
                cell = await _drive(client, scenario, concurrency, seconds)
                results[f"{scenario.name}_c{concurrency}"] = cell
                print(
                    f"  {scenario.name} c{concurrency}: {cell['rps']:.1f} req/s, "
                    f"p95 {cell['p95_ms']:.1f} ms, {cell['errors']} errors",
                    flush=True,
                )
    return results, sizes


def _serve(
    world: World, port: int, workers: int, osm: OsmSettings, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": world.url,
        "SITECREW_PORT": str(port),
        "SITECREW_LOG_LEVEL": "WARNING",
        "SITECREW_OSM_DIR": str(osm.directory),
        "SITECREW_CACHE_DIR": str(osm.cache_directory),
        "SITECREW_MAX_ACTIVE_RUNS": "1000000",
    }
    command = [sys.executable, "-m", "sitecrew", "serve", "--workers", str(workers)]
    # A session of its own: the server, its worker processes and their planning pools are
    # stopped together at the end.
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, start_new_session=True, stdout=output, stderr=output
        )


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=20)


def _wait_for(url: str) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not become healthy at {url}")


def _report(
    args: argparse.Namespace,
    world: World,
    results: dict[str, dict[str, float]],
    sizes: dict[str, int],
) -> None:
    title = (
        f"API on {args.backend}, sitecrew serve --workers {args.workers}, "
        f"{args.seconds:g} s per cell"
    )
    table = Table(title=title)
    for column in ("operation", "c", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s"):
        table.add_column(column, justify="right")
    table.add_column("answer", justify="right")
    for key, row in results.items():
        name, concurrency = key.rsplit("_c", 1)
        table.add_row(
            name,
            concurrency,
            str(row["requests"]),
            str(row["errors"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            f"{row['rps']:.1f}",
            f"{sizes[name] / 1000:.1f} kB",
        )
    Console(width=150).print(table)
    operations = {
        name: results[f"{name}_c8"]
        for name in _operations()
        if f"{name}_c8" in results and name != LAST
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "backend": args.backend,
        "workers": args.workers,
        "seconds_per_cell": args.seconds,
        "setup_s": world.setup_s,
        "answer_bytes": sizes,
        "plan_routes_rps_c8": results.get(f"{LAST}_c8", {}).get("rps"),
        **results,
    }
    (out / f"api_{args.backend}.json").write_text(json.dumps(figures, indent=2) + "\n")
    viewport = results.get("apartments_viewport_c8", {"p95_ms": 0.0, "rps": 0.0})
    slowest = min(operations, key=lambda name: operations[name]["rps"]) if operations else "-"
    lowest = operations[slowest]["rps"] if operations else 0.0
    if f"{LAST}_c8" in results:
        plan = results[f"{LAST}_c8"]
        print(
            f"PLAN plan_routes acceptance at c8 (runs executing in the server's own worker): "
            f"{plan['rps']:.1f} req/s, p95 {plan['p95_ms']:.1f} ms, {plan['errors']} errors"
        )
    print(
        f"RESULT backend={args.backend} viewport_p95_ms_c8={viewport['p95_ms']:.1f} "
        f"viewport_rps_c8={viewport['rps']:.1f} min_rps_c8={lowest:.1f} slowest={slowest}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgis", "spatialite"), default="postgis")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each cell")
    parser.add_argument("--workers", type=int, default=2, help="sitecrew serve --workers")
    parser.add_argument(
        "--only", default="", help="comma-separated operations to run (default: all)"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="keep the database between runs (PostGIS: sitecrew_bench; SpatiaLite: in this "
        "folder) and use it when it is already prepared",
    )
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    parser.add_argument(
        "--graph-cache", type=Path, default=ROOT / "var" / "cache" / "graphs", help="street graphs"
    )
    parser.add_argument("--plan-seconds", type=float, default=5.0, help="solver time in setup")
    args = parser.parse_args()
    osm = OsmSettings(directory=args.osm_dir, cache_directory=args.graph_cache)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.reuse or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        url = database_url(args.backend, workdir, reuse=args.reuse is not None)
        print(f"preparing the demo world on {args.backend} …", flush=True)
        world = prepare_world(url, osm, plan_seconds=args.plan_seconds)
        scenarios = _scenarios(world)
        if args.only:
            wanted = set(args.only.split(","))
            scenarios = [scenario for scenario in scenarios if scenario.name in wanted]
        port = _free_port()
        log = workdir / "server.log"
        server = _serve(world, port, args.workers, osm, log)
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz")
            results, sizes = asyncio.run(_run(f"http://127.0.0.1:{port}", scenarios, args.seconds))
            # What the server logged while measured (not what stopping it logs).
            lines = log.read_text(errors="replace").splitlines()
        finally:
            _stop(server)
    errors = [line for line in lines if " ERROR " in line or "Traceback" in line]
    print(f"server log: {len(lines)} lines, {len(errors)} errors", *errors[:5], sep="\n")
    _report(args, world, results, sizes)


if __name__ == "__main__":
    main()
