"""Executing a planning run taken from the task queue, in a ``sitecrew worker`` process.

Runs of every kind (a day's routes, a campaign's sweep) arrive here alike; what executing one
means is :func:`~sitecrew.services.planning.execute.execute_claimed`'s business.

The broker acknowledges a message only after its task returned, and hands the messages of a
worker that stopped showing life to another worker. So the same run can arrive more than once:
after its worker died (a retry), or as a stale copy of a run another worker still executes. The
run row decides, in one conditional update (:func:`claim_run`):

- queued: this worker starts it (attempt 1);
- running, and its worker is gone (dead pid on this host, or silent for the queue's
  ``worker_lost_after_s``): this worker takes it over, while attempts remain and the deadline
  has not passed; otherwise it is failed with :data:`WORKER_DIED`;
- running with a live worker, or finished (succeeded, failed, cancelled): nothing to do.

A run cut by a database outage (PostgreSQL restarting) used to be left running until the
supervisors' stale sweep, minutes later, holding its region's quota; the worker now waits for
the database and starts the run again, so the outage costs the run its lost work, not its day.

While it executes, a :class:`Heartbeat` thread renews the run's ``heartbeat_at`` so the
servers' supervisors see the worker live; progress reports double as cancellation and deadline
checks (:class:`~sitecrew.services.planning.progress.RunProgress`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Self

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.db.engine import write_session_factory
from sitecrew.db.models._columns import as_utc
from sitecrew.db.outages import database_unavailable, retry_while_unavailable
from sitecrew.domain.routes import PlanningRunInfo, RunState
from sitecrew.events import run_changed
from sitecrew.services.planning.execute import execute_claimed
from sitecrew.services.planning.owners import (
    OVERDUE,
    fail_if_active,
    owner_gone,
    this_worker,
)
from sitecrew.services.planning.progress import RunStoppedError
from sitecrew.services.planning.runs import deadline_of, failure_message, run_info

if TYPE_CHECKING:
    from types import TracebackType

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings, QueueSettings

LOGGER = logging.getLogger("sitecrew.planning")
DATABASE_LOST = (
    "the database could not be reached during the run {attempts} times (restarted or down); "
    "not retried again: plan again"
)
WORKER_DIED = (
    "the planning worker process stopped unexpectedly (killed or out of memory) {attempts} "
    "times; not retried again: plan again"
)


@dataclass(frozen=True)
class Claim:
    """A run this worker has marked running: the run (of any kind), its deadline, its attempt."""

    run: PlanningRunInfo
    deadline: datetime | None
    attempt: int


def claim_run(
    session: Session, run_id: int, queue: QueueSettings, *, now: datetime | None = None
) -> Claim | None:
    """Mark a delivered run running under this worker, or return None when it must not run.

    Parameters
    ----------
    session
        A write session; the caller commits.
    run_id
        The run the message names.
    queue
        ``max_attempts`` and ``worker_lost_after_s``.
    now
        The moment of the claim (tests); defaults to the clock.
    """
    now = now or datetime.now(UTC)
    row = session.get(m.PlanningRun, run_id, populate_existing=True)
    if row is None or RunState(row.status).finished:
        return None
    deadline = as_utc(row.deadline_at)
    if deadline is not None and deadline < now:
        fail_if_active(session, run_id, OVERDUE)
        return None
    if row.status == RunState.RUNNING.value:
        if not _worker_lost(row, queue, now=now):
            return None  # a stale copy of a run a live worker executes
        if row.attempts >= queue.max_attempts:
            fail_if_active(session, run_id, WORKER_DIED.format(attempts=row.attempts))
            return None
        LOGGER.warning("planning run %s: worker %s is gone; taking it over", run_id, row.worker)
    if row.started_at is None:
        deadline = deadline_of(row.kind, row.options or {}, now)
    result = session.execute(
        update(m.PlanningRun)
        .where(
            m.PlanningRun.id == run_id,
            m.PlanningRun.status == row.status,
            m.PlanningRun.attempts == row.attempts,
        )
        .values(
            status=RunState.RUNNING.value,
            step="load",
            worker=this_worker(),
            heartbeat_at=now,
            started_at=as_utc(row.started_at) or now,
            deadline_at=deadline,
            attempts=row.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None  # another worker claimed it first
    run_changed(session, run_id)
    session.refresh(row)
    return Claim(run_info(row), deadline, row.attempts)


def _worker_lost(row: m.PlanningRun, queue: QueueSettings, *, now: datetime) -> bool:
    """Tell whether the worker recorded on a running run can no longer finish it."""
    if owner_gone(row.worker, at_startup=False):
        return True
    last_sign = as_utc(row.heartbeat_at) or as_utc(row.started_at)
    return last_sign is None or last_sign < now - timedelta(seconds=queue.worker_lost_after_s)


def execute_queued_run(engine: Engine, run_id: int, osm: OsmSettings, queue: QueueSettings) -> None:
    """Execute a run delivered by the task queue to its end; every outcome is on the run row.

    Returns normally in every case the broker should acknowledge (success, failure recorded,
    cancelled, nothing to do). A database that goes away (PostgreSQL restarting) is waited for
    (:func:`~sitecrew.db.outages.retry_while_unavailable`), and the run then starts again under
    this worker while attempts remain (:func:`reclaim_after_outage`); only a database that stays
    away raises, and then the servers' supervisors fail the silent run once it is stale.
    """
    claim = retry_while_unavailable(lambda: _claim(engine, run_id, queue))
    if claim is None:
        LOGGER.info("planning run %s: nothing to do (finished, running elsewhere or gone)", run_id)
    while claim is not None:
        claim = _execute_attempt(engine, claim, osm, queue)


def _claim(engine: Engine, run_id: int, queue: QueueSettings) -> Claim | None:
    with write_session_factory(engine).begin() as session:
        return claim_run(session, run_id, queue)


def _execute_attempt(
    engine: Engine, claim: Claim, osm: OsmSettings, queue: QueueSettings
) -> Claim | None:
    """Execute one attempt; return the next attempt's claim when the database cut this one."""
    run_id = claim.run.id
    interval = max(min(queue.worker_lost_after_s / 3, 30.0), 0.2)
    with Heartbeat(engine, run_id, interval_s=interval):
        try:
            execute_claimed(engine, claim.run, osm, deadline=claim.deadline)
        except RunStoppedError as stopped:
            LOGGER.info("planning run %s stopped: %s", run_id, stopped)
            return None
        except Exception as error:  # noqa: BLE001 (every failure must be recorded on the run)
            if not database_unavailable(error):
                _record_failure(engine, run_id, failure_message(error, run_id=run_id))
                return None
            LOGGER.warning(
                "planning run %s: the database went away mid-run (%s); waiting for it",
                run_id,
                str(error).splitlines()[0][:200],
            )
        else:
            return None
    return retry_while_unavailable(lambda: _reclaim(engine, claim, queue))


def _reclaim(engine: Engine, claim: Claim, queue: QueueSettings) -> Claim | None:
    with write_session_factory(engine).begin() as session:
        return reclaim_after_outage(session, claim, queue)


def reclaim_after_outage(
    session: Session, claim: Claim, queue: QueueSettings, *, now: datetime | None = None
) -> Claim | None:
    """Start a run again that a database outage cut, or fail it when it may not start again.

    Only the worker that held the run takes it up again (its row still names this worker and
    the attempt it was cut in); a run cancelled, failed as stale or taken over meanwhile is
    left as it is. The attempt counts like a worker's death: ``max_attempts`` bounds both.
    """
    now = now or datetime.now(UTC)
    run_id = claim.run.id
    row = session.get(m.PlanningRun, run_id, populate_existing=True)
    if (
        row is None
        or row.status != RunState.RUNNING.value
        or row.worker != this_worker()
        or row.attempts != claim.attempt
    ):
        return None
    if claim.deadline is not None and claim.deadline < now:
        fail_if_active(session, run_id, OVERDUE)
        return None
    if row.attempts >= queue.max_attempts:
        fail_if_active(session, run_id, DATABASE_LOST.format(attempts=row.attempts))
        return None
    row.attempts += 1
    row.step = "load"
    row.heartbeat_at = now
    session.flush()
    run_changed(session, run_id)
    LOGGER.warning("planning run %s: starting again (attempt %d)", run_id, row.attempts)
    return Claim(run_info(row), claim.deadline, row.attempts)


def _record_failure(engine: Engine, run_id: int, message: str) -> None:
    def record() -> None:
        with write_session_factory(engine).begin() as session:
            fail_if_active(session, run_id, message)

    retry_while_unavailable(record)


class Heartbeat:
    """A thread that renews a running run's heartbeat while this worker executes it."""

    def __init__(self, engine: Engine, run_id: int, *, interval_s: float) -> None:
        self._sessions = write_session_factory(engine)
        self._run_id = run_id
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"sitecrew-run-{run_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                with self._sessions.begin() as session:
                    session.execute(
                        update(m.PlanningRun)
                        .where(
                            m.PlanningRun.id == self._run_id,
                            m.PlanningRun.status == RunState.RUNNING.value,
                            m.PlanningRun.worker == this_worker(),
                        )
                        .values(heartbeat_at=datetime.now(UTC))
                        .execution_options(synchronize_session=False)
                    )
            except Exception:  # a busy or lost database: the next beat tries again
                LOGGER.exception("planning run %s: heartbeat not written", self._run_id)
