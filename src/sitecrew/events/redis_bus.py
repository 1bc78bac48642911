"""Events through Redis pub/sub, so a change made in any process reaches every server.

Publishing is synchronous (worker processes, request threads) and never fails the caller: the
change is committed already, and a subscriber's periodic re-read of the database catches up on
an event Redis did not take. A listener holds one pub/sub connection for one topic; when Redis
goes away it reports no events and ``reaches_other_processes`` turns false, so its subscription
re-reads the database at the polling rate, and it reconnects when Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import anyio
import orjson
import redis
import redis.asyncio
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from sitecrew.events.local import Event

LOGGER = logging.getLogger("sitecrew.events")
#: Seconds to wait for Redis to accept a connection or answer a command.
CONNECT_TIMEOUT_S = 2.0
#: Seconds between two attempts to reach Redis again after it went away.
RECONNECT_S = 2.0

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
#: When each Redis that failed a publish may be asked again (monotonic seconds).
_down_until: dict[str, float] = {}


def channel(prefix: str, topic: str) -> str:
    """Return the Redis channel of ``topic`` under an installation's ``prefix``."""
    return f"{prefix}:events:{topic}"


def _client(url: str) -> redis.Redis:
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S
            )
            _clients[url] = client
        return client


def publish(url: str, prefix: str, topic: str, event: Event) -> bool:
    """Publish ``event`` on ``topic``; return False (and log) when Redis did not take it.

    After a failure Redis is not asked again for :data:`RECONNECT_S` seconds, so a Redis that
    hangs costs the writers of this process one timeout per interval, not one per change.
    """
    if time.monotonic() < _down_until.get(url, 0.0):
        return False
    try:
        _client(url).publish(channel(prefix, topic), orjson.dumps(event))
    except (RedisError, OSError) as error:
        _down_until[url] = time.monotonic() + RECONNECT_S
        LOGGER.warning("events not sent to Redis for %g s: %s", RECONNECT_S, error)
        return False
    return True


class RedisListener:
    """A subscription to one topic through Redis, which survives Redis going away."""

    def __init__(self, url: str, prefix: str, topic: str) -> None:
        self._url = url
        self._channel = channel(prefix, topic)
        self._client: redis.asyncio.Redis | None = None
        self._pubsub: Any = None
        self._retry_at = 0.0

    @property
    def reaches_other_processes(self) -> bool:
        """Tell whether events of other processes arrive now (False while Redis is away)."""
        return self._pubsub is not None

    async def open(self) -> None:
        """Subscribe and wait until Redis confirms, so no later event can be missed."""
        self._retry_at = time.monotonic() + RECONNECT_S
        client = redis.asyncio.Redis.from_url(self._url, socket_connect_timeout=CONNECT_TIMEOUT_S)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self._channel)
            deadline = time.monotonic() + CONNECT_TIMEOUT_S
            while time.monotonic() < deadline:
                message = await pubsub.get_message(timeout=CONNECT_TIMEOUT_S)
                if message is not None and message.get("type") == "subscribe":
                    self._client, self._pubsub = client, pubsub
                    return
            raise TimeoutError("Redis did not confirm the subscription")
        except (RedisError, OSError) as error:
            LOGGER.warning("live updates of %s read the database: Redis: %s", self._channel, error)
            await _close_quietly(pubsub, client)

    async def receive(self, wait_s: float) -> Event | None:
        """Return the next event, or None when none came within ``wait_s`` seconds.

        Also None at once when Redis has just gone away or come back: the caller then reads
        the database, which holds whatever happened meanwhile.
        """
        if self._pubsub is None:
            return await self._while_away(wait_s)
        try:
            message = await self._pubsub.get_message(
                ignore_subscribe_messages=True, timeout=wait_s
            )
        except (RedisError, OSError) as error:
            LOGGER.warning("Redis went away from %s: %s", self._channel, error)
            await self._drop()
            return None
        except Exception:  # a client library failing in a way of its own: read the database
            LOGGER.warning("Redis listener of %s failed", self._channel, exc_info=True)
            await self._drop()
            return None
        if message is None or message.get("type") != "message":
            return None
        decoded: Event = orjson.loads(message["data"])
        return decoded

    async def _while_away(self, wait_s: float) -> Event | None:
        if time.monotonic() >= self._retry_at:
            await self.open()
            if self._pubsub is not None:
                LOGGER.info("live updates of %s come through Redis again", self._channel)
                return None
        await anyio.sleep(wait_s)
        return None

    async def _drop(self) -> None:
        pubsub, client = self._pubsub, self._client
        self._pubsub = self._client = None
        self._retry_at = time.monotonic() + RECONNECT_S
        await _close_quietly(pubsub, client)

    async def aclose(self) -> None:
        """Unsubscribe and close the connection."""
        await self._drop()


async def _close_quietly(pubsub: Any, client: redis.asyncio.Redis | None) -> None:
    try:
        if pubsub is not None:
            await pubsub.aclose()
        if client is not None:
            await client.aclose()
    except Exception:  # closing a dead connection must never end a subscription
        LOGGER.debug("closing a Redis connection that is already gone", exc_info=True)
