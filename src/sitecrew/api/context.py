"""Per-request context: who is asking, the request's database session, its DataLoaders.

Services are synchronous. Resolvers call them through :meth:`Context.read` / :meth:`write`, which
run them on a worker thread so the event loop never waits on the database; a per-request
``CapacityLimiter(1)`` serialises one request's calls, because DataLoaders of one request run
concurrently and a SQLAlchemy session must not be used by two threads at once.
"""

from __future__ import annotations

import threading
from contextlib import AbstractAsyncContextManager, nullcontext
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from sitecrew.errors import UnauthenticatedError
from sitecrew.services._persist import write_in_transaction

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from sitecrew.api.loaders import Loaders
    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal

ResultT = TypeVar("ResultT")


class Context:
    """What every resolver gets as ``info.context``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        principal: Principal | None,
        *,
        read_sessions: sessionmaker[Session] | None = None,
        write_sessions: sessionmaker[Session] | None = None,
        fresh_read_turn: Callable[[], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        self.sessions = sessions
        self._read_sessions = read_sessions or sessions
        # A subscription's reads wait for a turn of the server's admission gate (web.admission).
        self._fresh_read_turn = fresh_read_turn or nullcontext
        self._write_sessions = write_sessions or sessions
        self.settings = settings
        self.principal = principal
        self._limiter = anyio.CapacityLimiter(1)
        # Held by the thread using the session: a cancelled request releases the limiter while
        # its read still runs, so closing waits on this instead.
        self._in_use = threading.Lock()
        self._session: Session | None = None
        self.loaders = self._new_loaders()

    def _new_loaders(self) -> Loaders:
        from sitecrew.api.loaders import Loaders  # noqa: PLC0415  (cycle: loaders use Context)

        return Loaders(self)

    @property
    def engine(self) -> Engine:
        """Return the engine behind the request's sessions (background runs open their own)."""
        engine: Engine = self.sessions.kw["bind"]
        return engine

    @property
    def user(self) -> Principal:
        """Return the authenticated caller.

        Raises
        ------
        UnauthenticatedError
            When the request carried no valid token.
        """
        if self.principal is None:
            raise UnauthenticatedError("authentication required: send 'Authorization: Bearer …'")
        return self.principal

    async def read(self, function: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
        """Run a read-only service function with the request's session, off the event loop."""
        return await anyio.to_thread.run_sync(
            partial(self._read_now, function, *args, **kwargs), limiter=self._limiter
        )

    async def write(self, function: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
        """Run a service function in its own transaction: all of it is written, or nothing."""
        return await anyio.to_thread.run_sync(
            partial(self._write_now, function, *args, **kwargs), limiter=self._limiter
        )

    async def read_fresh(
        self, function: Callable[..., ResultT], *args: Any, **kwargs: Any
    ) -> ResultT:
        """Run a read-only service function in a session of its own, closed right after.

        For long-lived subscriptions: the request's session keeps one snapshot, so a value that
        another process changes (a planning run's progress) would never be seen to move. The read
        waits for its turn among the server's requests, so that many subscribers woken by one
        event cannot take every database connection at once.
        """
        async with self._fresh_read_turn():
            return await anyio.to_thread.run_sync(
                partial(self._read_fresh_now, function, *args, **kwargs), limiter=self._limiter
            )

    def _read_fresh_now(
        self, function: Callable[..., ResultT], *args: Any, **kwargs: Any
    ) -> ResultT:
        with self._read_sessions() as session:
            return function(session, *args, **kwargs)

    def _read_now(self, function: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
        with self._in_use:
            if self._session is None:
                self._session = self._read_sessions()
            return function(self._session, *args, **kwargs)

    def _write_now(self, function: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
        with self._in_use:
            if self._session is not None:
                self._session.rollback()  # end the read snapshot so the write sees fresh rows
        return write_in_transaction(self._write_sessions, function, *args, **kwargs)

    async def between_results(self) -> None:
        """Forget what this context read, before a subscription's next result.

        A subscription's context lives as long as its stream. Between two results it must hold
        no session (on SQLite an open read transaction, everywhere a pooled connection) and no
        DataLoader answers, so that an idle stream costs the database nothing and the next
        result is read afresh.
        """
        await self.aclose()
        self.loaders = self._new_loaders()

    async def aclose(self) -> None:
        """Release the request's session once no read of this request still uses it.

        A request cancelled mid-read (its client gone, a timeout) leaves that read running in its
        worker thread, and releases the request's limiter; closing the session beside the read
        made SQLAlchemy raise ``IllegalStateChangeError``. :meth:`close` waits for it.
        """
        await anyio.to_thread.run_sync(self.close, limiter=self._limiter)

    def close(self) -> None:
        """Release the request's session (callers on the event loop use :meth:`aclose`)."""
        with self._in_use:
            if self._session is not None:
                self._session.close()
                self._session = None
