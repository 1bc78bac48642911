"""Where this process sends its events, and how a subscription listens.

Every event goes to the in-process hub, and to each Redis this process knows: the ones the
running apps registered (:func:`use_redis`, from their settings) and the one named by
``SITECREW_REDIS_URL`` in this process's environment, read at the first publish, so that a
worker process started by anyone (the embedded pool, ``sitecrew worker``) publishes where the
servers listen. Registering adds and never replaces, so two apps in one process (tests) both
hear what the process publishes.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

import anyio

from sitecrew.config import RedisSettings, Settings
from sitecrew.errors import ConfigurationError
from sitecrew.events import redis_bus
from sitecrew.events.local import LocalHub, LocalListener

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from sitecrew.events.local import Event

HUB = LocalHub()
_lock = threading.Lock()
#: Registered Redis targets (url, prefix) and how many apps registered each.
_targets: dict[tuple[str, str], int] = {}
_from_env: tuple[str, str] | None = None
_env_read = False


class Listener(Protocol):
    """A subscription to one topic."""

    @property
    def reaches_other_processes(self) -> bool:
        """Whether events published by other processes arrive here now."""

    async def receive(self, wait_s: float) -> Event | None:
        """Return the next event, or None when none came within ``wait_s`` seconds."""

    async def aclose(self) -> None:
        """Stop listening."""


def use_redis(settings: RedisSettings) -> Callable[[], None]:
    """Publish this process's events to the Redis of ``settings`` too; return the undo.

    Without a URL nothing changes (the returned undo does nothing).
    """
    if settings.url is None:
        return lambda: None
    key = (settings.url, settings.prefix)
    with _lock:
        _targets[key] = _targets.get(key, 0) + 1

    def release() -> None:
        with _lock:
            left = _targets.get(key, 0) - 1
            if left > 0:
                _targets[key] = left
            else:
                _targets.pop(key, None)

    return release


def _env_target() -> tuple[str, str] | None:
    global _from_env, _env_read  # noqa: PLW0603 (read once per process, at the first publish)
    with _lock:
        if not _env_read:
            _env_read = True
            try:
                settings = Settings.from_env().redis
            except ConfigurationError:
                settings = RedisSettings()
            if settings.url is not None:
                _from_env = (settings.url, settings.prefix)
        return _from_env


def publish(topic: str, event: Event) -> None:
    """Send ``event`` to every subscriber of ``topic``: in this process and through Redis.

    Call it only for a committed change (see :func:`~sitecrew.events.publish_after_commit`):
    a subscriber that hears it reads the database at once. Never raises for Redis trouble.
    """
    HUB.publish(topic, event)
    env = _env_target()
    with _lock:
        targets = set(_targets)
    if env is not None:
        targets.add(env)
    for url, prefix in targets:
        redis_bus.publish(url, prefix, topic, event)


@asynccontextmanager
async def listen(topic: str, settings: RedisSettings) -> AsyncIterator[Listener]:
    """Listen to ``topic``: through Redis when ``settings`` name one, else in this process.

    The listener is subscribed when this yields: read the current state from the database
    after entering, and no change committed afterwards can be missed.
    """
    listener: Listener
    if settings.url is None:
        listener = LocalListener(HUB, topic)
    else:
        remote = redis_bus.RedisListener(settings.url, settings.prefix, topic)
        await remote.open()
        listener = remote
    try:
        yield listener
    finally:
        with anyio.CancelScope(shield=True):  # a cancelled subscription still unsubscribes
            await listener.aclose()
