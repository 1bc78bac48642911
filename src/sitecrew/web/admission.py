"""Admission control: how many requests one server process serves at once, and who waits.

Every request holds a database connection while it runs (its token lookup, then its session).
Without a bound, 128 requests arriving at one process each took a worker thread and asked the
pool for a connection; the pool has far fewer, so most threads sat in SQLAlchemy's pool queue,
which is neither fair nor bounded except by its 30 s timeout: in the load test at 256 clients
7.5 % of requests waited 30 s and then failed with a 5xx. Here the requests beyond the capacity
wait on the event loop instead (a waiting request costs no thread and no connection), in arrival
order, and a request that would wait longer than ``max_wait_s``, or that finds ``max_waiting``
requests already queued, gets a fast ``503 UNAVAILABLE`` with ``Retry-After`` rather than a hang.

The capacity defaults to the pool's steady size, so an admitted request always finds a
connection, and the pool's overflow stays free for what is not admitted here (subscriptions'
reads, the run supervisor's heartbeats, health checks).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

from sitecrew.api.errors import UNAVAILABLE
from sitecrew.web.http_errors import RequestError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import Engine

    from sitecrew.config import ServerSettings

LOGGER = logging.getLogger("sitecrew.web")
#: Capacity when the pool does not say its size (an in-memory SQLite database's single pool).
UNSIZED_POOL_CAPACITY = 8
BUSY_MESSAGE = "The server is busy; try again shortly."
#: Seconds a refused client is asked to wait before trying again.
RETRY_AFTER_S = 1


class ServerBusyError(RequestError):
    """A request refused because the process is full and its queue too long or too slow."""

    def __init__(self) -> None:
        super().__init__(503, UNAVAILABLE, BUSY_MESSAGE, {"Retry-After": str(RETRY_AFTER_S)})


class Admission:
    """A fair gate: at most ``capacity`` requests inside, the rest queued for a bounded time."""

    def __init__(self, capacity: int, *, max_waiting: int, max_wait_s: float) -> None:
        if capacity < 1:
            msg = f"admission capacity must be at least 1, got {capacity}"
            raise ValueError(msg)
        self.capacity = capacity
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self._slots = anyio.Semaphore(capacity)
        self._waiting = 0
        self.refused = 0

    @property
    def inside(self) -> int:
        """Return how many requests are being served now."""
        return self.capacity - self._slots.value

    @property
    def waiting(self) -> int:
        """Return how many requests wait for a slot now."""
        return self._waiting

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a slot for the block; raise :class:`ServerBusyError` when none comes in time.

        Raises
        ------
        ServerBusyError
            When ``max_waiting`` requests already wait, or no slot frees within ``max_wait_s``.
        """
        if self._slots.value == 0 and self._waiting >= self.max_waiting:
            self._refuse("queue full")
        self._waiting += 1
        try:
            with anyio.move_on_after(self.max_wait_s) as waited:
                await self._slots.acquire()
        finally:
            self._waiting -= 1
        if waited.cancelled_caught:
            self._refuse(f"no slot within {self.max_wait_s:g} s")
        try:
            yield
        finally:
            self._slots.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a slot for the block, waiting as long as it takes (never refused).

        For a subscription's next result: its client waits for an event anyway, so a result a
        little later beats an error, and a burst of results (an event many subscribers hear at
        once) then queues here instead of emptying the database pool under admitted requests.
        """
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    def _refuse(self, why: str) -> None:
        self.refused += 1
        LOGGER.warning(
            "request refused, server busy (%s): %d inside, %d waiting",
            why,
            self.inside,
            self._waiting,
        )
        raise ServerBusyError


def admission_for(settings: ServerSettings, engine: Engine) -> Admission:
    """Return the gate of one server process: the configured capacity, or the pool's size."""
    capacity = settings.max_concurrent_requests or pool_steady_size(engine)
    return Admission(
        capacity,
        max_waiting=settings.max_waiting_requests,
        max_wait_s=settings.max_request_wait_s,
    )


def pool_steady_size(engine: Engine) -> int:
    """Return the connections ``engine``'s pool keeps open (its overflow not counted)."""
    size = getattr(engine.pool, "size", None)
    return max(1, size()) if callable(size) else UNSIZED_POOL_CAPACITY
