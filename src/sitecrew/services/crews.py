"""Depots, crews and crew members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.crews import Crew, CrewMember, Depot


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
