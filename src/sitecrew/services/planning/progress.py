"""A run's progress as the pipeline reports it, written to the run row for pollers to read.

Each write is also the run's progress check: a run that is no longer running (a planner
cancelled it, a supervisor failed it) or whose deadline has passed stops its worker here with
:class:`RunStoppedError`, so cancellation and the time cap need no signal to reach another process
or machine.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.domain.routes import RunState
from sitecrew.errors import ConflictError
from sitecrew.events import run_changed
from sitecrew.services.planning.owners import OVERDUE, fail_if_active

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

#: The share of a run's progress bar each step spans (the solve dominates).
SPANS: dict[str, tuple[float, float]] = {
    "load": (0.0, 0.05),
    "street graph": (0.05, 0.1),
    "snap": (0.1, 0.12),
    "matrix": (0.12, 0.15),
    "solve": (0.15, 0.85),
    "geometry": (0.85, 0.95),
    "persist": (0.95, 1.0),
}
MIN_INTERVAL_S = 0.5
"""Least time between two writes of the same step (a solve reports many times a second)."""


class RunStoppedError(ConflictError):
    """The run was cancelled, failed or went past its deadline while its worker worked on it."""


class RunProgress:
    """A ``ProgressCallback`` that stores overall progress 0..1 and the step on the run row.

    Each write is its own short transaction, so pollers see it at once; it must only be called
    while the pipeline holds no other write transaction (SQLite has a single writer).
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        run_id: int,
        *,
        deadline: datetime | None = None,
        spans: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.factory = factory
        self.run_id = run_id
        self.deadline = deadline
        self.spans = SPANS if spans is None else spans  # another kind of run has its own steps
        self.step = ""
        self.written = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        """Record ``done`` of ``total`` in ``step`` (throttled within a step).

        Raises
        ------
        RunStoppedError
            When the run is no longer running (cancelled or failed meanwhile) or its deadline
            has passed (it is failed as overdue then).
        """
        now = time.monotonic()
        if step == self.step and now - self.written < MIN_INTERVAL_S and done < total:
            return
        low, high = self.spans.get(step, (0.0, 0.0))
        value = low + (high - low) * min(max(done / max(total, 1), 0.0), 1.0)
        if self.deadline is not None and datetime.now(UTC) > self.deadline:
            with self.factory.begin() as session:
                fail_if_active(session, self.run_id, OVERDUE)
            raise RunStoppedError(f"planning run {self.run_id} {OVERDUE}")
        with self.factory.begin() as session:
            result = session.execute(
                update(m.PlanningRun)
                # a run failed meanwhile (its owner gone, its deadline passed) keeps its step
                .where(
                    m.PlanningRun.id == self.run_id,
                    m.PlanningRun.status == RunState.RUNNING.value,
                )
                .values(progress=round(value, 4), step=step)
            )
            if not getattr(result, "rowcount", 0):
                msg = f"planning run {self.run_id} was stopped (cancelled or failed meanwhile)"
                raise RunStoppedError(msg)
            run_changed(session, self.run_id)  # followers hear it once this is committed
        self.step, self.written = step, now
