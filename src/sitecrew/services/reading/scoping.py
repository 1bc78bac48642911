"""Which rows a caller may see, as SQL clauses (one place for every role rule).

Each clause is added to the query itself, so a forbidden row is never loaded, counted or
paginated over; entity types a role may not list at all raise ``PermissionDeniedError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, true

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import PermissionDeniedError

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


def _contractor_districts(principal: Principal) -> Any:
    return select(m.District.id).where(m.District.contractor_id == principal.organisation_id)


def _crew_job_ids(principal: Principal) -> Any:
    return (
        select(m.RouteStop.job_id)
        .join(m.Route, m.RouteStop.route_id == m.Route.id)
        .where(m.Route.crew_id == principal.crew_id, m.RouteStop.job_id.is_not(None))
    )


def _region_clause(model: Any, region_id: int) -> ColumnElement[bool]:
    if model is m.Region:
        return m.Region.id == region_id
    if hasattr(model, "region_id"):
        return model.region_id == region_id  # type: ignore[no-any-return]
    if model is m.Furniture:
        return m.Furniture.site_id.in_(select(m.Site.id).where(m.Site.region_id == region_id))
    if model is m.Apartment:
        buildings = select(m.Building.id).where(m.Building.region_id == region_id)
        return m.Apartment.building_id.in_(buildings)
    if model in {m.Route, m.CrewMember}:
        crews = select(m.Crew.id).where(m.Crew.region_id == region_id)
        return model.crew_id.in_(crews)  # type: ignore[no-any-return]
    return true()


def _contractor_clause(model: Any, principal: Principal) -> ColumnElement[bool]:
    districts = _contractor_districts(principal)
    if model in {m.Apartment, m.Building}:
        return model.district_id.in_(districts)  # type: ignore[no-any-return]
    if model is m.District:
        return m.District.contractor_id == principal.organisation_id
    if model is m.Job:
        apartments = select(m.Apartment.id).where(m.Apartment.district_id.in_(districts))
        sites = select(m.Site.id).where(m.Site.district_id.in_(districts))
        return or_(m.Job.apartment_id.in_(apartments), m.Job.site_id.in_(sites))
    if model is m.Appointment:
        return m.Appointment.job_id.in_(
            select(m.Job.id).where(_contractor_clause(m.Job, principal))
        )
    raise PermissionDeniedError(f"a contractor token may not list {model.__tablename__}")


def _crew_clause(model: Any, principal: Principal) -> ColumnElement[bool]:
    jobs = _crew_job_ids(principal)
    if model is m.Route or model is m.CrewMember:
        return model.crew_id == principal.crew_id
    if model is m.Crew:
        return m.Crew.id == principal.crew_id
    if model is m.Job:
        return m.Job.id.in_(jobs)
    if model is m.Appointment:
        return m.Appointment.job_id.in_(jobs)
    target = {
        m.Apartment: m.Job.apartment_id,
        m.Furniture: m.Job.furniture_id,
        m.Site: m.Job.site_id,
    }
    if model in target:
        return model.id.in_(select(target[model]).where(m.Job.id.in_(jobs)))  # type: ignore[no-any-return]
    raise PermissionDeniedError(f"a crew token may not list {model.__tablename__}")


def visible(model: Any, principal: Principal) -> ColumnElement[bool]:
    """Return the clause that limits ``model``'s rows to what ``principal`` may see.

    Raises
    ------
    PermissionDeniedError
        When the role may not see this kind of entity at all.
    """
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.PLANNER:
        return true() if principal.region_id is None else _region_clause(model, principal.region_id)
    if principal.role is Role.CONTRACTOR:
        return _contractor_clause(model, principal)
    return _crew_clause(model, principal)
