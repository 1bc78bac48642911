"""A run's progress as the pipeline reports it, written to the run row for pollers to read."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.domain.routes import RunState
from sitecrew.events import run_changed

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


class RunProgress:
    """A ``ProgressCallback`` that stores overall progress 0..1 and the step on the run row.

    Each write is its own short transaction, so pollers see it at once; it must only be called
    while the pipeline holds no other write transaction (SQLite has a single writer).
    """

    def __init__(self, factory: sessionmaker[Session], run_id: int) -> None:
        self.factory = factory
        self.run_id = run_id
        self.step = ""
        self.written = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        """Record ``done`` of ``total`` in ``step`` (throttled within a step)."""
        now = time.monotonic()
        if step == self.step and now - self.written < MIN_INTERVAL_S and done < total:
            return
        low, high = SPANS.get(step, (0.0, 0.0))
        value = low + (high - low) * min(max(done / max(total, 1), 0.0), 1.0)
        with self.factory.begin() as session:
            session.execute(
                update(m.PlanningRun)
                # a run failed meanwhile (its owner gone, its deadline passed) keeps its step
                .where(
                    m.PlanningRun.id == self.run_id,
                    m.PlanningRun.status == RunState.RUNNING.value,
                )
                .values(progress=round(value, 4), step=step)
            )
            run_changed(session, self.run_id)  # followers hear it once this is committed
        self.step, self.written = step, now
