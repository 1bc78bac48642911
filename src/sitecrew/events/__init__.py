"""Live updates: events that say what changed, so subscriptions need not poll the database.

The API is small on purpose:

- :func:`publish` ``(topic, event)`` sends a JSON-able dict now (any thread or process);
  :func:`publish_after_commit` and the helpers :func:`run_changed`, :func:`jobs_changed` and
  :func:`route_published` send it when the caller's transaction commits.
- :func:`listen` ``(topic, redis_settings)`` is an async context manager yielding a listener
  whose ``receive(wait_s)`` returns the next event or None; :func:`subscribe` iterates events.

With ``SITECREW_REDIS_URL`` events travel through Redis pub/sub and reach every server whatever
process made the change; without it they reach the subscribers of the process that published
them, and subscriptions read the database often for the rest. Events carry ids only: who may
see what is decided when the subscription reads the rows, never by an event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.events import topics
from sitecrew.events.after_commit import (
    jobs_changed,
    publish_after_commit,
    route_published,
    run_changed,
)
from sitecrew.events.bus import Listener, listen, publish, use_redis
from sitecrew.events.local import Event

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sitecrew.config import RedisSettings

__all__ = [
    "Event",
    "Listener",
    "jobs_changed",
    "listen",
    "publish",
    "publish_after_commit",
    "route_published",
    "run_changed",
    "subscribe",
    "topics",
    "use_redis",
]


async def subscribe(topic: str, settings: RedisSettings) -> AsyncIterator[Event]:
    """Yield the events of ``topic`` as they come (a plain iterator over :func:`listen`)."""
    async with listen(topic, settings) as listener:
        while True:
            event = await listener.receive(60.0)
            if event is not None:
                yield event
