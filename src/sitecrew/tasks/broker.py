"""The Redis broker of the task queue, and enqueueing a planning run by its actor's name.

A web server only enqueues: it builds a broker without middleware and sends a message naming
the actor, so it loads neither the actors nor the solver. Keys live under
``<prefix>-tasks:`` so installations (and test sessions) sharing a Redis never take each
other's work.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import redis
from dramatiq import Message
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from sitecrew.errors import ConfigurationError, UnavailableError

if TYPE_CHECKING:
    from dramatiq.middleware import Middleware

    from sitecrew.config import QueueSettings, RedisSettings

#: The queue planning runs wait on (``sitecrew worker --queues planning``).
PLANNING_QUEUE = "planning"
#: The actor that executes a planning run (see :mod:`sitecrew.tasks.actors`).
PLAN_RUN = "plan_run"
#: The queue outbox drains wait on, and the actor that drains (see services.notifications).
NOTIFICATIONS_QUEUE = "notifications"
SEND_NOTIFICATIONS = "send_notifications"
#: Every queue a worker consumes unless told otherwise.
ALL_QUEUES = (PLANNING_QUEUE, NOTIFICATIONS_QUEUE)
#: Seconds to wait for Redis before a request is refused as unavailable.
CONNECT_TIMEOUT_S = 2.0

_senders: dict[tuple[str, str], RedisBroker] = {}
_lock = threading.Lock()


def make_broker(
    redis_settings: RedisSettings,
    queue: QueueSettings,
    *,
    middleware: list[Middleware] | None = None,
) -> RedisBroker:
    """Return a broker on the configured Redis.

    Every broker command is also a queue maintenance pass (``maintenance_chance`` at its
    maximum): that pass is what hands a dead worker's messages to a live one, and Dramatiq's
    default (one command in a thousand) could leave a killed worker's run waiting for minutes.
    The pass is one small Lua script, cheap for the handful of workers Sitecrew runs.

    Raises
    ------
    ConfigurationError
        When no Redis URL is configured.
    """
    if redis_settings.url is None:
        raise ConfigurationError("SITECREW_REDIS_URL is not set: there is no task queue")
    client = redis.Redis.from_url(
        redis_settings.url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=CONNECT_TIMEOUT_S * 5,
        health_check_interval=30,
    )
    return RedisBroker(
        client=client,
        namespace=f"{redis_settings.prefix}-tasks",
        middleware=middleware if middleware is not None else [],
        heartbeat_timeout=round(queue.worker_lost_after_s * 1000),
        maintenance_chance=MAINTENANCE_SCALE,
    )


def _sender(redis_settings: RedisSettings, queue: QueueSettings) -> RedisBroker:
    """Return this process's enqueue-only broker for a Redis (one connection pool each)."""
    key = (redis_settings.url or "", redis_settings.prefix)
    with _lock:
        if key not in _senders:
            _senders[key] = make_broker(redis_settings, queue)
        return _senders[key]


def check_reachable(redis_settings: RedisSettings, queue: QueueSettings) -> None:
    """Refuse work early when the queue's Redis does not answer (nothing is written then).

    Raises
    ------
    UnavailableError
        When Redis cannot be reached.
    """
    try:
        _sender(redis_settings, queue).client.ping()
    except redis.RedisError as error:
        raise _unavailable(error) from None


def enqueue_run(
    redis_settings: RedisSettings, queue: QueueSettings, run_id: int, *, time_limit_s: float
) -> None:
    """Put a committed planning run on the planning queue.

    ``time_limit_s`` caps the message's execution (Dramatiq's time limit, if a worker enables
    it); the run's own deadline is what the worker enforces.

    Raises
    ------
    UnavailableError
        When Redis cannot be reached (the caller fails the run: nobody will take it).
    """
    message: Message[None] = Message(
        queue_name=PLANNING_QUEUE,
        actor_name=PLAN_RUN,
        args=(run_id,),
        kwargs={},
        options={"time_limit": round(time_limit_s * 1000)},
    )
    try:
        _sender(redis_settings, queue).enqueue(message)
    except redis.RedisError as error:
        raise _unavailable(error) from None


def enqueue_drain(redis_settings: RedisSettings, queue: QueueSettings) -> None:
    """Ask a worker to deliver the outbox's due messages (a drain: repeats are harmless).

    Raises
    ------
    UnavailableError
        When Redis cannot be reached (the next timer tick asks again).
    """
    message: Message[None] = Message(
        queue_name=NOTIFICATIONS_QUEUE,
        actor_name=SEND_NOTIFICATIONS,
        args=(),
        kwargs={},
        options={},
    )
    try:
        _sender(redis_settings, queue).enqueue(message)
    except redis.RedisError as error:
        raise _unavailable(error) from None


def _unavailable(error: redis.RedisError) -> UnavailableError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return UnavailableError(f"the task queue (Redis) is unavailable: {reason}; try again shortly")
