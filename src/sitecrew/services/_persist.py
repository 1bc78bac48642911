"""Writing rows as one unit of work, with database refusals turned into typed errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from sitecrew.db.engine import transaction
from sitecrew.errors import ConflictError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session, sessionmaker

    from sitecrew.db.base import Base

RowT = TypeVar("RowT", bound="Base")
ResultT = TypeVar("ResultT")


def save(session: Session, row: RowT) -> RowT:
    """Insert or update ``row`` atomically and return it with its id.

    Raises
    ------
    ConflictError
        When the database refuses the write (duplicate key, broken constraint) or another
        writer changed the row first; nothing is written then.
    """
    try:
        with transaction(session):
            session.add(row)
            session.flush()
    except StaleDataError:
        raise ConflictError(f"{row.__tablename__} was changed by someone else; reload") from None
    except IntegrityError as error:
        reason = str(error.orig).splitlines()[0]
        raise ConflictError(f"{row.__tablename__} cannot be saved: {reason}") from None
    return row


def check_version(row: Any, expected: int, *, what: str) -> None:
    """Refuse a change made from a stale read (optimistic locking).

    Raises
    ------
    ConflictError
        When ``expected`` is not the row's stored version.
    """
    if row.version != expected:
        msg = (
            f"{what} {row.id} is at version {row.version}, not {expected}: "
            "someone changed it first; reload and retry"
        )
        raise ConflictError(msg)


def write_in_transaction(
    sessions: sessionmaker[Session], function: Callable[..., ResultT], *args: Any, **kwargs: Any
) -> ResultT:
    """Run a use case in a transaction of its own: all of it is written, or nothing.

    A versioned row flushed only at commit, that another writer changed meanwhile, is the same
    Conflict a use case raises for a stale version it sees itself.

    Raises
    ------
    ConflictError
        When the commit finds a row changed by someone else.
    """
    try:
        with sessions.begin() as session:
            return function(session, *args, **kwargs)
    except StaleDataError:
        raise ConflictError("someone changed this first; reload and retry") from None
