"""Handing a committed planning run to whoever executes it: the task queue, or this server.

Runs of every kind (a day's routes, a campaign's sweep) travel the same way, as the same
message; the worker picks the kind's executor.

One small interface for the use cases: :func:`check_dispatch` before writing (refuse at once
when the queue is down), :func:`queue_name` for the run row, and :func:`dispatch_after_commit`
inside the caller's transaction. With ``SITECREW_REDIS_URL`` set the run goes to the task queue
(:mod:`sitecrew.tasks.broker`) and any ``sitecrew worker`` executes it; without it this server's
own worker pool does (:mod:`~sitecrew.services.planning.background`), as before.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import event, or_, select, update
from sqlalchemy.engine import Connection, Engine

from sitecrew.db import models as m
from sitecrew.db.engine import write_session_factory
from sitecrew.domain.routes import PlanOptions, RunKind, RunState
from sitecrew.errors import UnavailableError
from sitecrew.services.planning import background
from sitecrew.services.planning.owners import fail_if_active
from sitecrew.services.planning.runs import CAMPAIGN_RUN_S, EXPANSION_RUN_S
from sitecrew.tasks.broker import PLANNING_QUEUE, check_reachable, enqueue_run

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings, QueueSettings, RedisSettings

LOGGER = logging.getLogger("sitecrew.planning")
_PENDING = "sitecrew_runs_to_enqueue"
#: Seconds a queued message may execute beyond the solver's limit (Dramatiq's backstop).
QUEUE_ALLOWANCE_S = 900.0


def queue_name(redis: RedisSettings) -> str | None:
    """Return the queue a new run waits on, or None when this server executes it."""
    return PLANNING_QUEUE if redis.url else None


def check_dispatch(redis: RedisSettings, queue: QueueSettings) -> None:
    """Refuse a new run before anything is written when the task queue is unreachable.

    Raises
    ------
    UnavailableError
        When Redis is configured and does not answer.
    """
    if redis.url:
        check_reachable(redis, queue)


def dispatch_after_commit(
    session: Session,
    run_id: int,
    *,
    osm: OsmSettings,
    redis: RedisSettings,
    queue: QueueSettings,
    time_limit_s: float,
) -> None:
    """Execute a queued run once ``session`` commits (never, if it rolls back).

    Raises (from the commit)
    ------------------------
    UnavailableError
        When the queue's Redis went away between the check and the commit: the run is failed
        at once (nobody would ever take it) and the caller is told to try again.
    """
    bind = session.get_bind()
    if isinstance(bind, Connection):
        # The session runs inside a transaction its caller holds (a test's rolled-back
        # connection): its commit is not the database's, so no worker could read the run.
        # The caller executes it (or rolls it back); handing it out would fail it for nothing.
        LOGGER.info("planning run %s not dispatched: its transaction is the caller's", run_id)
        return
    if redis.url is None:
        background.start_after_commit(session, run_id, osm)
        return
    engine = bind
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _enqueue_pending)
        event.listen(session, "after_rollback", _forget_pending)
    session.info[_PENDING].append((engine, run_id, redis, queue, time_limit_s))


def requeue_waiting_runs(
    engine: Engine, redis: RedisSettings, queue: QueueSettings, *, waiting_after_s: float
) -> list[int]:
    """Enqueue again the runs that have waited on the queue for ``waiting_after_s``; return them.

    Redis may lose its messages (it keeps nothing on disk here; a restart empties it), and a
    queued run then waits for nothing until its deadline. Sending its message again is safe:
    a worker claims a run at most once (:func:`~sitecrew.services.planning.queued.claim_run`)
    and skips copies of runs already running or finished. A run is sent again at most once per
    ``waiting_after_s`` (its ``heartbeat_at`` records the last send). When Redis is down nothing
    is sent and the next sweep tries again.
    """
    if redis.url is None:
        return []
    cutoff = datetime.now(UTC) - timedelta(seconds=waiting_after_s)
    with write_session_factory(engine).begin() as session:
        waiting = session.execute(
            select(m.PlanningRun.id, m.PlanningRun.options, m.PlanningRun.kind).where(
                m.PlanningRun.status == RunState.QUEUED.value,
                m.PlanningRun.queue.is_not(None),
                or_(m.PlanningRun.heartbeat_at.is_(None), m.PlanningRun.heartbeat_at < cutoff),
            )
        ).all()
        if not waiting:
            return []
        session.execute(
            update(m.PlanningRun)
            .where(m.PlanningRun.id.in_([run_id for run_id, _, _ in waiting]))
            .values(heartbeat_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
    sent = []
    for run_id, options, kind in waiting:
        if kind == RunKind.CAMPAIGN.value:
            limit = CAMPAIGN_RUN_S
        elif kind == RunKind.EXPANSION.value:
            limit = EXPANSION_RUN_S
        else:
            limit = PlanOptions.from_json(options or {}).time_limit_s or QUEUE_ALLOWANCE_S
        try:
            enqueue_run(redis, queue, run_id, time_limit_s=limit + QUEUE_ALLOWANCE_S)
        except UnavailableError as error:
            LOGGER.warning("queued planning runs not sent again: %s", error)
            break
        sent.append(run_id)
    if sent:
        LOGGER.info("planning runs sent to the queue again after waiting: %s", sent)
    return sent


def _forget_pending(session: Session) -> None:
    session.info[_PENDING].clear()


def _enqueue_pending(session: Session) -> None:
    pending, session.info[_PENDING] = session.info[_PENDING], []
    for engine, run_id, redis, queue, time_limit_s in pending:
        try:
            enqueue_run(redis, queue, run_id, time_limit_s=time_limit_s + QUEUE_ALLOWANCE_S)
        except UnavailableError as error:
            LOGGER.error("planning run %s not queued: %s", run_id, error)  # noqa: TRY400 (expected)
            with write_session_factory(engine).begin() as writes:
                fail_if_active(writes, run_id, f"not started: {error}")
            raise
