"""What a crews import will write (depots, crews, members), and the writing itself.

Crews are few (tens, not thousands), so the writes go through the ORM: each changed row gets
its optimistic version bumped by SQLAlchemy, and rows that did not change are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.crews import CrewRole, Skill
from sitecrew.services.imports.reading import SourceRow
from sitecrew.services.imports.report import AddressNote, Outcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


#: A new crew without a week pattern works Monday to Friday at this shift.
DEFAULT_SHIFT = (time(7, 30), time(15, 30))
LUNCH = {"lunch_minutes": 30, "lunch_earliest": time(11, 0), "lunch_latest": time(13, 0)}


@dataclass(eq=False)
class DepotPlan:
    """A depot by name: stored (maybe moved) or new."""

    name: str
    existing: m.Depot | None
    #: The new place (lon, lat, address) when the file gives one that differs.
    place: tuple[float, float, str | None] | None
    outcome: Outcome
    #: The crew whose rows first named the depot (its counts go there).
    first_use: CrewPlan | None = None
    #: How the file's depot place was found (an address match or ``lonlat``), if it gave one.
    note: AddressNote | None = None

    @property
    def changed(self) -> bool:
        """Tell whether the depot will be created or moved."""
        return self.outcome is not Outcome.UNCHANGED


@dataclass(eq=False)
class MemberPlan:
    """One member row: the member as the file has it, and what importing it does."""

    row: SourceRow
    name: str
    role: CrewRole
    skills: frozenset[Skill]
    existing: m.CrewMember | None
    outcome: Outcome


@dataclass(eq=False)
class CrewPlan:
    """A crew's facts as the file has them, with its depot and member rows."""

    name: str
    existing: m.Crew | None
    depot: DepotPlan
    organisation_id: int | None
    week_pattern: list[list[str] | None] | None
    skills: list[str]
    members: list[MemberPlan] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> Outcome:
        """Return whether the crew is created, updated or unchanged."""
        if self.existing is None:
            return Outcome.CREATED
        return (
            Outcome.UPDATED
            if self.changes or self.depot.outcome is Outcome.CREATED
            else (Outcome.UNCHANGED)
        )

    @property
    def changed(self) -> bool:
        """Tell whether the crew row itself will be written."""
        return self.outcome is not Outcome.UNCHANGED


def shift_bounds(pattern: list[list[str] | None] | None) -> tuple[time, time]:
    """Return the crew's nominal shift: the earliest start and latest end of its week."""
    shifts = [day for day in pattern or [] if day is not None]
    if not shifts:
        return DEFAULT_SHIFT
    return time.fromisoformat(min(s[0] for s in shifts)), time.fromisoformat(
        max(s[1] for s in shifts)
    )


def write_crews(session: Session, region_id: int, crews: list[CrewPlan]) -> None:
    """Write the planned depots, crews and members."""
    depot_ids: dict[int, int] = {}
    for crew in crews:
        depot = crew.depot
        if id(depot) not in depot_ids:
            depot_ids[id(depot)] = _write_depot(session, region_id, depot)
    for crew in crews:
        row = _write_crew(session, region_id, crew, depot_ids[id(crew.depot)])
        for member in crew.members:
            _write_member(session, row.id, member)
    session.flush()


def _write_depot(session: Session, region_id: int, depot: DepotPlan) -> int:
    row = depot.existing
    if row is None:
        row = m.Depot(region_id=region_id, name=depot.name)
        session.add(row)
    if depot.place is not None:
        lon, lat, address = depot.place
        row.location = to_db_geometry(Point(lon, lat))
        row.address = address
    session.flush()
    return row.id


def _write_crew(session: Session, region_id: int, crew: CrewPlan, depot_id: int) -> m.Crew:
    row = crew.existing
    if row is None:
        start, end = shift_bounds(crew.week_pattern)
        row = m.Crew(
            region_id=region_id,
            depot_id=depot_id,
            organisation_id=crew.organisation_id,
            name=crew.name,
            shift_start=start,
            shift_end=end,
            max_jobs_per_day=20,
            skills=crew.skills,
            week_pattern=crew.week_pattern,
            **LUNCH,
        )
        session.add(row)
    else:
        for name, value in crew.changes.items():
            setattr(row, name, value)
        if crew.depot.existing is None:
            row.depot_id = depot_id
    session.flush()
    return row


def _write_member(session: Session, crew_id: int, member: MemberPlan) -> None:
    skills = sorted(skill.value for skill in member.skills)
    if member.existing is None:
        session.add(
            m.CrewMember(crew_id=crew_id, name=member.name, role=member.role.value, skills=skills)
        )
    elif member.outcome is Outcome.UPDATED:
        member.existing.role = member.role.value
        member.existing.skills = skills
