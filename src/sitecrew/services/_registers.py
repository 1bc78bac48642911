"""What the register use cases share: unique names, refusing deletes, districts from points.

Buildings, apartments, districts, organisations, crews, members, depots and furniture models are
edited through the API the way sites are (see :mod:`sitecrew.services.sites`); these helpers keep
the refusals they have in common worded alike: a duplicate or a dependent row is a Conflict that
says what collides, never a database error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shapely.prepared import prep
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.errors import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shapely.geometry import Point
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute, Session


def require_unique(
    session: Session,
    column: InstrumentedAttribute[Any],
    value: object,
    *,
    row_id: int | None,
    what: str,
) -> None:
    """Refuse a value another row already holds in a unique column (a name, a register key).

    The database's unique index stays the last word (two writers at once); this check gives
    the caller a sentence instead of the index's name. The other row is not named: it may lie
    in a region the caller cannot see.

    Raises
    ------
    ConflictError
        When another row than ``row_id`` holds ``value``.
    """
    if value is None:
        return
    model = column.class_
    query = select(model.id).where(column == value)
    if row_id is not None:
        query = query.where(model.id != row_id)
    if session.scalar(query.limit(1)) is not None:
        raise ConflictError(f"{what} {value!r} is already taken; choose another")


def refuse_if_used(session: Session, what: str, uses: Mapping[str, ColumnElement[bool]]) -> None:
    """Refuse to delete a row others still point at, naming each kind and how many.

    ``uses`` maps a plural label (``"apartments"``) to the clause selecting the rows of that
    kind which refer to the row about to go; the label's table is the clause's.

    Raises
    ------
    ConflictError
        Listing what still depends on the row.
    """
    counts = []
    for label, clause in uses.items():
        count = session.scalar(select(func.count()).where(clause)) or 0
        if count:
            counts.append(f"{count} {label}")
    if counts:
        msg = f"{what} is still used by {', '.join(counts)}; move or delete them first"
        raise ConflictError(msg)


def remove(session: Session, row: Any, *, what: str) -> None:
    """Delete a row now (its version checked by the database), or say why not.

    Raises
    ------
    ConflictError
        When another writer changed or deleted it first, or a row added meanwhile points at it.
    """
    try:
        with transaction(session):
            session.delete(row)
            session.flush()
    except StaleDataError:
        raise ConflictError(f"{what} was changed by someone else; reload") from None
    except IntegrityError:
        raise ConflictError(f"{what} is still used by other rows; reload and retry") from None


def district_at(session: Session, region_id: int, point: Point) -> int | None:
    """Return the id of the region's district that covers ``point`` (lowest id), else None.

    A place's district decides which contractor works there, so it follows from where the
    place is whenever the caller does not name one.
    """
    rows = session.execute(
        select(m.District.id, m.District.area)
        .where(m.District.region_id == region_id)
        .order_by(m.District.id)
    )
    for district_id, area in rows:
        if prep(from_db_geometry(area)).covers(point):
            return int(district_id)
    return None


def require_overlaps_region(session: Session, region_id: int, area: Any, *, what: str) -> None:
    """Refuse an area that does not touch its region at all (a district in another city).

    Raises
    ------
    InvalidInputError
        When ``area`` and the region's area share no point.
    """
    region = session.get(m.Region, region_id)
    outline = from_db_geometry(region.area) if region is not None else None
    if outline is not None and not outline.intersects(area):
        raise InvalidInputError(f"{what} lies outside its region; check the coordinates")
