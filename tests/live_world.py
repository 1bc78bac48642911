"""Live-update test kit: a Redis prefix per test session, apps that listen through Redis, sockets,
and a second process that commits changes (and publishes them) as a worker on another machine
would. ``python -m tests.live_world ACTION URL ARGS...`` is that second process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sitecrew.config import DatabaseSettings, RedisSettings, Settings
from sitecrew.web.app import create_app
from sitecrew.web.websocket_view import PROTOCOL

REPO_ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SITECREW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable(url: str) -> bool:
    """Tell whether a Redis answers at ``url``."""
    import redis
    from redis.exceptions import RedisError

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (RedisError, OSError):
        return False


@pytest.fixture(scope="session")
def redis_settings(request: pytest.FixtureRequest) -> RedisSettings:
    """The test Redis with a prefix of this session's own (channels of others never mix in).

    Skips on a laptop without Redis; fails under CI or ``--require-all-backends``.
    """
    if not redis_reachable(REDIS_URL):
        reason = f"Redis unavailable at {REDIS_URL}"
        if request.config.getoption("--require-all-backends") or os.environ.get("CI"):
            pytest.fail(f"Redis required under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return RedisSettings(url=REDIS_URL, prefix=f"sitecrew-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")


@contextmanager
def live_client(world, redis: RedisSettings | None, osm=None, **server: object):
    """The real app on the world's database, listening through ``redis`` (None: no Redis)."""
    from sitecrew.config import OsmSettings, ServerSettings

    settings = Settings(
        database=DatabaseSettings(url=world.url),
        osm=osm or OsmSettings(),
        server=ServerSettings(**server),  # type: ignore[arg-type]
        redis=redis or RedisSettings(),
    )
    with TestClient(create_app(settings)) as client:
        yield client


@contextmanager
def socket(client: TestClient, secret: str):
    """An open, acknowledged ``graphql-transport-ws`` connection for ``secret``."""
    headers = {"Authorization": f"Bearer {secret}"}
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        yield ws


def subscribe(ws, operation_id: str, query: str, **variables: object) -> None:
    """Start a subscription on ``ws``."""
    payload = {"query": query, "variables": variables}
    ws.send_json({"id": operation_id, "type": "subscribe", "payload": payload})


def codes(message: dict) -> list[str]:
    """The codes of an ``error`` message's errors, or of a ``next`` message's."""
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


def elsewhere(action: str, url: str, *args: object, redis: RedisSettings | None) -> list[str]:
    """Run ``action`` in a second process (with ``redis`` in its environment, as a worker on
    another machine has); return the lines it printed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SITECREW_REDIS")}
    if redis is not None and redis.url is not None:
        env |= {"SITECREW_REDIS_URL": redis.url, "SITECREW_REDIS_PREFIX": redis.prefix}
    done = subprocess.run(
        [sys.executable, "-m", "tests.live_world", action, url, *map(str, args)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def own_redis(tmp_path: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a Redis server of the test's own (the shared one is never stopped), on ``port`` or
    a free one.

    Returns the process (terminate it to stop Redis) and its URL.
    """
    import shutil
    import socket as sockets

    if port is None:
        with sockets.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is not installed"
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(
        [binary, *arguments, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not redis_reachable(url):
        assert time.monotonic() < deadline, "own Redis did not start"
        time.sleep(0.05)
    return server, url


@contextmanager
def queue_worker(url: str, osm, redis: RedisSettings):
    """A ``sitecrew worker`` process on another "machine": only the database and Redis shared."""
    import signal

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SITECREW_OSM_DIR": str(osm.directory),
        "SITECREW_CACHE_DIR": str(osm.cache_directory),
        "SITECREW_REDIS_URL": str(redis.url),
        "SITECREW_REDIS_PREFIX": redis.prefix,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sitecrew", "worker", "--processes", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def insert_running_run(sessions, region_id: int) -> int:
    """Store a run that another server owns and runs (alive): followers wait on it."""
    from sitecrew.db import models as m

    now = datetime.now(UTC)
    with sessions.begin() as session:
        run = m.PlanningRun(
            region_id=region_id,
            service_date=now.date(),
            status="running",
            progress=0.25,
            step="solving",
            options={},
            summary={},
            started_at=now,
            worker="another-server.test:4242",
            heartbeat_at=now,
            deadline_at=now + timedelta(hours=1),
        )
        session.add(run)
        session.flush()
        return run.id


# --- the second process ------------------------------------------------------------------------


def _progress(url: str, run_id: str, step: str, done: str, total: str) -> None:
    """Write a run's progress as a worker does (its own transaction), and publish it."""
    from sitecrew.db.engine import engine_from_url, write_session_factory
    from sitecrew.services.planning.progress import RunProgress

    engine = engine_from_url(url)
    started = time.time()
    RunProgress(write_session_factory(engine), int(run_id))(step, int(done), int(total))
    print(started, time.time())  # noqa: T201  (read by the test)


def _finish(url: str, run_id: str) -> None:
    """Record a run's success as a worker does."""
    from sitecrew.db.engine import engine_from_url, write_session_factory
    from sitecrew.services.planning.runs import finish_run

    with write_session_factory(engine_from_url(url)).begin() as session:
        finish_run(session, int(run_id), summary={"routes": 0})


def _publish_route(url: str, crew_id: str, day: str, region_id: str) -> None:
    """Plan an empty draft route for a crew's day and publish it, as an auto-publishing run."""
    from sitecrew.db import models as m
    from sitecrew.db.engine import engine_from_url, write_session_factory
    from sitecrew.services.planning.persist import publish_routes

    with write_session_factory(engine_from_url(url)).begin() as session:
        run = m.PlanningRun(
            region_id=int(region_id),
            service_date=date.fromisoformat(day),
            status="succeeded",
            progress=1.0,
            step="done",
            options={},
            summary={},
        )
        session.add(run)
        session.flush()
        route = m.Route(crew_id=int(crew_id), run_id=run.id, service_date=run.service_date)
        session.add(route)
        session.flush()
        publish_routes(session, run.id)
        started = time.time()
    print(route.id, run.id, started)  # noqa: T201  (read by the test)


ACTIONS = {"progress": _progress, "finish": _finish, "publish-route": _publish_route}

if __name__ == "__main__":
    ACTIONS[sys.argv[1]](*sys.argv[2:])
