"""API latency and throughput on the demo data, served by uvicorn, on PostGIS or SpatiaLite.

Usage: ``python benchmarks/api_bench.py --backend postgis|spatialite [--seconds 5]``

It builds a fresh database of the chosen backend, loads the demo world (22,010 apartments),
starts ``uvicorn`` in a separate process, and drives three requests at concurrency 1, 8 and 32
from an async client for a fixed time each. The client is aiohttp: it shares the machine's cores
with the server and PostgreSQL, and it spends about 1 ms of CPU per 400 KB viewport answer where
httpx spent 3 ms, time the server would otherwise have had.

- viewport: the apartments of a map box holding about 2,000 features (one FeatureCollection);
- nested: crews with depot and members, and open installation jobs with apartment, building
  and appointments (the crew/route view);
- mutation: a wear report on a random furniture item (one write transaction).

It prints a table (p50/p95 latency, requests per second, errors), writes
``benchmarks/results/api_<backend>.json`` and ends with
``RESULT backend=<b> viewport_p95_ms_c8=<ms> viewport_rps_c8=<r>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import httpx2
import orjson
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

from sitecrew.db import migrate  # noqa: E402
from sitecrew.db import models as m  # noqa: E402
from sitecrew.db.engine import (  # noqa: E402
    engine_from_url,
    refresh_statistics,
    session_factory,
)
from sitecrew.db.repositories import spatial  # noqa: E402
from sitecrew.domain.access import Role  # noqa: E402
from sitecrew.domain.geo import BBox  # noqa: E402
from sitecrew.services.access import create_token  # noqa: E402
from sitecrew.services.demo import load_demo  # noqa: E402

CONCURRENCY = (1, 8, 32)
NESTED = """{ crews(first: 13) { nodes { name depot { name lon lat } members { name role } } }
  jobs(filter: {kind: INSTALL_MEDIA_BOX, status: OPEN}, first: 50) { nodes { id dueOn
    apartment { unit lon lat building { address } } appointments { windowStart windowEnd } } } }"""
JSON_HEADERS = {"Content-Type": "application/json"}
VIEWPORT = "query V($b: BBoxInput!) { viewport(layer: APARTMENTS, bbox: $b) }"
MUTATION = """mutation M($input: RecordMaintenanceInput!) { recordMaintenance(input: $input) {
  __typename ... on Problem { code } } }"""


def _database_url(backend: str, workdir: Path) -> str:
    if backend == "spatialite":
        return f"sqlite:///{workdir / 'bench.db'}"
    base = os.environ.get(
        "SITECREW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/sitecrew_test"
    )
    admin = make_url(base).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "sitecrew_bench" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "sitecrew_bench"'))
    engine.dispose()
    return make_url(base).set(database="sitecrew_bench").render_as_string(hide_password=False)


def _prepare(url: str, osm_dir: Path) -> tuple[str, BBox, list[int]]:
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        load_demo(
            session, osm_dir / "oslo.osm.pbf", region_name="Oslo sentrum", plan_day=date(2026, 6, 2)
        )
        secret, _ = create_token(session, name="bench", role=Role.ADMIN)
    refresh_statistics(engine)
    with sessions() as session:
        box = _box_with(session, target=2000)
        furniture = list(
            session.scalars(m.Furniture.__table__.select().with_only_columns(m.Furniture.id))
        )
    engine.dispose()
    return secret, box, furniture


def _box_with(session: Session, *, target: int) -> BBox:
    """Grow a box around the demo's densest block until it holds ``target`` apartments."""
    lon, lat, half = 10.7530, 59.9180, 0.002
    while True:
        box = BBox(lon - half * 2, lat - half, lon + half * 2, lat + half)
        if len(spatial.ids_in_bbox(session, m.Apartment, box)) >= target:
            return box
        half *= 1.05


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _drive(
    client: aiohttp.ClientSession,
    make_request: Callable[[], dict],
    concurrency: int,
    seconds: float,
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            body = orjson.dumps(make_request())
            started = time.perf_counter()
            async with client.post("/graphql", data=body, headers=JSON_HEADERS) as response:
                content = await response.read()
            latencies.append(time.perf_counter() - started)
            # The body is read whole but not decoded (a 2,000-feature collection costs the
            # client milliseconds to parse); the GraphQL envelope names "errors" when there are,
            # and a mutation's problem payload (InvalidInput, Forbidden...) carries a "code".
            head = content[:2000]
            errors += response.status != 200 or b'"errors"' in head or b'"code"' in head

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "rps": len(latencies) / elapsed,
    }


async def _run(
    base_url: str, secret: str, box: BBox, furniture: list[int], seconds: float
) -> tuple[dict[str, dict[str, float]], int]:
    rng = random.Random(1)
    scenarios = {
        "viewport": lambda: {"query": VIEWPORT, "variables": {"b": box.__dict__}},
        "nested": lambda: {"query": NESTED},
        "mutation": lambda: {
            "query": MUTATION,
            "variables": {
                "input": {
                    "furnitureId": rng.choice(furniture),
                    "performedOn": "2026-06-02",
                    "action": "INSPECTED",
                    "wearType": "WEATHERING",
                    "severity": 1,
                }
            },
        },
    }
    headers = {"Authorization": f"Bearer {secret}"}
    results = {}
    async with aiohttp.ClientSession(
        base_url=base_url,
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=64),
    ) as client:
        body = orjson.dumps(scenarios["viewport"]())
        async with client.post("/graphql", data=body, headers=JSON_HEADERS) as check:
            features = len((await check.json())["data"]["viewport"]["features"])
        for name, make in scenarios.items():
            for concurrency in CONCURRENCY:
                results[f"{name}_c{concurrency}"] = await _drive(client, make, concurrency, seconds)
    return results, features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgis", "spatialite"), default="postgis")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each cell")
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as workdir:
        url = _database_url(args.backend, Path(workdir))
        console.print(f"loading the demo into {args.backend} …")
        secret, box, furniture = _prepare(url, args.osm_dir)
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url}
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "sitecrew.web.app:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz")
            results, features = asyncio.run(
                _run(f"http://127.0.0.1:{port}", secret, box, furniture, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = Table(
        title=f"API on {args.backend}: viewport of {features} features, {args.seconds:.0f} s per cell"
    )
    for column in ("request", "concurrency", "requests", "errors", "p50 ms", "p95 ms", "req/s"):
        table.add_column(column, justify="right")
    for key, row in results.items():
        name, concurrency = key.rsplit("_c", 1)
        table.add_row(
            name,
            concurrency,
            str(row["requests"]),
            str(row["errors"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['rps']:.1f}",
        )
    console.print(table)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"api_{args.backend}.json").write_text(
        json.dumps({"features": features, **results}, indent=2)
    )
    c8 = results["viewport_c8"]
    print(
        f"RESULT backend={args.backend} viewport_p95_ms_c8={c8['p95_ms']:.1f} viewport_rps_c8={c8['rps']:.1f}"
    )


def _wait_for(url: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not become healthy at {url}")


if __name__ == "__main__":
    main()
