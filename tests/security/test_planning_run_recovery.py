"""Attacks on background planning: killed workers, dead servers, floods of runs, leaked SQL.

Each test adds the run rows it needs to the API world (committed: the app and its worker read
them in their own sessions) on a day of its own, and deletes them again afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, text
from tests.api.conftest import make_client

from sitecrew.db import models as m
from sitecrew.services.planning.owners import ABANDONED, this_worker

PLAN = """mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {
  __typename ... on PlanningRun { id status } ... on Problem { code message } } }"""
RUN = "query R($id: ID!) { planningRun(id: $id) { status step message } }"
DAY = "2026-06-02"


def _plan(gql, world, day: str = DAY, seconds: float = 1) -> dict:
    variables = {"region": str(world.region_id), "date": day, "timeLimitSeconds": seconds}
    return gql.data("planner", PLAN, input=variables)["planRoutes"]


def _wait(gql, run_id: str, states=("SUCCEEDED", "FAILED"), timeout_s: float = 300) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = gql.data("planner", RUN, id=run_id)["planningRun"]
        if run["status"] in states:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} never reached {states}")


@contextmanager
def _runs(world_sessions, world, day: date, owners: dict[str, tuple[str, str, datetime]]):
    """Insert runs of ``day`` named by key: (status, worker, heartbeat); delete them after."""
    ids = {}
    with world_sessions.begin() as session:
        for name, (status, worker, heartbeat) in owners.items():
            row = m.PlanningRun(
                region_id=world.region_id,
                service_date=day,
                status=status,
                progress=0.0,
                step=status,
                options={"seed": 1, "time_limit_s": 1},
                summary={},
                worker=worker,
                heartbeat_at=heartbeat,
                deadline_at=datetime.now(UTC) + timedelta(hours=1),
            )
            session.add(row)
            session.flush()
            ids[name] = row.id
    try:
        yield ids
    finally:
        with world_sessions.begin() as session:
            session.execute(delete(m.PlanningRun).where(m.PlanningRun.id.in_(ids.values())))


def _states(world_sessions, ids: dict[str, int]) -> dict[str, tuple[str, str | None]]:
    with world_sessions() as session:
        rows = session.execute(
            select(m.PlanningRun.id, m.PlanningRun.status, m.PlanningRun.message).where(
                m.PlanningRun.id.in_(ids.values())
            )
        )
        by_id = {run_id: (status, message) for run_id, status, message in rows}
    return {name: by_id[run_id] for name, run_id in ids.items()}


def test_run_fails_and_the_next_run_works_when_its_worker_process_is_killed(gql, api_world):
    """A worker killed mid-run fails that run with a clear message; the next planRoutes works."""
    run = _plan(gql, api_world, seconds=60)
    assert run["__typename"] == "PlanningRun", run
    _wait(gql, run["id"], states=("RUNNING", "SUCCEEDED", "FAILED"))
    workers = multiprocessing.active_children()
    assert workers
    for worker in workers:
        os.kill(worker.pid, signal.SIGKILL)
    failed = _wait(gql, run["id"])
    assert failed["status"] == "FAILED"
    assert "worker process stopped unexpectedly" in failed["message"]

    again = _plan(gql, api_world)
    assert again["__typename"] == "PlanningRun", again
    finished = _wait(gql, again["id"])
    assert finished["status"] == "SUCCEEDED", finished["message"]


def test_runs_of_a_dead_server_fail_at_startup_when_live_servers_keep_theirs(
    api_world, world_sessions
):
    """Start-up fails runs whose server is gone (dead pid, stale, this pid) and keeps live ones."""
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    now = datetime.now(UTC)
    owners = {
        "dead pid": ("queued", f"{host}:{dead.pid}", now),
        "earlier server with this pid": ("running", this_worker(), now),
        "silent elsewhere": ("running", "elsewhere.example:7", now - timedelta(hours=1)),
        "no owner": ("queued", None, now),
        "live worker": ("running", f"{host}:{live.pid}", now),
        "alive elsewhere": ("running", "elsewhere.example:8", now),
    }
    try:
        with (
            _runs(world_sessions, api_world, date(2031, 1, 6), owners) as ids,
            make_client(api_world),  # the server starts: its start-up sweep runs
        ):
            states = _states(world_sessions, ids)
    finally:
        live.kill()
        live.wait()
    gone = {"dead pid", "earlier server with this pid", "silent elsewhere", "no owner"}
    assert {name: states[name] for name in gone} == dict.fromkeys(gone, ("failed", ABANDONED))
    assert states["live worker"] == ("running", None)
    assert states["alive elsewhere"] == ("running", None)


def test_planning_is_refused_with_quota_exceeded_when_a_region_has_too_many_runs(
    gql, api_world, world_sessions
):
    """With one run active, four planRoutes at once start one more; three get QUOTA_EXCEEDED."""
    owners = {"busy": ("running", this_worker(), datetime.now(UTC))}
    with _runs(world_sessions, api_world, date(2031, 1, 7), owners):
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: _plan(gql, api_world), range(4)))
        started = [a for a in answers if a["__typename"] == "PlanningRun"]
        refused = [a for a in answers if a["__typename"] == "Conflict"]
        assert len(started) == 1, answers
        assert [a["code"] for a in refused] == ["QUOTA_EXCEEDED"] * 3
        assert "at most 2" in refused[0]["message"]
        assert _wait(gql, started[0]["id"])["status"] == "SUCCEEDED"


def test_long_runs_are_refused_when_the_time_limit_is_above_the_cap(gql, api_world):
    """A solver time limit above the API cap (300 s) is INVALID_INPUT; nothing is queued."""
    for seconds in (300.5, 3600):
        answer = _plan(gql, api_world, seconds=seconds)
        assert answer["__typename"] == "InvalidInput", answer
        assert "at most 300 s" in answer["message"]
    assert _plan(gql, api_world, seconds=1e9)["__typename"] == "InvalidInput"


#: The day whose runs the database refuses to start (see _install_failing_trigger).
REFUSED_DAY = "2031-01-08"


def _install_failing_trigger(session, backend: str) -> None:
    """Make the database refuse to start runs of REFUSED_DAY, with SQL-ish text in the error."""
    if backend == "spatialite":
        session.execute(
            text(
                "CREATE TRIGGER refuse_run BEFORE UPDATE OF status ON planning_runs "
                "WHEN NEW.status = 'running' AND NEW.service_date = '2031-01-08' "
                "BEGIN SELECT RAISE(ABORT, 'secret: SELECT password FROM api_tokens'); END"
            )
        )
        return
    session.execute(
        text(
            "CREATE FUNCTION refuse_run() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'secret: SELECT password FROM api_tokens'; END $$"
        )
    )
    session.execute(
        text(
            "CREATE TRIGGER refuse_run BEFORE UPDATE ON planning_runs FOR EACH ROW "
            "WHEN (NEW.status = 'running' AND NEW.service_date = DATE '2031-01-08') "
            "EXECUTE FUNCTION refuse_run()"
        )
    )


def _drop_failing_trigger(session, backend: str) -> None:
    if backend == "spatialite":
        session.execute(text("DROP TRIGGER IF EXISTS refuse_run"))
        return
    session.execute(text("DROP TRIGGER IF EXISTS refuse_run ON planning_runs"))
    session.execute(text("DROP FUNCTION IF EXISTS refuse_run()"))


def test_a_failed_run_tells_no_sql_when_the_database_refuses_its_work(
    gql, api_world, world_sessions, backend
):
    """A run failing on a database error stores a reference, never the SQL or the error text."""
    with world_sessions.begin() as session:
        _install_failing_trigger(session, backend)
    try:
        run = _plan(gql, api_world, day=REFUSED_DAY)
        assert run["__typename"] == "PlanningRun", run
        failed = _wait(gql, run["id"])
    finally:
        with world_sessions.begin() as session:
            _drop_failing_trigger(session, backend)
            session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == int(run["id"])))
    assert failed["status"] == "FAILED"
    assert re.fullmatch(
        r"planning failed unexpectedly \(reference [0-9a-f]{12}\)", failed["message"]
    )
