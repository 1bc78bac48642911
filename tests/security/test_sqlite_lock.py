"""Attack: many sockets that each ran one operation and then idle must not stall the database.

They used to keep their context's session (on SQLite an open read transaction, everywhere a
pooled connection): about 15 exhausted the SQLite pool, and one was enough to make every write
fail with "database is locked".
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text

from sitecrew.cli import main
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import RunState
from sitecrew.web.websocket_view import PROTOCOL

IDLE_SOCKETS = 20
#: A write that does not queue behind idle sockets answers well within this (seconds).
QUICK = 5.0
FOLLOW = """subscription F($id: ID!) { planningRunProgress(id: $id) {
  status unassigned { jobId job { id kind status } } } }"""
CREATE_SITE = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
  __typename ... on Site { id } ... on Problem { code message } } }"""
DELETE_SITE = """mutation D($input: DeleteInput!) { deleteSite(input: $input) {
  __typename ... on Problem { code message } } }"""


@pytest.fixture
def finished_run(world_sessions, api_world):
    """A finished planning run that left one job out: following it reads the job (a loader)."""
    with world_sessions.begin() as session:
        run = m.PlanningRun(
            region_id=api_world.region_id,
            service_date=datetime.now(UTC).date(),
            status=RunState.SUCCEEDED.value,
            progress=1.0,
            options={},
            summary={"routes": 0, "visits": 0, "unassigned": 1},
            finished_at=datetime.now(UTC),
        )
        session.add(run)
        session.flush()
        job_id = session.scalar(select(m.Job.id).order_by(m.Job.id).limit(1))
        session.add(
            m.UnassignedJob(
                run_id=run.id, job_id=job_id, reason=UnassignedReason.CAPACITY.value, detail="x"
            )
        )
        run_id = run.id
    yield str(run_id)
    with world_sessions.begin() as session:
        session.execute(delete(m.UnassignedJob).where(m.UnassignedJob.run_id == run_id))
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == run_id))


def _one_read_then_idle(stack: ExitStack, client, secret: str, run_id: str) -> None:
    """Open a socket, follow a finished run to its end (reading its job), and leave it open."""
    headers = {"Authorization": f"Bearer {secret}"}
    ws = stack.enter_context(
        client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers)
    )
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": FOLLOW, "variables": {"id": run_id}}}
    )
    update = ws.receive_json()
    assert "errors" not in update["payload"], update
    assert update["payload"]["data"]["planningRunProgress"]["unassigned"][0]["job"]["id"]
    assert ws.receive_json()["type"] == "complete"


def test_writes_succeed_quickly_when_many_sockets_idle_after_one_read(
    client, gql, api_world, finished_run, monkeypatch
):
    """With 20 idle sockets no connection is held, and an API mutation and the CLI still write."""
    with ExitStack() as stack:
        for _ in range(IDLE_SOCKETS):
            _one_read_then_idle(stack, client, api_world.tokens["admin"], finished_run)
        assert client.app.state.engine.pool.checkedout() == 0

        started = time.monotonic()
        site = {
            "name": "Lock probe",
            "kind": "HOUSING_COOPERATIVE",
            "region": str(api_world.region_id),
        }
        created = gql.data("admin", CREATE_SITE, input={**site, "lon": 10.77, "lat": 59.915})
        assert created["createSite"]["__typename"] == "Site", created
        removed = gql.data("admin", DELETE_SITE, input={"id": created["createSite"]["id"]})
        assert removed["deleteSite"]["__typename"] == "Deleted", removed
        assert time.monotonic() - started < QUICK

        started = time.monotonic()
        monkeypatch.setenv("DATABASE_URL", api_world.url)
        with pytest.raises(SystemExit) as exited:
            main(["token", "create", "--role", "admin", "--name", "lock probe"])
        assert exited.value.code == 0
        assert time.monotonic() - started < QUICK


@pytest.mark.spatialite_only
def test_spatialite_uses_a_write_ahead_log_when_the_engine_connects(api_world, backend):
    """The database file is in WAL mode, so a reader never blocks a writer's commit."""
    engine = engine_from_url(api_world.url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        reader = engine.connect()
        reader.begin()
        reader.execute(select(m.Region.id)).all()  # an open read transaction
        with engine.begin() as writer:
            writer.execute(text("UPDATE regions SET name = name"))
        reader.close()
    engine.dispose()
