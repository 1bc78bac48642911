"""The actors a ``sitecrew worker`` process executes.

Messages carry only ids: a worker reads the database URL and the street-graph settings from its
own environment, so no credentials travel through Redis, and one engine serves every task of a
worker process (created on its first task, after the process was started).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import dramatiq

from sitecrew.db.engine import engine_from_settings, write_session_factory
from sitecrew.services.notifications.channels import channels_from_settings
from sitecrew.services.notifications.delivery import drain
from sitecrew.services.planning.queued import execute_queued_run
from sitecrew.tasks.broker import (
    NOTIFICATIONS_QUEUE,
    PLAN_RUN,
    PLANNING_QUEUE,
    SEND_NOTIFICATIONS,
)

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker
    from sqlalchemy.engine import Engine

    from sitecrew.config import Settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _engine(settings: Settings) -> Engine:
    """Return this process's engine for the configured database (one per worker process)."""
    with _lock:
        if settings.database.url not in _engines:
            _engines[settings.database.url] = engine_from_settings(settings.database)
        return _engines[settings.database.url]


def register_actors(broker: RedisBroker, settings: Settings) -> None:
    """Declare Sitecrew's actors on ``broker``, executing with ``settings``.

    Dramatiq's own retries are off (the worker's broker has no Retries middleware): a run that
    raised is failed on its row with the reason, and a run whose worker died comes back through
    the broker's redelivery, bounded by the row's attempts.
    """

    def plan_run(run_id: int) -> None:
        execute_queued_run(_engine(settings), run_id, settings.osm, settings.queue)

    declare = dramatiq.actor(actor_name=PLAN_RUN, queue_name=PLANNING_QUEUE, broker=broker)
    declare(plan_run)

    def send_notifications() -> None:
        # Retries are the outbox row's business (attempts, backoff), as runs' are theirs.
        notifications = settings.notifications
        drain(
            write_session_factory(_engine(settings)),
            notifications,
            channels_from_settings(notifications),
            links=settings.tenant_links,
        )

    dramatiq.actor(actor_name=SEND_NOTIFICATIONS, queue_name=NOTIFICATIONS_QUEUE, broker=broker)(
        send_notifications
    )
