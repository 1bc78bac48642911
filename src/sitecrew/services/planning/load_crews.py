"""The crews of a region as the route solver sees them: depot, shift, lunch, skills and limits.

- **Lunch**: ``lunch_earliest`` and ``lunch_latest`` bound the *start* of the break, which then
  lasts ``lunch_minutes``; the window is clipped to the shift.
- **Trainee factor**: a crew works ``1 + 0.15 x (share of trainees among its members)`` times
  slower (a crew of ten with three trainees: 1.045; an installer pair with one: 1.075), a
  simple, documented stand-in until measured job times exist.
- **Districts**: a crew employed by a contractor only gets jobs in the districts that name that
  contractor; every other crew works anywhere in the region.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.domain.crews import CrewRole
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.routing.problem import CrewSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.planning.day import DayClock, Points

TRAINEE_SLOWDOWN = 0.15
"""Extra service time of a crew made only of trainees (scaled by the trainee share)."""


def day_crews(
    session: Session, *, region_id: int, clock: DayClock, points: Points
) -> tuple[tuple[CrewSpec, ...], dict[str, str]]:
    """Return the region's crews as routing crews, and their names by routing id.

    Parameters
    ----------
    session
        An open session.
    region_id
        The region planned.
    clock
        The day and the region's time zone.
    points
        Where depot places are registered.

    Returns
    -------
    tuple
        The crews (ids are database ids as strings) and a map from those ids to crew names.
    """
    query = (
        select(m.Crew, m.Depot.location, m.Organisation.kind)
        .join(m.Depot, m.Depot.id == m.Crew.depot_id)
        .outerjoin(m.Organisation, m.Organisation.id == m.Crew.organisation_id)
        .where(m.Crew.region_id == region_id)
        .order_by(m.Crew.id)
    )
    rows = list(session.execute(query))
    factors = trainee_factors(session, [crew.id for crew, _, _ in rows])
    districts = contractor_districts(session, region_id)
    crews = []
    for crew, depot_location, employer_kind in rows:
        depot = from_db_geometry(depot_location)
        home = points.add(float(depot.x), float(depot.y))
        allowed = None
        if employer_kind == OrganisationKind.CONTRACTOR.value:
            allowed = frozenset(districts.get(crew.organisation_id or -1, ()))
        window, duration = _lunch(crew, clock)
        crews.append(
            CrewSpec(
                id=str(crew.id),
                start_location=home,
                end_location=home,
                shift_start_s=clock.seconds_of(crew.shift_start),
                shift_end_s=clock.seconds_of(crew.shift_end),
                skills=frozenset(crew.skills or ()),
                max_jobs=crew.max_jobs_per_day,
                service_factor=factors.get(crew.id, 1.0),
                allowed_districts=allowed,
                break_window=window,
                break_duration_s=duration,
            )
        )
    return tuple(crews), {str(crew.id): crew.name for crew, _, _ in rows}


def _lunch(crew: m.Crew, clock: DayClock) -> tuple[tuple[int, int] | None, int]:
    """Return the break window (clipped to the shift) and duration; none when it cannot fit."""
    duration = crew.lunch_minutes * 60
    shift = (clock.seconds_of(crew.shift_start), clock.seconds_of(crew.shift_end))
    opens = max(clock.seconds_of(crew.lunch_earliest), shift[0])
    closes = min(clock.seconds_of(crew.lunch_latest) + duration, shift[1])
    if duration <= 0 or closes - opens < duration:
        return None, 0
    return (opens, closes), duration


def trainee_factors(session: Session, crew_ids: list[int]) -> dict[int, float]:
    """Return each crew's service-time factor from its members' roles."""
    roles: dict[int, list[str]] = defaultdict(list)
    query = select(m.CrewMember.crew_id, m.CrewMember.role).where(
        m.CrewMember.crew_id.in_(crew_ids)
    )
    for crew_id, role in session.execute(query):
        roles[crew_id].append(role)
    return {
        crew_id: 1.0
        + TRAINEE_SLOWDOWN * sum(r == CrewRole.TRAINEE.value for r in found) / len(found)
        for crew_id, found in roles.items()
    }


def contractor_districts(session: Session, region_id: int) -> dict[int, set[str]]:
    """Return, per contractor organisation, the districts of the region it serves."""
    found: dict[int, set[str]] = defaultdict(set)
    query = select(m.District.id, m.District.contractor_id).where(
        m.District.region_id == region_id, m.District.contractor_id.is_not(None)
    )
    for district_id, contractor_id in session.execute(query):
        if contractor_id is not None:
            found[contractor_id].add(str(district_id))
    return dict(found)
