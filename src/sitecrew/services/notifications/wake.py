"""Waking the delivery worker when new messages are committed (not only on its timer).

The process that delivers (the server's own drainer, or the task queue's sender) registers one
callback; the outbox calls it after a transaction that wrote messages commits, and never after
one that rolled back. Without a callback (scripts, tests) messages wait for the next drain.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import event

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

LOGGER = logging.getLogger("sitecrew.notifications")
_PENDING = "sitecrew_notifications_written"
_waker: list[Callable[[], None]] = []


def set_waker(callback: Callable[[], None] | None) -> None:
    """Register the callback that starts a drain (``None``: nobody to wake)."""
    _waker.clear()
    if callback is not None:
        _waker.append(callback)


def wake_after_commit(session: Session) -> None:
    """Wake the worker once ``session`` commits what it wrote (never, if it rolls back)."""
    if _PENDING in session.info:
        session.info[_PENDING] = True
        return
    session.info[_PENDING] = True
    event.listen(session, "after_commit", _after_commit)
    event.listen(session, "after_rollback", _after_rollback)


def _after_rollback(session: Session) -> None:
    session.info[_PENDING] = False


def _after_commit(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    session.info[_PENDING] = False
    for callback in _waker:
        try:
            callback()
        except Exception:  # noqa: BLE001 (the timer drains anyway; the commit stands)
            LOGGER.warning("could not wake the notification worker; its timer will send")
