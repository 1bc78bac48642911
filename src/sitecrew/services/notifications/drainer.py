"""Draining the outbox on a timer: in this process, or by asking the task queue's workers.

One :class:`OutboxDrainer` per server process (the web app starts it in its lifespan). Without
a task queue it delivers due messages itself, every ``drain_interval_s`` and at once when a
transaction that wrote messages commits (:mod:`.wake`). With a task queue it only sends the
queue a drain message at those moments, and ``sitecrew worker`` processes deliver
(:mod:`sitecrew.tasks.actors`). Cron without a server: ``sitecrew notifications send-due``.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from sitecrew.db.engine import write_session_factory
from sitecrew.services.notifications.channels import channels_from_settings
from sitecrew.services.notifications.delivery import drain
from sitecrew.services.notifications.wake import set_waker

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine

    from sitecrew.config import NotificationSettings, TenantLinkSettings

LOGGER = logging.getLogger("sitecrew.notifications")


class OutboxDrainer:
    """A thread that drains the outbox (or asks the queue to) on a timer and when woken.

    ``links`` sign the tenants' links delivery puts into messages (the queue's workers read
    their own from the environment).
    """

    def __init__(
        self,
        engine: Engine,
        settings: NotificationSettings,
        *,
        links: TenantLinkSettings,
        send_to_queue: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._links = links
        self._send_to_queue = send_to_queue
        self._woken = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sitecrew-outbox", daemon=True)

    def start(self) -> OutboxDrainer:
        """Start draining and register as the outbox's waker; return self."""
        set_waker(self._woken.set)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop (waits for a drain in progress) and unregister as the waker."""
        set_waker(None)
        self._stopped.set()
        self._woken.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def drain_once(self) -> None:
        """Deliver what is due now, or ask the queue to."""
        if self._send_to_queue is not None:
            self._send_to_queue()
            return
        report = drain(
            write_session_factory(self._engine),
            self._settings,
            channels_from_settings(self._settings),
            links=self._links,
        )
        if report.sent or report.retried or report.failed:
            LOGGER.info(
                "outbox: %d sent, %d to retry, %d failed",
                len(report.sent),
                len(report.retried),
                len(report.failed),
            )

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._woken.wait(self._settings.drain_interval_s)
            self._woken.clear()
            if self._stopped.is_set():
                return
            try:
                self.drain_once()
            except Exception:
                LOGGER.warning("draining the outbox failed; trying again", exc_info=True)
