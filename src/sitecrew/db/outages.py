"""Telling a database that cannot answer right now from a bug, for every layer that retries.

The API answers such a failure with ``UNAVAILABLE`` (a retry outlives it), and a queue worker
whose run met it waits for the database and starts the run again instead of failing it.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

if TYPE_CHECKING:
    from collections.abc import Callable

LOGGER = logging.getLogger("sitecrew.db")
ResultT = TypeVar("ResultT")
#: Longest background work waits for a database that went away before it gives up (seconds):
#: a PostgreSQL restart takes a few seconds, a failover under a minute.
DATABASE_WAIT_S = 90.0
#: Pause between two tries while the database is away (seconds).
DATABASE_RETRY_INTERVAL_S = 0.5

#: What SQLAlchemy says when a session whose connection was lost is used again (a request's
#: later loaders, after its first statement met a restarting PostgreSQL).
LOST_CONNECTION = "Can't reconnect until invalid transaction is rolled back"


def database_unavailable(error: BaseException | None) -> bool:
    """Tell whether ``error`` (or what caused it) means the database is unreachable for now.

    True for a connection the pool could not open or lost (PostgreSQL restarting or down, a
    dropped connection, and a session used again after its connection was lost), a pool with
    no connection free in time, and SQLite's lock timeout:
    failures a retry outlives, unlike a bug (bad SQL, a missing table), which stays INTERNAL.
    """
    for _ in range(8):  # a short chain: SQLAlchemy wraps the driver's error once or twice
        if error is None:
            return False
        if isinstance(error, PoolTimeoutError):
            return True
        if isinstance(error, PendingRollbackError) and LOST_CONNECTION in str(error):
            return True  # the request's session lost its connection at an earlier statement
        if isinstance(error, DBAPIError) and (
            error.connection_invalidated or _unreachable(error.orig)
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unreachable(driver_error: BaseException | None) -> bool:
    """Tell a driver's "cannot reach the database now" error from its other errors."""
    kind = type(driver_error)
    if kind.__module__.startswith("psycopg"):
        # psycopg's OperationalError: connection refused or lost, admin shutdown, cancelled.
        names = {base.__name__ for base in kind.__mro__}
        return bool(names & {"OperationalError", "InterfaceError"})
    if kind.__module__.endswith("sqlite3.dbapi2") or kind.__module__ == "sqlite3":
        if kind.__name__ != "OperationalError":
            return False
        text = str(driver_error)
        return "database is locked" in text or "unable to open" in text
    return False


def retry_while_unavailable(
    work: Callable[[], ResultT],
    *,
    wait_s: float = DATABASE_WAIT_S,
    interval_s: float = DATABASE_RETRY_INTERVAL_S,
) -> ResultT:
    """Run ``work``; while it fails because the database is away, wait and run it again.

    For background work that must record its outcome: a request can answer UNAVAILABLE and let
    its client retry, but a queue worker has nobody to retry for it.

    Raises
    ------
    Exception
        What ``work`` raised, when it is not an outage or the database stays away ``wait_s``.
    """
    give_up_at = time.monotonic() + wait_s
    while True:
        try:
            return work()
        except Exception as error:
            if not database_unavailable(error) or time.monotonic() > give_up_at:
                raise
            LOGGER.warning("database unavailable (%s); trying again", type(error).__name__)
            time.sleep(interval_s)
