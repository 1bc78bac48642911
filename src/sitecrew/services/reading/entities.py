"""Entity lookups for the API by name, returning domain objects (ORM rows stay below)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.errors import NotFoundError
from sitecrew.services import scoping
from sitecrew.services.reading import lookups
from sitecrew.services.reading.listing import ListFilter, list_page
from sitecrew.services.reading.lookups import row_to_domain
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


class Entity(StrEnum):
    """The entity kinds the API reads."""

    REGION = "region"
    DISTRICT = "district"
    ORGANISATION = "organisation"
    SITE = "site"
    FURNITURE_MODEL = "furniture_model"
    FURNITURE = "furniture"
    MAINTENANCE_RECORD = "maintenance_record"
    BUILDING = "building"
    APARTMENT = "apartment"
    DEPOT = "depot"
    CREW = "crew"
    CREW_MEMBER = "crew_member"
    JOB = "job"
    APPOINTMENT = "appointment"


MODELS: dict[Entity, Any] = {
    Entity.REGION: m.Region,
    Entity.DISTRICT: m.District,
    Entity.ORGANISATION: m.Organisation,
    Entity.SITE: m.Site,
    Entity.FURNITURE_MODEL: m.FurnitureModel,
    Entity.FURNITURE: m.Furniture,
    Entity.MAINTENANCE_RECORD: m.MaintenanceRecord,
    Entity.BUILDING: m.Building,
    Entity.APARTMENT: m.Apartment,
    Entity.DEPOT: m.Depot,
    Entity.CREW: m.Crew,
    Entity.CREW_MEMBER: m.CrewMember,
    Entity.JOB: m.Job,
    Entity.APPOINTMENT: m.Appointment,
}


def get_many(
    session: Session, entity: Entity, ids: Sequence[int], principal: Principal
) -> list[Any]:
    """Return the domain object for each id the caller may reach, in order (else ``None``).

    Buildings and sites come without their outline (``None``): ask :func:`outlines`.
    """
    model = MODELS[entity]
    rows = lookups.rows_by_id(session, model, ids, scoping.referable(model, principal))
    return [row_to_domain(model, row) for row in rows]


def get_many_with_parents(
    session: Session,
    entity: Entity,
    ids: Sequence[int],
    principal: Principal,
    *,
    parent: Entity,
    column: str,
) -> tuple[list[Any], dict[int, Any]]:
    """Return :func:`get_many` of ``entity`` and, by id, the ``parent`` rows they point at.

    ``column`` names the pointer (an apartment's ``building_id``); the parents are read with
    the same scope as any by-id read, so a caller gets nothing here it could not load itself.
    """
    found = get_many(session, entity, ids, principal)
    parent_ids = sorted({getattr(row, column) for row in found if row is not None})
    if not parent_ids:
        return found, {}
    parents = get_many(session, parent, parent_ids, principal)
    return found, dict(zip(parent_ids, parents, strict=True))


def outlines(
    session: Session, entity: Entity, ids: Sequence[int], principal: Principal
) -> list[Any]:
    """Return the outline of each building (footprint) or site (area) the caller may reach.

    The objects of :func:`get_many`, :func:`list_entities` and :func:`children_of` come
    without it (``None``), see :mod:`~sitecrew.services.reading.lookups`.
    """
    model = MODELS[entity]
    return lookups.outlines_by_id(session, model, ids, scoping.referable(model, principal))


def get_visible(session: Session, entity: Entity, principal: Principal, entity_id: int) -> Any:
    """Return one entity the caller may see.

    Raises
    ------
    NotFoundError
        When it does not exist or the caller may not see it (the two are not told apart).
    PermissionDeniedError
        When the caller may not see this kind of entity at all.
    """
    model = MODELS[entity]
    query = select(model).where(model.id == entity_id, visible(model, principal))
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no {entity.value.replace('_', ' ')} with id {entity_id}")
    return row.to_domain()


def list_entities(
    session: Session,
    entity: Entity,
    principal: Principal,
    filters: ListFilter,
    *,
    after_id: int | None,
    limit: int,
) -> tuple[list[Any], bool]:
    """Return a page of visible domain objects (no outlines) and whether more follow."""
    model = MODELS[entity]
    page = list_page(session, model, principal, filters, after_id=after_id, limit=limit)
    return [model.to_domain(row) for row in page.rows], page.has_next


def children_of(
    session: Session,
    entity: Entity,
    parent_column: str,
    parent_ids: Sequence[int],
    principal: Principal,
    *,
    limit: int,
) -> list[list[Any]]:
    """Return each parent's children the caller may reach (one query; no outlines)."""
    model = MODELS[entity]
    grouped = lookups.children_by_parent(
        session, model, parent_column, parent_ids, scoping.referable(model, principal), limit=limit
    )
    return [[model.to_domain(row) for row in rows] for rows in grouped]


def latest_maintenance(session: Session, furniture_ids: Sequence[int]) -> list[Any]:
    """Return each item's most recent maintenance record (domain), or ``None``."""
    rows = lookups.latest_maintenance(session, furniture_ids)
    return [row_to_domain(m.MaintenanceRecord, row) for row in rows]


def private_details(
    session: Session, entity: Entity, principal: Principal, row_ids: Sequence[int]
) -> list[bool]:
    """Tell, per apartment or site, whether the caller may see its contacts and access notes."""
    return scoping.private_details_visible(session, principal, MODELS[entity], row_ids)
