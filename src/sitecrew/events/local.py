"""The in-process event hub: events published in this process reach its subscribers.

Publishers run anywhere (request threads, the event loop, background threads); subscribers are
coroutines on an event loop. Each subscriber has a bounded inbox fed through its loop's
``call_soon_threadsafe``, so a publisher never blocks and never touches another thread's queue.
A full inbox drops the event: the subscriber's periodic re-read of the database catches up.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

Event = dict[str, Any]
#: Events one subscriber may have waiting; beyond it new events are dropped (see module doc).
INBOX_SIZE = 1000


class Inbox:
    """One subscriber's queue of events, on the subscriber's event loop."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Event] = asyncio.Queue(INBOX_SIZE)

    def put(self, event: Event) -> None:
        """Hand ``event`` to the subscriber's loop (from any thread)."""
        try:
            self._loop.call_soon_threadsafe(self._put_now, event)
        except RuntimeError:  # the subscriber's loop has closed: nobody is listening any more
            return

    def _put_now(self, event: Event) -> None:
        if not self._queue.full():
            self._queue.put_nowait(event)

    async def get(self, wait_s: float) -> Event | None:
        """Return the next event, or None when none came within ``wait_s`` seconds."""
        try:
            return await asyncio.wait_for(self._queue.get(), wait_s)
        except TimeoutError:
            return None


class LocalHub:
    """Fan events out to this process's subscribers, by topic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inboxes: dict[str, set[Inbox]] = {}

    def publish(self, topic: str, event: Event) -> None:
        """Deliver ``event`` to every inbox subscribed to ``topic`` now."""
        with self._lock:
            inboxes = list(self._inboxes.get(topic, ()))
        for inbox in inboxes:
            inbox.put(event)

    def add(self, topic: str) -> Inbox:
        """Subscribe a new inbox (of the running loop) to ``topic``."""
        inbox = Inbox()
        with self._lock:
            self._inboxes.setdefault(topic, set()).add(inbox)
        return inbox

    def remove(self, topic: str, inbox: Inbox) -> None:
        """Unsubscribe ``inbox``."""
        with self._lock:
            inboxes = self._inboxes.get(topic, set())
            inboxes.discard(inbox)
            if not inboxes:
                self._inboxes.pop(topic, None)

    def topics(self) -> Iterator[str]:
        """Return the topics with subscribers now (for tests and diagnostics)."""
        with self._lock:
            return iter(list(self._inboxes))


class LocalListener:
    """A subscription to one topic of the in-process hub."""

    #: Events of other processes never arrive here: callers re-read the database often.
    reaches_other_processes = False

    def __init__(self, hub: LocalHub, topic: str) -> None:
        self._hub = hub
        self._topic = topic
        self._inbox = hub.add(topic)

    async def receive(self, wait_s: float) -> Event | None:
        """Return the next event, or None when none came within ``wait_s`` seconds."""
        return await self._inbox.get(wait_s)

    async def aclose(self) -> None:
        """Stop listening."""
        self._hub.remove(self._topic, self._inbox)
