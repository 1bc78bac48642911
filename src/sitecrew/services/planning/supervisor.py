"""Supervising a server's planning runs: heartbeats for its own, failure for abandoned ones.

One :class:`RunSupervisor` per server process (the web app starts it in its lifespan). It sweeps
once when the server starts, so runs a stopped server left queued or running are failed before
the first request, and then every quarter of the staleness setting: it renews the heartbeat of
the runs this process executes and fails the runs whose owner is gone or whose deadline passed
(the rules are in :mod:`~sitecrew.services.planning.owners`).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from sitecrew.db.engine import write_session_factory
from sitecrew.services.planning.background import owned_run_ids
from sitecrew.services.planning.dispatch import requeue_waiting_runs
from sitecrew.services.planning.owners import fail_abandoned_runs, renew_heartbeats

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sitecrew.config import QueueSettings, RedisSettings

LOGGER = logging.getLogger("sitecrew.planning")


class RunSupervisor:
    """A thread that renews this process's runs' heartbeats and fails abandoned runs.

    Start it when a server starts (:meth:`start` sweeps once before returning, so runs left by
    a stopped server are failed before the first request) and stop it when the server stops.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        stale_after_s: float,
        queue: tuple[RedisSettings, QueueSettings] | None = None,
    ) -> None:
        self._engine = engine
        self._queue = queue
        self._sessions = write_session_factory(engine)
        self._stale_after_s = stale_after_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="sitecrew-planning-runs", daemon=True
        )

    @classmethod
    def start(
        cls,
        engine: Engine,
        *,
        stale_after_s: float,
        queue: tuple[RedisSettings, QueueSettings] | None = None,
    ) -> RunSupervisor:
        """Sweep once as a starting server, then keep sweeping in a thread; return it.

        With ``queue`` (the task queue's Redis and settings) each sweep also sends again the
        messages of runs that have waited on the queue for ``stale_after_s`` (Redis may have
        lost them).
        """
        supervisor = cls(engine, stale_after_s=stale_after_s, queue=queue)
        supervisor._sweep_safely(at_startup=True)
        supervisor._thread.start()
        return supervisor

    def sweep(self, *, at_startup: bool = False) -> list[int]:
        """Renew this process's heartbeats and fail abandoned or overdue runs; return those."""
        owned = owned_run_ids(self._engine)
        with self._sessions.begin() as session:
            renew_heartbeats(session, owned)
            failed = fail_abandoned_runs(
                session, stale_after_s=self._stale_after_s, keep=owned, at_startup=at_startup
            )
        if self._queue is not None:
            redis, queue = self._queue
            requeue_waiting_runs(
                self._engine, redis, queue, waiting_after_s=self._stale_after_s
            )
        return failed

    def stop(self) -> None:
        """Stop sweeping (waits for a sweep in progress)."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        interval = max(self._stale_after_s / 4, 0.05)
        while not self._stopped.wait(interval):
            self._sweep_safely()

    def _sweep_safely(self, *, at_startup: bool = False) -> None:
        # A database that is down or not migrated yet must not stop the server from starting
        # (its health check says what is wrong): say so in one line and sweep again later.
        try:
            self.sweep(at_startup=at_startup)
        except SQLAlchemyError as error:
            reason = str(error.orig if isinstance(error, DBAPIError) else error).splitlines()[0]
            LOGGER.warning("planning runs not swept (database not ready: %s); will retry", reason)
        except Exception:
            LOGGER.exception("sweeping planning runs failed; trying again")
