"""The daily due-work run: every region's care work made in the server, on a timer.

Like the outbox drainer (:mod:`sitecrew.services.notifications.drainer`), one
:class:`CareDueScheduler` thread per server process, started in the web app's lifespan. It runs
soon after start and then every ``due_interval_s``: for each region, one transaction of
:func:`~sitecrew.services.care.due.generate_due_work` as the system (an admin). A run is
idempotent and takes turns per region, so a restart, a second server or ``sitecrew care due``
from cron at the same moment never makes work twice. Cron without a server: ``sitecrew care
due --region R``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import session_factory, write_session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import SitecrewError
from sitecrew.services.care.due import GenerateDueWork, generate_due_work

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sitecrew.config import CareSettings

LOGGER = logging.getLogger("sitecrew.care")
#: The system acting on its own timer: no token, every region.
SYSTEM = Principal(Role.ADMIN)
#: Seconds after start before the first run (lets the server finish starting).
FIRST_RUN_AFTER_S = 60.0


@dataclass(frozen=True)
class ScheduledRun:
    """What one scheduled run made: jobs per region id."""

    jobs_by_region: dict[int, int]


def run_due_for_all_regions(engine: Engine, horizon_days: int) -> ScheduledRun:
    """Make every region's due care work, one transaction per region; failures are logged."""
    with session_factory(engine)() as session:
        region_ids = list(session.scalars(select(m.Region.id).order_by(m.Region.id)))
    made: dict[int, int] = {}
    writes = write_session_factory(engine)
    for region_id in region_ids:
        try:
            with writes.begin() as session:
                report = generate_due_work(
                    session, SYSTEM, GenerateDueWork(region_id, horizon_days)
                )
            made[region_id] = len(report.created)
        except SitecrewError:
            LOGGER.warning("care due work for region %d failed", region_id, exc_info=True)
    return ScheduledRun(made)


class CareDueScheduler:
    """A thread that makes due care work soon after start and then every interval."""

    def __init__(
        self,
        engine: Engine,
        settings: CareSettings,
        *,
        first_run_after_s: float = FIRST_RUN_AFTER_S,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._first_run_after_s = first_run_after_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sitecrew-care-due", daemon=True)

    def start(self) -> CareDueScheduler:
        """Start the timer (no thread when the interval is 0: runs are off); return self."""
        if self._settings.due_interval_s > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop (waits for a run in progress)."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        wait = min(self._first_run_after_s, self._settings.due_interval_s)
        while not self._stopped.wait(wait):
            wait = self._settings.due_interval_s
            try:
                run = run_due_for_all_regions(self._engine, self._settings.due_horizon_days)
                if any(run.jobs_by_region.values()):
                    LOGGER.info("care due work: %s new jobs by region", run.jobs_by_region)
            except Exception:
                LOGGER.warning("the care due-work run failed; trying again", exc_info=True)
