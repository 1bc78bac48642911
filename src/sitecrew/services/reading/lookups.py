"""Batched lookups behind the API's DataLoaders: one query per entity type per request tick.

They read plain result rows, not ORM instances: a read needs no identity map, change tracking or
instance state, which cost a nested query (crews, jobs, apartments, buildings) a third of its
time. :func:`row_columns` names what a row holds and :func:`row_to_domain` converts it.

Outlines (building footprints, site areas) are left out of those rows: they are the largest
values and the slowest to convert (WKB to shapely, then validated: two thirds of converting a
building), and lists and nested reads rarely show them. :func:`outlines_by_id` reads them, by
id, when a query asks.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, inspect, null, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.orm import Session


#: The outline column of each model that has one; read rows hold ``None`` in its place.
OUTLINES: dict[Any, str] = {m.Building: "footprint", m.Site: "area"}


@cache
def row_columns(model: Any) -> tuple[Any, ...]:
    """Return the columns a read row of ``model`` holds: all but deferred ones (map features).

    Each is labelled with its attribute name, so a row reads like an instance of the model; the
    outline (:data:`OUTLINES`) is a NULL of that name.
    """
    outline = OUTLINES.get(model)
    return tuple(
        null().label(prop.key) if prop.key == outline else getattr(model, prop.key).label(prop.key)
        for prop in inspect(model).column_attrs
        if not prop.deferred
    )


def row_to_domain(model: Any, row: Any) -> Any:
    """Return the domain object of a row of :func:`row_columns` (``None`` stays ``None``).

    A model's ``to_domain`` reads only its column attributes, which the row has under the same
    names, so the model's own conversion (and validation) applies unchanged.
    """
    return None if row is None else model.to_domain(row)


def select_rows(model: Any) -> Select[Any]:
    """Return a SELECT of :func:`row_columns` from ``model`` (add filters to it)."""
    return select(*row_columns(model))


def rows_by_id(
    session: Session, model: Any, ids: Sequence[int], scope: ColumnElement[bool]
) -> list[Any | None]:
    """Return the row for each id within ``scope``, in order (``None`` where none is)."""
    query = _rows_by_id_query(model, scope)
    found = {row.id: row for row in session.execute(query, {"row_ids": sorted(set(ids))})}
    return [found.get(row_id) for row_id in ids]


@lru_cache(maxsize=512)
def _rows_by_id_query(model: Any, scope: ColumnElement[bool]) -> Select[Any]:
    """Return :func:`rows_by_id`'s statement for ``scope``, the ids a parameter; kept.

    Scope clauses are kept per caller and kind (see ``scoping.visible``), so the statement is
    too: SQLAlchemy keys its compiled-statement cache on a statement it has seen at once,
    instead of walking a new one (with the scope's subqueries) on every read.
    """
    return select_rows(model).where(model.id.in_(bindparam("row_ids", expanding=True)), scope)


def outlines_by_id(
    session: Session, model: Any, ids: Sequence[int], scope: ColumnElement[bool]
) -> list[Any | None]:
    """Return the outline (shapely, or ``None``) of each id within ``scope``, in order."""
    column = getattr(model, OUTLINES[model])
    query = select(model.id, column).where(model.id.in_(set(ids)), scope)
    found: dict[int, Any] = {row.id: row[1] for row in session.execute(query)}
    return [from_db_geometry(found.get(row_id)) for row_id in ids]


def children_by_parent(
    session: Session,
    model: Any,
    parent_column: str,
    parent_ids: Sequence[int],
    scope: ColumnElement[bool],
    *,
    limit: int,
) -> list[list[Any]]:
    """Return each parent's children within ``scope`` (id order, at most ``limit`` each)."""
    column = getattr(model, parent_column)
    rank = func.row_number().over(partition_by=column, order_by=model.id).label("rank")
    ranked = select(model.id, rank).where(column.in_(set(parent_ids)), scope).subquery()
    query = (
        select_rows(model)
        .join(ranked, ranked.c.id == model.id)
        .where(ranked.c.rank <= limit)
        .order_by(model.id)
    )
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(query):
        grouped[getattr(row, parent_column)].append(row)
    return [grouped.get(parent_id, []) for parent_id in parent_ids]


def latest_maintenance(session: Session, furniture_ids: Sequence[int]) -> list[Any | None]:
    """Return each furniture item's most recent maintenance record (or ``None``)."""
    rank = (
        func.row_number()
        .over(
            partition_by=m.MaintenanceRecord.furniture_id,
            order_by=(m.MaintenanceRecord.performed_on.desc(), m.MaintenanceRecord.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(m.MaintenanceRecord.id, rank)
        .where(m.MaintenanceRecord.furniture_id.in_(set(furniture_ids)))
        .subquery()
    )
    query = (
        select_rows(m.MaintenanceRecord)
        .join(ranked, ranked.c.id == m.MaintenanceRecord.id)
        .where(ranked.c.rank == 1)
    )
    latest = {row.furniture_id: row for row in session.execute(query)}
    return [latest.get(furniture_id) for furniture_id in furniture_ids]
