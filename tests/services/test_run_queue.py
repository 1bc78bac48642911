"""Planning runs on the task queue: real Redis, real ``sitecrew worker`` processes.

Each test session uses its own Redis key prefix (and deletes only its keys afterwards); runs go
to a committed demo world on each backend, and each test deletes the runs it made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url
from tests.services.conftest import PLAN_DAY
from tests.tcp_proxy import TcpProxy

from sitecrew.config import QueueSettings, RedisSettings, RoutingSettings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import PlanOptions, RunState
from sitecrew.errors import ConflictError, UnavailableError
from sitecrew.services.planning import dispatch, runs
from sitecrew.services.planning.background import shutdown_runs, wait_for_run
from sitecrew.services.planning.dispatch import requeue_waiting_runs
from sitecrew.services.planning.queued import WORKER_DIED
from sitecrew.services.planning.read import routes_for_run
from sitecrew.services.planning.supervisor import RunSupervisor
from sitecrew.services.planning.use_cases import (
    CancelRun,
    PlanRoutes,
    cancel_planning_run,
    plan_routes,
)

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("SITECREW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN = Principal(Role.ADMIN)
#: Silence after which a worker counts as dead, in these tests (seconds).
LOST_S = 3.0
NOWHERE = RedisSettings(url="redis://127.0.0.1:1/0", prefix="nowhere")


@pytest.fixture(scope="session")
def redis_settings():
    """This session's own key prefix on the test Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"the queue tests need Redis at {REDIS_URL}: {error}")
    prefix = f"sitecrew-test-{uuid.uuid4().hex[:10]}"
    yield RedisSettings(url=REDIS_URL, prefix=prefix)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="session")
def world_url(backend, request, database_url_factory, osm_dir) -> str:
    """The committed demo copy on SpatiaLite; the same small demo world on PostGIS."""
    if backend == "spatialite":
        return request.getfixturevalue("committed_demo_url")
    from sitecrew.db import migrate
    from sitecrew.services.demo import load_demo

    url = database_url_factory("postgis", "sitecrew_test_run_queue")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        load_demo(
            session,
            osm_dir / "oslo.osm.pbf",
            region_name="Oslo sentrum",
            plan_day=PLAN_DAY,
            target_flats=2000,
        )
    engine.dispose()
    return url


@pytest.fixture
def engine(world_url):
    """An engine on the committed demo copy; the runs a test made are deleted after it."""
    engine = engine_from_url(world_url)
    with session_factory(engine)() as session:
        before = session.scalar(select(func.max(m.PlanningRun.id))) or 0
    yield engine
    shutdown_runs()
    with write_session_factory(engine).begin() as session:
        made = m.PlanningRun.id > before
        session.execute(delete(m.UnassignedJob).where(m.UnassignedJob.run_id > before))
        stops = select(m.Route.id).where(m.Route.run_id > before)
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(stops)))
        session.execute(delete(m.Route).where(m.Route.run_id > before))
        session.execute(delete(m.PlanningRun).where(made))
    engine.dispose()


@contextmanager
def worker(world_url, planning_osm, redis_settings, processes: int = 1, **env: str):
    """A ``sitecrew worker`` command (``processes`` worker processes) for the test's duration."""
    environment = {
        **os.environ,
        "DATABASE_URL": world_url,
        "SITECREW_OSM_DIR": str(planning_osm.directory),
        "SITECREW_CACHE_DIR": str(planning_osm.cache_directory),
        "SITECREW_REDIS_URL": redis_settings.url,
        "SITECREW_REDIS_PREFIX": redis_settings.prefix,
        "SITECREW_WORKER_LOST_S": str(LOST_S),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sitecrew", "worker", "--processes", str(processes)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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
        if process.stdout is not None:
            process.stdout.close()


def _queue_settings(attempts: int = 2) -> QueueSettings:
    return QueueSettings(max_attempts=attempts, worker_lost_after_s=LOST_S)


def _plan(engine, osm, redis_settings, *, seconds: float, attempts: int = 2):
    """Queue a run through the use case, as the API does; it is enqueued when this commits."""
    options = PlanOptions(seed=3, time_limit_s=seconds)
    with write_session_factory(engine).begin() as session:
        region = session.scalar(select(m.Region.id))
        return plan_routes(
            session,
            ADMIN,
            PlanRoutes(region, PLAN_DAY, options),
            osm=osm,
            limits=RoutingSettings(max_active_runs_per_region=5),
            redis=redis_settings,
            queue=_queue_settings(attempts),
        )


def _row(engine, run_id: int) -> m.PlanningRun:
    with session_factory(engine)() as session:
        row = session.get(m.PlanningRun, run_id)
        assert row is not None
        session.expunge(row)
        return row


def _wait(engine, run_id, done, *, timeout_s: float = 240, process=None) -> m.PlanningRun:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = _row(engine, run_id)
        if done(row):
            return row
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker stopped: {process.stdout.read()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} never got there: {row.status} {row.step} {row.message}")


def _finished(row) -> bool:
    return RunState(row.status).finished


def _solving(row) -> bool:
    return row.status != RunState.QUEUED.value and (row.step == "solve" or _finished(row))


def _kill_run_worker(row) -> None:
    """Kill the worker process the run row names (``host:pid``) with SIGKILL."""
    pid = int(row.worker.rpartition(":")[2])
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)


def test_a_worker_in_another_process_executes_a_queued_run_and_stores_its_routes(
    engine, world_url, planning_osm, redis_settings
):
    """planRoutes with Redis only enqueues; a `sitecrew worker` process plans and stores."""
    run = _plan(engine, planning_osm, redis_settings, seconds=1)
    assert run.state is RunState.QUEUED
    assert _row(engine, run.id).queue == "planning"
    with worker(world_url, planning_osm, redis_settings) as process:
        done = _wait(engine, run.id, _finished, process=process)
    assert done.status == RunState.SUCCEEDED.value, done.message
    assert done.attempts == 1
    assert done.worker != runs.this_worker()  # another process did it
    with session_factory(engine)() as session:
        assert len(routes_for_run(session, run.id)) == done.summary["routes"] > 0


def test_two_worker_processes_execute_two_runs_at_once(
    engine, world_url, planning_osm, redis_settings
):
    """Each process takes one run at a time: two runs queued together run side by side."""
    first = _plan(engine, planning_osm, redis_settings, seconds=3)
    second = _plan(engine, planning_osm, redis_settings, seconds=3)
    with worker(world_url, planning_osm, redis_settings, processes=2) as process:
        one = _wait(engine, first.id, _finished, process=process)
        two = _wait(engine, second.id, _finished, process=process)
    assert (one.status, two.status) == ("succeeded", "succeeded"), (one.message, two.message)
    assert one.worker != two.worker
    assert two.started_at < one.finished_at


def test_a_run_whose_worker_is_killed_is_retried_to_success_within_its_deadline(
    engine, world_url, planning_osm, redis_settings
):
    """SIGKILL of the worker mid-solve: another worker takes the run over and finishes it."""
    run = _plan(engine, planning_osm, redis_settings, seconds=4)
    with worker(world_url, planning_osm, redis_settings) as process:
        first = _wait(engine, run.id, _solving, process=process)
        assert first.status == RunState.RUNNING.value
        _kill_run_worker(first)
    with worker(world_url, planning_osm, redis_settings) as process:
        done = _wait(engine, run.id, _finished, process=process)
    assert done.status == RunState.SUCCEEDED.value, done.message
    assert done.attempts == 2
    assert done.worker != first.worker
    assert done.finished_at <= done.deadline_at


def test_a_run_cut_by_a_database_outage_starts_again_and_succeeds(
    engine, world_url, planning_osm, redis_settings, backend
):
    """PostgreSQL lost mid-solve (connections dropped, new ones refused for 3 s): the worker
    waits for the database, starts the run again and finishes it; it is never left RUNNING."""
    if backend != "postgis":
        pytest.skip("a SQLite database is a file on the worker's machine: no server to lose")
    url = make_url(world_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through_proxy = url.set(host="127.0.0.1", port=proxy.port)
        run = _plan(engine, planning_osm, redis_settings, seconds=4)
        with worker(
            through_proxy.render_as_string(hide_password=False), planning_osm, redis_settings
        ) as process:
            _wait(engine, run.id, _solving, process=process)
            proxy.cut()
            time.sleep(3)
            proxy.restore()
            done = _wait(engine, run.id, _finished, process=process)
    assert done.status == RunState.SUCCEEDED.value, done.message
    assert done.attempts == 2
    assert done.finished_at <= done.deadline_at


def test_a_run_whose_worker_dies_too_often_is_failed_with_a_clear_message(
    engine, world_url, planning_osm, redis_settings
):
    """With one attempt allowed, the run of a killed worker ends FAILED, never stuck RUNNING."""
    run = _plan(engine, planning_osm, redis_settings, seconds=4, attempts=1)
    one_attempt = {"SITECREW_RUN_ATTEMPTS": "1"}
    with worker(world_url, planning_osm, redis_settings, **one_attempt):
        _kill_run_worker(_wait(engine, run.id, _solving))
    with worker(world_url, planning_osm, redis_settings, **one_attempt):
        failed = _wait(engine, run.id, _finished)
    assert failed.status == RunState.FAILED.value
    assert failed.message == WORKER_DIED.format(attempts=1)


def test_a_cancelled_queued_run_is_never_started(
    engine, world_url, planning_osm, redis_settings
):
    """A run cancelled while it waits in the queue stays CANCELLED when a worker gets to it."""
    run = _plan(engine, planning_osm, redis_settings, seconds=1)
    with write_session_factory(engine).begin() as session:
        cancelled = cancel_planning_run(session, ADMIN, CancelRun(run.id))
    assert cancelled.state is RunState.CANCELLED
    later = _plan(engine, planning_osm, redis_settings, seconds=1)  # queued behind it
    with worker(world_url, planning_osm, redis_settings):
        _wait(engine, later.id, _finished)
    row = _row(engine, run.id)
    assert row.status == RunState.CANCELLED.value
    assert row.started_at is None
    assert row.attempts == 0


def test_a_cancelled_running_run_stops_at_its_next_progress_check_and_stores_nothing(
    engine, world_url, planning_osm, redis_settings
):
    """Cancelling a run mid-solve ends it CANCELLED long before its time limit; no routes."""
    run = _plan(engine, planning_osm, redis_settings, seconds=60)
    with worker(world_url, planning_osm, redis_settings):
        _wait(engine, run.id, _solving)
        cancelled_at = time.monotonic()
        with write_session_factory(engine).begin() as session:
            cancel_planning_run(session, ADMIN, CancelRun(run.id))
        again = _plan(engine, planning_osm, redis_settings, seconds=1)
        # the worker is free again once the cancelled run stopped: it runs the next one
        done = _wait(engine, again.id, _finished)
        assert time.monotonic() - cancelled_at < 45
    assert done.status == RunState.SUCCEEDED.value, done.message
    row = _row(engine, run.id)
    assert row.status == RunState.CANCELLED.value
    with session_factory(engine)() as session:
        assert routes_for_run(session, run.id) == ()


def test_a_finished_run_cannot_be_cancelled(engine, planning_osm):
    """Cancelling a run that already ended is a Conflict that names its state."""
    run = _plan(engine, planning_osm, RedisSettings(), seconds=1)
    wait_for_run(run.id, timeout_s=180)
    with (
        pytest.raises(ConflictError, match="only a queued or running run can be cancelled"),
        write_session_factory(engine).begin() as session,
    ):
        cancel_planning_run(session, ADMIN, CancelRun(run.id))


def test_without_redis_the_server_executes_runs_itself(engine, planning_osm):
    """SITECREW_REDIS_URL unset: the run has no queue and this process's pool executes it."""
    run = _plan(engine, planning_osm, RedisSettings(), seconds=1)
    assert _row(engine, run.id).queue is None
    wait_for_run(run.id, timeout_s=180)
    assert _row(engine, run.id).status == RunState.SUCCEEDED.value


def test_planning_is_refused_as_unavailable_when_redis_is_down_and_nothing_is_queued(
    engine, planning_osm
):
    """A queue that does not answer: UNAVAILABLE at once, and no run row is left behind."""
    with session_factory(engine)() as session:
        before = session.scalar(select(func.count(m.PlanningRun.id)))
    with pytest.raises(UnavailableError, match="task queue \\(Redis\\) is unavailable"):
        _plan(engine, planning_osm, NOWHERE, seconds=1)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(m.PlanningRun.id))) == before


def test_a_run_whose_enqueue_fails_after_commit_is_failed_not_left_queued(engine, planning_osm):
    """Redis gone between the check and the commit: the commit says UNAVAILABLE, the run FAILED."""
    options = PlanOptions(seed=1, time_limit_s=1)
    session = write_session_factory(engine)()
    region = session.scalar(select(m.Region.id))
    run = runs.create_run(session, region=region, day=PLAN_DAY, options=options)
    dispatch.dispatch_after_commit(
        session, run.id, osm=planning_osm, redis=NOWHERE, queue=_queue_settings(), time_limit_s=1
    )
    with pytest.raises(UnavailableError):
        session.commit()
    session.close()
    row = _row(engine, run.id)
    assert row.status == RunState.FAILED.value
    assert "not started: the task queue (Redis) is unavailable" in row.message


def test_a_queued_run_whose_message_redis_lost_is_sent_again_by_the_supervisor(
    engine, world_url, planning_osm, redis_settings
):
    """A run queued long ago with no message (Redis restarted) is sent again once and runs."""
    options = PlanOptions(seed=1, time_limit_s=1)
    with write_session_factory(engine).begin() as session:
        region = session.scalar(select(m.Region.id))
        run = runs.create_run(
            session, region=region, day=PLAN_DAY, options=options, queue="planning"
        )
        session.execute(
            update(m.PlanningRun)
            .where(m.PlanningRun.id == run.id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    supervisor = RunSupervisor(engine, stale_after_s=60, queue=(redis_settings, _queue_settings()))
    assert supervisor.sweep() == []  # a waiting queue run is not abandoned
    again = requeue_waiting_runs(engine, redis_settings, _queue_settings(), waiting_after_s=60)
    assert again == []  # the sweep sent it; not again within the minute
    with worker(world_url, planning_osm, redis_settings) as process:
        done = _wait(engine, run.id, _finished, process=process)
    assert done.status == RunState.SUCCEEDED.value, done.message
    assert done.attempts == 1
