"""Lookups every aggregate shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from sitecrew.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.db.base import Base

ModelT = TypeVar("ModelT", bound="Base")


def get_or_raise(session: Session, model: type[ModelT], entity_id: int) -> ModelT:
    """Return the row with primary key ``entity_id``.

    Raises
    ------
    NotFoundError
        Naming the kind of entity and the id.
    """
    row = session.get(model, entity_id)
    if row is None:
        label = model.__tablename__.rstrip("s").replace("_", " ")
        raise NotFoundError(f"no {label} with id {entity_id}")
    return row
