"""Two due-work runs at once on committed databases make each piece's work once (#17 item 2).

Each run reads which pieces are covered and then writes jobs; without the per-region lock both
would read "nothing covered" and both write. The lock (PostgreSQL: advisory; SQLite: the write
transaction's ``BEGIN IMMEDIATE``) makes the second wait and then see the first's jobs.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.services.care_plan_world import (
    ADMIN,
    add_piece,
    inspect_plan,
    make_care_world,
    oil_plan,
    store_plan,
)

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.services.care import due
from sitecrew.services.care.due import GenerateDueWork, generate_due_work

SPRING = date(2026, 4, 20)


@pytest.fixture
def committed(backend, database_url_factory):
    """A database of ``backend`` with nine benches at three yards, two plans, committed."""
    engine = engine_from_url(database_url_factory(backend, "care_due_race"))
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Race")
        store_plan(session, oil_plan(world))
        store_plan(session, inspect_plan(world))
        for index in range(9):
            add_piece(session, world, index % 3, f"R-{index}", oiled=date(2025, 4, 1))
    yield engine, world
    engine.dispose()


def test_two_runs_at_once_make_each_sites_work_once(committed, monkeypatch):
    """Both threads finish; together they made one job per site and action, no piece twice.

    Each run waits (up to a second) after reading for the other to have read too, so without
    the lock both would read "nothing covered" before either writes.
    """
    engine, world = committed
    writes = write_session_factory(engine)
    start, have_read = threading.Barrier(2), threading.Barrier(2)
    read = due.read_region_care

    def read_then_wait(*args, **kwargs):
        state = read(*args, **kwargs)
        # With the lock the other run waits for it, and reads only after this one commits.
        with contextlib.suppress(threading.BrokenBarrierError):
            have_read.wait(timeout=1)
        return state

    monkeypatch.setattr(due, "read_region_care", read_then_wait)
    made: list[int] = []
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            with writes.begin() as session:
                command = GenerateDueWork(world.region_id, 56, today=SPRING)
                made.append(len(generate_due_work(session, ADMIN, command).created))
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(made) == [0, 6]  # three yards x (oil, inspect), all by the first run
    with session_factory(engine)() as session:
        pairs = session.execute(
            select(m.JobItem.furniture_id, m.JobItem.action, func.count()).group_by(
                m.JobItem.furniture_id, m.JobItem.action
            )
        ).all()
    assert len(pairs) == 18
    assert {count for _, _, count in pairs} == {1}
