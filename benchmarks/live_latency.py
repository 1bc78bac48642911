"""Live-update latency: from a change committed in one process to a WebSocket client of a server.

Starts ``sitecrew serve --workers 2`` (two server processes) on a fresh SpatiaLite database (or
``--database URL``), adds a region, a planner token and a run that "another machine" executes; a
client subscribes to ``planningRunProgress`` over ``graphql-transport-ws``; a third process
commits ``--updates`` progress changes, each with its event, and notes when each commit ended;
the client notes when each arrived. Runs with Redis (events) and without (the server reads the
run again every 0.5 s), and prints one line per mode::

    RESULT mode=redis updates=50 received=50 p50_ms=4.1 p95_ms=6.0 max_ms=9.3

A change counts as seen when the client got it or a later value (polling skips values).

Usage: ``.venv/bin/python benchmarks/live_latency.py [--updates 50] [--redis redis://...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import shapely
from sqlalchemy import update

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Role
from sitecrew.events import run_changed
from sitecrew.services.access import create_token

ROOT = Path(__file__).resolve().parent.parent
QUERY = "subscription P($id: ID!) { planningRunProgress(id: $id) { progress } }"


def prepare(url: str) -> tuple[str, int]:
    """Migrate, then add a region, a planner token and a running run; return (secret, run)."""
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        region = m.Region(
            name=f"Latency {uuid.uuid4().hex[:6]}",
            slug=f"latency-{uuid.uuid4().hex[:6]}",
            area=to_db_geometry(shapely.box(10.7, 59.9, 10.8, 59.95)),
        )
        session.add(region)
        session.flush()
        secret = create_token(session, name="latency", role=Role.PLANNER, region_id=region.id)[0]
        run = m.PlanningRun(
            region_id=region.id,
            service_date=now.date(),
            status="running",
            progress=0.0,
            step="bench",
            options={},
            summary={},
            started_at=now,
            worker="another-machine.bench:1",
            heartbeat_at=now,
            deadline_at=now + timedelta(hours=1),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    engine.dispose()
    return secret, run_id


def publish_progress(url: str, run_id: int, updates: int, interval_s: float) -> None:
    """The third process: commit progress changes; print {progress: commit end time}."""
    writes = write_session_factory(engine_from_url(url))
    sent: dict[str, float] = {}
    for index in range(1, updates + 1):
        value = round(index / 1000, 4)
        with writes.begin() as session:
            session.execute(
                update(m.PlanningRun).where(m.PlanningRun.id == run_id).values(progress=value)
            )
            run_changed(session, run_id)
        sent[str(value)] = time.time()
        time.sleep(interval_s)
    print(json.dumps(sent))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, redis: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``sitecrew serve --workers 2`` and wait until it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITECREW_REDIS")}
    env |= {"DATABASE_URL": url, **redis}
    server = subprocess.Popen(  # noqa: S603  (our own command line)
        [str(ROOT / ".venv/bin/sitecrew"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start")


async def follow(port: int, secret: str, run_id: int, publisher: list[str], updates: int) -> dict:
    """Subscribe, start the publisher, and note when each progress value arrives."""
    received: dict[str, float] = {}
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(
            f"ws://127.0.0.1:{port}/graphql", protocols=("graphql-transport-ws",)
        ) as ws,
    ):
        await ws.send_json({"type": "connection_init", "payload": {"token": secret}})
        if (await ws.receive_json())["type"] != "connection_ack":
            raise SystemExit("the server refused the token")
        payload = {"query": QUERY, "variables": {"id": str(run_id)}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        await ws.receive_json()  # the run as it is now
        process = await asyncio.create_subprocess_exec(
            *publisher, stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        last = str(round(updates / 1000, 4))
        try:
            while last not in received:
                message = await asyncio.wait_for(ws.receive_json(), timeout=30)
                value = message["payload"]["data"]["planningRunProgress"]["progress"]
                received[str(round(value, 4))] = time.time()
        finally:
            out, _ = await process.communicate()
    sent = json.loads(out)
    return {"sent": sent, "received": received}


def measure(url: str, updates: int, redis: dict[str, str], mode: str) -> None:
    secret, run_id = prepare(url)
    port = free_port()
    server = start_server(url, port, redis)
    publisher = [sys.executable, __file__, "--publish", url, str(run_id), str(updates)]
    try:
        env_backup = dict(os.environ)
        os.environ.update(redis)  # the publisher inherits where to publish
        for key in ("SITECREW_REDIS_URL", "SITECREW_REDIS_PREFIX"):
            if key not in redis:
                os.environ.pop(key, None)
        result = asyncio.run(follow(port, secret, run_id, publisher, updates))
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
        server.terminate()
        server.wait(timeout=30)
    # A change counts as seen when the client got it or a later one (polling skips values).
    arrivals = sorted((float(value), at) for value, at in result["received"].items())
    latencies = sorted(
        (min(at for seen, at in arrivals if seen >= float(value)) - sent) * 1000
        for value, sent in result["sent"].items()
    )
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"RESULT mode={mode} updates={updates} received={len(result['received'])}"
        f" p50_ms={statistics.median(latencies):.1f} p95_ms={p95:.1f} max_ms={latencies[-1]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--database", help="a database URL (default: a fresh SpatiaLite file)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--publish", nargs=3, metavar=("URL", "RUN", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish:
        url, run_id, updates = args.publish
        publish_progress(url, int(run_id), int(updates), interval_s=0.1)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/latency.db"
        prefix = f"latency-{uuid.uuid4().hex[:8]}"
        redis = {"SITECREW_REDIS_URL": args.redis, "SITECREW_REDIS_PREFIX": prefix}
        measure(url, args.updates, redis, "redis")
        measure(url, args.updates, {}, "database")


if __name__ == "__main__":
    main()
