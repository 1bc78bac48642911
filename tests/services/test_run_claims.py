"""Which delivery of a queued run a worker executes, and when a server fails a queue run.

The broker may deliver a run more than once (after its worker died, or as a copy sent again);
the run row decides. Both backends, on a rolled-back session.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from tests.helpers import OSLO_BOX

from sitecrew.config import QueueSettings
from sitecrew.db import models as m
from sitecrew.domain.organisations import Region
from sitecrew.domain.routes import PlanOptions, RunState
from sitecrew.services import organisations
from sitecrew.services.planning import runs
from sitecrew.services.planning.owners import (
    OVERDUE,
    WORKER_LOST,
    fail_abandoned_runs,
    this_worker,
)
from sitecrew.services.planning.queued import (
    DATABASE_LOST,
    WORKER_DIED,
    claim_run,
    reclaim_after_outage,
)

QUEUE = QueueSettings(max_attempts=2, worker_lost_after_s=15)
DAY = date(2031, 4, 7)


@pytest.fixture(scope="module")
def dead_worker() -> str:
    """The ``host:pid`` of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{this_worker().rpartition(':')[0]}:{process.pid}"


@pytest.fixture
def queued(session) -> int:
    """A run waiting on the task queue."""
    region = organisations.create_region(session, Region("Claims", OSLO_BOX, street_region="oslo"))
    options = PlanOptions(seed=1, time_limit_s=5)
    return runs.create_run(session, region=region.id, day=DAY, options=options, queue="planning").id


def _set(session, run_id: int, **values) -> None:
    session.execute(update(m.PlanningRun).where(m.PlanningRun.id == run_id).values(**values))


def _row(session, run_id: int) -> m.PlanningRun:
    return session.get(m.PlanningRun, run_id, populate_existing=True)


def test_a_queued_run_is_claimed_once_with_its_first_attempt_and_deadline(session, queued):
    """The first delivery starts the run under this worker; a copy of it is skipped."""
    claim = claim_run(session, queued, QUEUE)
    assert claim is not None
    assert claim.attempt == 1
    assert claim.run.state is RunState.RUNNING
    row = _row(session, queued)
    assert row.worker == this_worker()
    assert row.started_at is not None
    assert claim.deadline is not None
    assert claim_run(session, queued, QUEUE) is None  # the worker is alive: a stale copy


def test_a_run_of_a_dead_worker_is_taken_over_while_attempts_remain(
    session, queued, dead_worker
):
    """Dead pid on this host: the next delivery takes the run over as attempt 2, same deadline."""
    first = claim_run(session, queued, QUEUE)
    _set(session, queued, worker=dead_worker)
    second = claim_run(session, queued, QUEUE)
    assert second is not None
    assert second.attempt == 2
    assert second.deadline == first.deadline
    assert _row(session, queued).worker == this_worker()


def test_a_run_of_a_silent_worker_elsewhere_is_taken_over(session, queued):
    """A worker on another machine counts as dead once silent for worker_lost_after_s."""
    claim_run(session, queued, QUEUE)
    _set(session, queued, worker="elsewhere.example:7", heartbeat_at=datetime.now(UTC))
    assert claim_run(session, queued, QUEUE) is None  # it still beats
    _set(session, queued, heartbeat_at=datetime.now(UTC) - timedelta(seconds=16))
    assert claim_run(session, queued, QUEUE).attempt == 2


def test_a_run_whose_worker_died_on_its_last_attempt_is_failed(session, queued, dead_worker):
    """No attempts left: the run is failed with the reason, never started again."""
    claim_run(session, queued, QUEUE)
    _set(session, queued, worker=dead_worker, attempts=2)
    assert claim_run(session, queued, QUEUE) is None
    row = _row(session, queued)
    assert row.status == RunState.FAILED.value
    assert row.message == WORKER_DIED.format(attempts=2)


def test_an_overdue_or_finished_run_is_not_started(session, queued):
    """A delivery after the deadline fails the run as overdue; a cancelled run stays so."""
    _set(session, queued, deadline_at=datetime.now(UTC) - timedelta(seconds=1))
    assert claim_run(session, queued, QUEUE) is None
    assert (_row(session, queued).status, _row(session, queued).message) == ("failed", OVERDUE)
    _set(session, queued, status=RunState.CANCELLED.value)
    assert claim_run(session, queued, QUEUE) is None
    assert _row(session, queued).status == RunState.CANCELLED.value


def test_servers_leave_waiting_queue_runs_alone_and_fail_silent_running_ones(
    session, queued, dead_worker
):
    """Queued on the queue: only the deadline counts. Running: only a long silence, not a pid."""
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    _set(session, queued, worker=dead_worker, heartbeat_at=long_ago)
    assert queued not in fail_abandoned_runs(session, stale_after_s=120)
    _set(session, queued, status=RunState.RUNNING.value, heartbeat_at=datetime.now(UTC))
    assert queued not in fail_abandoned_runs(session, stale_after_s=120)  # redelivery comes
    _set(session, queued, heartbeat_at=long_ago)
    assert queued in fail_abandoned_runs(session, stale_after_s=120)
    assert _row(session, queued).message == WORKER_LOST


def test_a_run_cut_by_a_database_outage_starts_again_under_its_worker(session, queued):
    """After the outage the same worker runs it again as the next attempt, same deadline."""
    first = claim_run(session, queued, QUEUE)
    again = reclaim_after_outage(session, first, QUEUE)
    assert again is not None
    assert (again.attempt, again.deadline, again.run.id) == (2, first.deadline, queued)
    row = _row(session, queued)
    assert (row.status, row.step, row.attempts, row.worker) == ("running", "load", 2, this_worker())


def test_a_run_cut_by_outages_on_its_last_attempt_is_failed_with_the_reason(session, queued):
    """The outage costs an attempt like a worker's death: none left, the run is failed."""
    first = claim_run(session, queued, QUEUE)
    second = reclaim_after_outage(session, first, QUEUE)
    assert reclaim_after_outage(session, second, QUEUE) is None
    row = _row(session, queued)
    assert (row.status, row.message) == ("failed", DATABASE_LOST.format(attempts=2))


@pytest.mark.parametrize(
    ("change", "status_after"),
    [
        ({"status": RunState.CANCELLED.value}, "cancelled"),
        ({"status": RunState.FAILED.value}, "failed"),
        ({"worker": "elsewhere.example:7", "attempts": 2}, "running"),
    ],
    ids=["cancelled meanwhile", "failed as stale meanwhile", "taken over meanwhile"],
)
def test_a_run_changed_during_the_outage_is_left_as_it_is(session, queued, change, status_after):
    """Cancelled, failed by a supervisor, or taken by another worker: no second start here."""
    first = claim_run(session, queued, QUEUE)
    _set(session, queued, **change)
    assert reclaim_after_outage(session, first, QUEUE) is None
    assert _row(session, queued).status == status_after


def test_a_run_past_its_deadline_after_the_outage_is_failed_as_overdue(session, queued):
    """The outage does not buy time: a run whose deadline passed meanwhile is overdue."""
    first = claim_run(session, queued, QUEUE)
    later = first.deadline + timedelta(seconds=1)
    assert reclaim_after_outage(session, first, QUEUE, now=later) is None
    assert (_row(session, queued).status, _row(session, queued).message) == ("failed", OVERDUE)
