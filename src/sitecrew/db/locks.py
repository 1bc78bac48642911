"""Named locks held until the end of the current transaction, for check-then-write use cases.

A use case that checks stored state and then writes on it (at most N active planning runs per
region, at most one published route per crew and day) must not run twice at once on the same
key, or both checks pass before either write is visible. PostgreSQL gets a transaction-scoped
advisory lock on a hash of the key; SQLite needs none, because its writers are serialised
already: write sessions begin with ``BEGIN IMMEDIATE`` (see
:func:`sitecrew.db.engine.write_session_factory`), so a second writer waits before it reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from sitecrew.db.engine import backend_name

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def lock_key(session: Session, key: str) -> None:
    """Wait for, then hold until the transaction ends, the lock named ``key``.

    Parameters
    ----------
    session
        A session inside the transaction the lock protects (a savepoint's lock lasts until the
        outer transaction ends).
    key
        Any text naming what is locked, e.g. ``"publish:region 3:2026-06-02"``. Distinct keys
        may, rarely, hash alike: that only makes two writers wait for each other.
    """
    if backend_name(session) == "postgis":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )
