"""Writing rows as one unit of work, with database refusals turned into typed errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from sitecrew.db.engine import transaction
from sitecrew.errors import ConflictError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.db.base import Base

RowT = TypeVar("RowT", bound="Base")


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
