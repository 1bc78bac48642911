"""Depots, crews and crew members: the API's use cases and the trusted loaders' writers.

A region's planners (and admins) register its depots, crews and members; a crew starts from a
depot of its own region and may name any organisation as its employer. ``register_*``,
``update_*`` and ``delete_*`` check the caller and write in one transaction; ``create_*`` and
``add_crew_member`` store what trusted loaders give them. A crew's calendar (weekly pattern,
active dates, minimum size) and members' absences have use cases of their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.services._persist import check_version, save
from sitecrew.services._registers import refuse_if_used, remove, require_unique
from sitecrew.services.scoping import get_changeable, get_in_region, require_region_planner
from sitecrew.services.sites import require_inside_region

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.crews import Crew, CrewMember, Depot
    from sitecrew.services.sites import Changes


def create_depot(session: Session, depot: Depot) -> Depot:
    """Store a depot in an existing region."""
    get_or_raise(session, m.Region, depot.region_id)
    row = m.Depot(
        name=depot.name,
        region_id=depot.region_id,
        address=depot.address,
        location=to_db_geometry(depot.location),
    )
    return save(session, row).to_domain()


def create_crew(session: Session, crew: Crew) -> Crew:
    """Store a crew; its region, depot and organisation must exist."""
    get_or_raise(session, m.Region, crew.region_id)
    get_or_raise(session, m.Depot, crew.depot_id)
    if crew.organisation_id is not None:
        get_or_raise(session, m.Organisation, crew.organisation_id)
    row = m.Crew(
        name=crew.name,
        region_id=crew.region_id,
        depot_id=crew.depot_id,
        organisation_id=crew.organisation_id,
        shift_start=crew.shift_start,
        shift_end=crew.shift_end,
        lunch_minutes=crew.lunch_minutes,
        lunch_earliest=crew.lunch_earliest,
        lunch_latest=crew.lunch_latest,
        max_jobs_per_day=crew.max_jobs_per_day,
        skills=sorted(skill.value for skill in crew.skills),
    )
    return save(session, row).to_domain()


def add_crew_member(session: Session, member: CrewMember) -> CrewMember:
    """Store a member of an existing crew."""
    get_or_raise(session, m.Crew, member.crew_id)
    row = m.CrewMember(
        crew_id=member.crew_id,
        name=member.name,
        role=member.role.value,
        skills=sorted(skill.value for skill in member.skills),
        training_completed_on=member.training_completed_on,
    )
    return save(session, row).to_domain()


def register_depot(session: Session, principal: Principal, depot: Depot) -> Depot:
    """Create a depot inside a region the caller plans.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region does not exist.
    InvalidInputError
        When the depot lies outside its region.
    """
    with transaction(session):
        require_region_planner(principal, depot.region_id, action="create depots")
        require_inside_region(session, depot.region_id, depot.location, what="the depot")
        return create_depot(session, depot)


def update_depot(session: Session, principal: Principal, changes: Changes) -> Depot:
    """Rename or move a depot (within its region) from its current version.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``changes.version``.
    InvalidInputError
        When it would move out of its region.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Depot, changes.id, action="update depots", lock=True
        )
        check_version(row, changes.version, what="depot")
        updated = replace(row.to_domain(), **changes.values)
        require_inside_region(session, updated.region_id, updated.location, what="the depot")
        row.name, row.address = updated.name, updated.address
        row.location = to_db_geometry(updated.location)
        return save(session, row).to_domain()


def delete_depot(session: Session, principal: Principal, depot_id: int, version: int) -> None:
    """Delete a depot no crew starts from.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``version`` or crews start from it.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Depot, depot_id, action="delete depots", lock=True
        )
        check_version(row, version, what="depot")
        refuse_if_used(session, f"depot {depot_id}", {"crews": m.Crew.depot_id == depot_id})
        remove(session, row, what=f"depot {depot_id}")


def register_crew(session: Session, principal: Principal, crew: Crew) -> Crew:
    """Create a crew in a region the caller plans, at a depot of that region.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region, the depot (in the caller's scope) or the organisation does not exist.
    InvalidInputError
        When the depot belongs to another region.
    ConflictError
        When the crew name is taken.
    """
    with transaction(session):
        require_region_planner(principal, crew.region_id, action="create crews")
        _check_crew(session, principal, crew, row_id=None)
        return create_crew(session, crew)


def update_crew(session: Session, principal: Principal, changes: Changes) -> Crew:
    """Change a crew's name, depot, employer, shift, lunch, capacity or skills.

    Raises
    ------
    NotFoundError
        When it, the depot or the organisation does not exist or is outside the caller's scope.
    ConflictError
        When it changed since ``changes.version`` or the name is taken.
    InvalidInputError
        When the result breaks a rule (a shift that ends before it starts, another region's
        depot).
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Crew, changes.id, action="update crews", lock=True
        )
        check_version(row, changes.version, what="crew")
        updated = replace(row.to_domain(), **changes.values)
        _check_crew(session, principal, updated, row_id=row.id)
        row.name, row.depot_id = updated.name, updated.depot_id
        row.organisation_id = updated.organisation_id
        row.shift_start, row.shift_end = updated.shift_start, updated.shift_end
        row.lunch_minutes, row.max_jobs_per_day = updated.lunch_minutes, updated.max_jobs_per_day
        row.lunch_earliest, row.lunch_latest = updated.lunch_earliest, updated.lunch_latest
        row.skills = sorted(skill.value for skill in updated.skills)
        return save(session, row).to_domain()


def delete_crew(session: Session, principal: Principal, crew_id: int, version: int) -> None:
    """Delete a crew with no routes, maintenance records or tokens; its members go with it.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``version`` or its work history or tokens refer to it.
    """
    with transaction(session):
        row = get_changeable(session, principal, m.Crew, crew_id, action="delete crews", lock=True)
        check_version(row, version, what="crew")
        uses = {
            "routes": m.Route.crew_id == crew_id,
            "maintenance records": m.MaintenanceRecord.crew_id == crew_id,
            "tokens": m.ApiToken.crew_id == crew_id,
        }
        refuse_if_used(session, f"crew {crew_id}", uses)
        members = select(m.CrewMember.id).where(m.CrewMember.crew_id == crew_id)
        session.execute(delete(m.MemberAbsence).where(m.MemberAbsence.member_id.in_(members)))
        session.execute(delete(m.CrewMember).where(m.CrewMember.crew_id == crew_id))
        remove(session, row, what=f"crew {crew_id}")


def register_crew_member(session: Session, principal: Principal, member: CrewMember) -> CrewMember:
    """Add a member (a trainee too) to a crew the caller plans.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and planners.
    NotFoundError
        When the crew does not exist or is outside the caller's region.
    """
    with transaction(session):
        get_changeable(session, principal, m.Crew, member.crew_id, action="add crew members")
        return add_crew_member(session, member)


def update_crew_member(session: Session, principal: Principal, changes: Changes) -> CrewMember:
    """Change a member's name, role, skills or training date, or move them to another crew.

    Raises
    ------
    NotFoundError
        When the member or the new crew does not exist or is outside the caller's region.
    ConflictError
        When the member changed since ``changes.version``.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.CrewMember, changes.id, action="update crew members", lock=True
        )
        check_version(row, changes.version, what="crew member")
        updated = replace(row.to_domain(), **changes.values)
        if updated.crew_id != row.crew_id:
            get_changeable(session, principal, m.Crew, updated.crew_id, action="move crew members")
        row.crew_id, row.name, row.role = updated.crew_id, updated.name, updated.role.value
        row.skills = sorted(skill.value for skill in updated.skills)
        row.training_completed_on = updated.training_completed_on
        return save(session, row).to_domain()


def delete_crew_member(
    session: Session, principal: Principal, member_id: int, version: int
) -> None:
    """Remove a member from their crew, with their absences.

    Raises
    ------
    NotFoundError
        When the member does not exist or is outside the caller's region.
    ConflictError
        When the member changed since ``version``.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.CrewMember, member_id, action="delete crew members", lock=True
        )
        check_version(row, version, what="crew member")
        session.execute(delete(m.MemberAbsence).where(m.MemberAbsence.member_id == member_id))
        remove(session, row, what=f"crew member {member_id}")


def _check_crew(session: Session, principal: Principal, crew: Crew, *, row_id: int | None) -> None:
    get_in_region(session, principal, m.Depot, crew.depot_id, crew.region_id, what="depot")
    if crew.organisation_id is not None:
        get_or_raise(session, m.Organisation, crew.organisation_id)
    require_unique(session, m.Crew.name, crew.name, row_id=row_id, what="crew name")
