"""Entity lookups for the API by name, returning domain objects (ORM rows stay below)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import NotFoundError
from sitecrew.services.reading import lookups
from sitecrew.services.reading.listing import ListFilter, list_page
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session


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


def _domain(row: Any) -> Any:
    return None if row is None else row.to_domain()


def get_many(session: Session, entity: Entity, ids: Sequence[int]) -> list[Any]:
    """Return the domain object for each id, in order (``None`` where none exists)."""
    return [_domain(row) for row in lookups.rows_by_id(session, MODELS[entity], ids)]


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
    """Return a page of visible domain objects and whether more follow."""
    page = list_page(session, MODELS[entity], principal, filters, after_id=after_id, limit=limit)
    return [row.to_domain() for row in page.rows], page.has_next


def children_of(
    session: Session, entity: Entity, parent_column: str, parent_ids: Sequence[int], *, limit: int
) -> list[list[Any]]:
    """Return each parent's children as domain objects (one query for all parents)."""
    grouped = lookups.children_by_parent(
        session, MODELS[entity], parent_column, parent_ids, limit=limit
    )
    return [[row.to_domain() for row in rows] for rows in grouped]


def latest_maintenance(session: Session, furniture_ids: Sequence[int]) -> list[Any]:
    """Return each item's most recent maintenance record (domain), or ``None``."""
    return [_domain(row) for row in lookups.latest_maintenance(session, furniture_ids)]


def tenant_visibility(
    session: Session, principal: Principal, apartment_ids: Sequence[int]
) -> list[bool]:
    """Tell, per apartment, whether the caller may see the tenant's contact details.

    Admins and planners (in their region) may; a crew may for apartments on its published route
    of today (in the region's time zone); contractors and other crews may not.
    """
    if principal.role is Role.ADMIN:
        return [True] * len(apartment_ids)
    if principal.role is Role.PLANNER:
        allowed = set(
            session.scalars(
                select(m.Apartment.id).where(
                    m.Apartment.id.in_(set(apartment_ids)), visible(m.Apartment, principal)
                )
            )
        )
        return [apartment_id in allowed for apartment_id in apartment_ids]
    if principal.role is Role.CREW:
        allowed = _visited_today(session, principal, apartment_ids)
        return [apartment_id in allowed for apartment_id in apartment_ids]
    return [False] * len(apartment_ids)


def _visited_today(
    session: Session, principal: Principal, apartment_ids: Sequence[int]
) -> set[int]:
    crew = session.get(m.Crew, principal.crew_id)
    if crew is None:
        return set()
    region = session.get(m.Region, crew.region_id)
    today = datetime.now(ZoneInfo(region.timezone if region else "UTC")).date()
    query = (
        select(m.Job.apartment_id)
        .join(m.RouteStop, m.RouteStop.job_id == m.Job.id)
        .join(m.Route, m.RouteStop.route_id == m.Route.id)
        .where(
            m.Route.crew_id == principal.crew_id,
            m.Route.service_date == today,
            m.Route.status == m.RouteStatus.PUBLISHED.value,
            m.Job.apartment_id.in_(set(apartment_ids)),
        )
    )
    return {apartment_id for apartment_id in session.scalars(query) if apartment_id is not None}
