"""Who owns a planning run, and failing the runs whose owner is gone.

A background run is executed by a worker process of one server process, and only that server
can see it end. So each run records its owner (``worker``: the server's ``host:pid``), the
server renews ``heartbeat_at`` while the run is queued or running, and the run carries a
``deadline_at``. A run is then *abandoned* when

- it has no owner (left by a server older than this bookkeeping);
- its owner ran on this host and that process is gone;
- its owner is this very process, seen at start-up (an earlier server got the same pid: the
  process that queued it is gone, though the number lives on);
- its owner showed no life for longer than the staleness setting (any host);

and *overdue* when its deadline has passed.

A run on the task queue (``queue`` set, ``sitecrew worker`` executes it) is different: while
queued it waits in the broker and has no process to watch, so only its deadline fails it; once
running, its worker (``host:pid``) renews the heartbeat, and when that worker dies the broker
hands the run to another worker (:mod:`~sitecrew.services.planning.queued`), so the run is only
*lost* (:data:`WORKER_LOST`) when its heartbeat stays silent past the staleness setting, even on
this host where the dead pid is visible at once. Both are failed with a fixed message, by a
conditional update, so two servers sweeping at once, or a worker finishing at that moment,
never both win. Runs of another live worker process of the same server (``sitecrew serve
--workers N``) are kept: that process is alive and renews them.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.routes import RunState
from sitecrew.events import run_changed

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from sqlalchemy.orm import Session

LOGGER = logging.getLogger("sitecrew.planning")
ABANDONED = "abandoned: the server running it stopped"
OVERDUE = "stopped: the run went past its deadline"
WORKER_LOST = "abandoned: its queue worker stopped and no other worker took the run over"
#: Statuses of a run that is not finished yet.
ACTIVE = (RunState.QUEUED.value, RunState.RUNNING.value)


def this_worker() -> str:
    """Return this process's owner name, ``host:pid`` (fits the 100-character column)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def process_alive(pid: int) -> bool:
    """Tell whether a process with ``pid`` runs on this host (one we may not signal counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_gone(worker: str | None, *, at_startup: bool) -> bool:
    """Tell whether the process named ``worker`` can no longer finish its runs."""
    host, _, pid_text = (worker or "").rpartition(":")
    if not host or not pid_text.isdigit():
        return True
    me = this_worker()
    if host != me.rpartition(":")[0]:
        return False  # another host: only its heartbeat tells
    if worker == me:
        return at_startup
    return not process_alive(int(pid_text))


def verdict(
    row: Sequence[Any],
    *,
    now: datetime,
    stale_after_s: float,
    at_startup: bool,
) -> str | None:
    """Return why an active run must be failed (:data:`ABANDONED`, :data:`OVERDUE`), or None.

    ``row`` holds the run's id, worker, heartbeat, creation time and deadline, and optionally
    its status and queue (a run on the task queue follows the queue's rules).
    """
    _, worker, heartbeat_at, created_at, deadline_at, *queued = row
    status, queue = [*queued, None, None][:2]
    deadline = as_utc(deadline_at)
    if deadline is not None and deadline < now:
        return OVERDUE
    last_sign = as_utc(heartbeat_at) or as_utc(created_at)
    silent = last_sign is None or last_sign < now - timedelta(seconds=stale_after_s)
    if queue is not None:
        if status == RunState.QUEUED.value:
            return None  # waits in the broker; only its deadline can fail it
        return WORKER_LOST if silent else None
    if owner_gone(worker, at_startup=at_startup) or silent:
        return ABANDONED
    return None


def fail_if_active(session: Session, run_id: int, message: str) -> bool:
    """Fail a run that is still queued or running; return whether this call failed it."""
    result = session.execute(
        update(m.PlanningRun)
        .where(m.PlanningRun.id == run_id, m.PlanningRun.status.in_(ACTIVE))
        .values(
            status=RunState.FAILED.value,
            step="failed",
            message=message,
            finished_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    failed = bool(getattr(result, "rowcount", 0))
    if failed:
        end_scenario_of(session, run_id, status=RunState.FAILED, message=message)
        run_changed(session, run_id)  # followers hear it once this is committed
    return failed


def end_scenario_of(session: Session, run_id: int, *, status: RunState, message: str) -> None:
    """End the expansion scenario an ended run computed, if it has one still queued or running.

    The run row is what the queue, the claims and the supervisors watch; the scenario is what
    its readers poll. Every way a run ends without a result (failed as abandoned, overdue or
    broken, cancelled) passes here, so a scenario never stays running after its run.
    """
    scenario_of_run = (
        select(m.PlanningRun.scenario_id).where(m.PlanningRun.id == run_id).scalar_subquery()
    )
    session.execute(
        update(m.ExpansionScenario)
        .where(m.ExpansionScenario.id == scenario_of_run, m.ExpansionScenario.status.in_(ACTIVE))
        .values(
            status=status.value, stage=status.value, error=message, finished_at=datetime.now(UTC)
        )
        .execution_options(synchronize_session=False)
    )


def fail_abandoned_runs(
    session: Session,
    *,
    stale_after_s: float,
    keep: Collection[int] = (),
    at_startup: bool = False,
) -> list[int]:
    """Fail every active run that is abandoned or overdue; return their ids.

    Parameters
    ----------
    session
        A session in the transaction that writes the failures (a write session: on SQLite it
        holds the write lock from its first statement).
    stale_after_s
        Seconds without a heartbeat after which a run counts as abandoned.
    keep
        Runs this process is executing right now: never abandoned (they may be overdue).
    at_startup
        Whether this process is starting: runs recorded under its own ``host:pid`` are then
        an earlier process's.

    Returns
    -------
    list of int
        The runs failed by this call.
    """
    now = datetime.now(UTC)
    query = select(
        m.PlanningRun.id,
        m.PlanningRun.worker,
        m.PlanningRun.heartbeat_at,
        m.PlanningRun.created_at,
        m.PlanningRun.deadline_at,
        m.PlanningRun.status,
        m.PlanningRun.queue,
    ).where(m.PlanningRun.status.in_(ACTIVE))
    failed = []
    for row in session.execute(query).all():
        why = verdict(row, now=now, stale_after_s=stale_after_s, at_startup=at_startup)
        if why in {ABANDONED, WORKER_LOST} and row.id in keep:
            continue
        if why is not None and fail_if_active(session, row.id, why):
            LOGGER.warning("planning run %s failed: %s (owner %s)", row.id, why, row.worker)
            failed.append(row.id)
    return failed


def renew_heartbeats(session: Session, run_ids: Collection[int]) -> None:
    """Record that this process still owns and runs ``run_ids`` (those not finished yet)."""
    if not run_ids:
        return
    session.execute(
        update(m.PlanningRun)
        .where(
            m.PlanningRun.id.in_(sorted(run_ids)),
            m.PlanningRun.status.in_(ACTIVE),
            m.PlanningRun.worker == this_worker(),
        )
        .values(heartbeat_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
