"""Filtered, scoped, keyset-paginated lists of any entity (the API's connections)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import or_, select

from sitecrew.db import models as m
from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.domain.geo import BBox, LonLat
from sitecrew.errors import InvalidInputError
from sitecrew.services.reading.lookups import select_rows
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class ListFilter:
    """What a map client or planner narrows a list by; every given part must hold."""

    bbox: BBox | None = None
    near: LonLat | None = None
    near_metres: float | None = None
    within: Polygon | MultiPolygon | None = None
    equals: dict[str, object] = field(default_factory=dict)
    due_before: date | None = None
    min_condition_grade: int | None = None


@dataclass(frozen=True)
class Page:
    """One page of read rows (``lookups.row_columns``) and whether more follow."""

    rows: list[Any]
    has_next: bool


def list_page(
    session: Session,
    model: Any,
    principal: Principal,
    filters: ListFilter,
    *,
    after_id: int | None,
    limit: int,
) -> Page:
    """Return up to ``limit`` visible rows of ``model`` after ``after_id``, in id order.

    Raises
    ------
    InvalidInputError
        For a filter the entity does not support (e.g. a spatial filter on jobs).
    PermissionDeniedError
        When the caller may not list this entity at all.
    """
    query = select_rows(model).where(visible(model, principal))
    for clause in _filter_clauses(session, model, filters):
        query = query.where(clause)
    if after_id is not None:
        query = query.where(model.id > after_id)
    rows = list(session.execute(_ordered(query, model).limit(limit + 1)))
    return Page(rows=rows[:limit], has_next=len(rows) > limit)


def _ordered(query: Select[Any], model: Any) -> Select[Any]:
    return query.order_by(model.id)


def _filter_clauses(session: Session, model: Any, filters: ListFilter) -> list[ColumnElement[bool]]:
    return [*_spatial_clauses(session, model, filters), *_attribute_clauses(model, filters)]


def _spatial_clauses(
    session: Session, model: Any, filters: ListFilter
) -> list[ColumnElement[bool]]:
    if not (filters.bbox or filters.near or filters.within):
        return []
    if not hasattr(model, "location"):
        raise InvalidInputError(f"{model.__tablename__} have no location to filter by")
    dialect = spatial_dialect_for(session)
    clauses = []
    if filters.bbox:
        clauses.append(dialect.intersects_bbox(model.location, filters.bbox))
    if filters.near:
        if filters.near_metres is None or filters.near_metres <= 0:
            raise InvalidInputError("near needs a positive distance in metres")
        clauses.append(dialect.within_distance(model.location, filters.near, filters.near_metres))
    if filters.within is not None:
        clauses.append(dialect.intersects_area(model.location, filters.within))
    return clauses


def _jobs_at_site(site_id: object) -> ColumnElement[bool]:
    """Jobs at a site: on the site itself or on any of its furniture (a crew's view of "here")."""
    furniture = select(m.Furniture.id).where(m.Furniture.site_id == site_id)
    return or_(m.Job.site_id == site_id, m.Job.furniture_id.in_(furniture))


def _attribute_clauses(model: Any, filters: ListFilter) -> list[ColumnElement[bool]]:
    clauses = []
    for name, value in filters.equals.items():
        if not hasattr(model, name):
            raise InvalidInputError(f"{model.__tablename__} cannot be filtered by {name}")
        if model is m.Job and name == "site_id":
            clauses.append(_jobs_at_site(value))
        else:
            clauses.append(getattr(model, name) == value)
    if filters.due_before is not None:
        if not hasattr(model, "due_on"):
            raise InvalidInputError(f"{model.__tablename__} have no due date")
        clauses.append(model.due_on < filters.due_before)
    if filters.min_condition_grade is not None:
        if not hasattr(model, "condition_grade"):
            raise InvalidInputError(f"{model.__tablename__} have no condition grade")
        clauses.append(model.condition_grade >= filters.min_condition_grade)
    return clauses
