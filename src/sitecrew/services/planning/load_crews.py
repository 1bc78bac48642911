"""The crews of a region as the route solver sees them: depot, shift, lunch, skills and limits.

- **Lunch**: ``lunch_earliest`` and ``lunch_latest`` bound the *start* of the break, which then
  lasts ``lunch_minutes``; the window is clipped to the shift.
- **Calendar**: only crews that work the day are routed, each with that weekday's shift; the
  rules (week pattern, active dates, public holidays, absences, minimum size, trainees not
  alone) are :func:`sitecrew.domain.calendars.crew_day_availability`'s.
- **Trainee factor**: a crew works ``1 + 0.15 x (share of trainees among the members present
  that day)`` times slower (a crew of ten with three trainees: 1.045; an installer pair with
  one: 1.075), a simple, documented stand-in until measured job times exist.
- **Skills**: the crew's skills, less those only absent members hold (see domain.calendars).
- **People**: the members present that day; a job that needs two (an installation) goes only to
  crews with two at work. A crew without a roster is of unknown size and takes any job.
- **Districts**: a district that names a contractor is that contractor's alone (see
  :func:`district_fence`): the contractor's crews only get jobs in its districts, the crews of
  owners (and crews of no organisation) stay out of every contractor district, and a service
  provider's crews (furniture care: work an owner hired another company for) work anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.routing.problem import CrewSpec
from sitecrew.services.crew_calendars import availability_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.services.planning.day import DayClock, Points

TRAINEE_SLOWDOWN = 0.15
"""Extra service time of a crew made only of trainees (scaled by the trainee share)."""


@dataclass(frozen=True)
class DayCrews:
    """The crews that work the day as routing crews, their names, and why the others do not.

    ``names`` maps routing ids (database ids as text) to crew names; ``off`` maps the names of
    crews that do not work the day to the reason (``"public holiday: Constitution Day"``).
    """

    crews: tuple[CrewSpec, ...]
    names: dict[str, str]
    off: dict[str, str] = field(default_factory=dict)


def day_crews(session: Session, *, region_id: int, clock: DayClock, points: Points) -> DayCrews:
    """Return the region's crews that work the day, as routing crews (see the module text).

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
    DayCrews
        The working crews with that weekday's shift, the skills and trainee factor of the
        members present; and the crews that do not work, with the reason.
    """
    return days_crews(session, region_id=region_id, clocks=[clock], points=points)[clock.day]


def days_crews(
    session: Session, *, region_id: int, clocks: Sequence[DayClock], points: Points
) -> dict[date, DayCrews]:
    """Return :func:`day_crews` for each day of ``clocks``, reading the crews once for all.

    Why: appointment offers ask about a fortnight at a time; crews, rosters, absences and
    districts read per day were most of an answer's time.
    """
    query = (
        select(m.Crew, m.Depot.location, m.Organisation.kind)
        .join(m.Depot, m.Depot.id == m.Crew.depot_id)
        .outerjoin(m.Organisation, m.Organisation.id == m.Crew.organisation_id)
        .where(m.Crew.region_id == region_id)
        .order_by(m.Crew.id)
    )
    rows = list(session.execute(query))
    available = availability_of(session, [crew for crew, _, _ in rows], [c.day for c in clocks])
    districts = contractor_districts(session, region_id)
    depots = {crew.id: from_db_geometry(location) for crew, location, _ in rows}
    names = {str(crew.id): crew.name for crew, _, _ in rows}
    found: dict[date, DayCrews] = {}
    for clock in clocks:
        crews, off = [], {}
        for crew, _, employer_kind in rows:
            today = available[crew.id, clock.day]
            if not today.works or today.shift is None:
                off[crew.name] = today.reason or "does not work this day"
                continue
            depot = depots[crew.id]
            home = points.add(float(depot.x), float(depot.y))
            allowed, excluded = district_fence(employer_kind, crew.organisation_id, districts)
            shift = (clock.seconds_of(today.shift[0]), clock.seconds_of(today.shift[1]))
            window, duration = _lunch(crew, clock, shift)
            crews.append(
                CrewSpec(
                    id=str(crew.id),
                    start_location=home,
                    end_location=home,
                    shift_start_s=shift[0],
                    shift_end_s=shift[1],
                    skills=frozenset(skill.value for skill in today.skills),
                    max_jobs=crew.max_jobs_per_day,
                    service_factor=1.0 + TRAINEE_SLOWDOWN * today.trainee_share,
                    people=len(today.present) or None,
                    allowed_districts=allowed,
                    excluded_districts=excluded,
                    break_window=window,
                    break_duration_s=duration,
                )
            )
        found[clock.day] = DayCrews(tuple(crews), dict(names), off)
    return found


def _lunch(
    crew: m.Crew, clock: DayClock, shift: tuple[int, int]
) -> tuple[tuple[int, int] | None, int]:
    """Return the break window (clipped to the shift) and duration; none when it cannot fit."""
    duration = crew.lunch_minutes * 60
    opens = max(clock.seconds_of(crew.lunch_earliest), shift[0])
    closes = min(clock.seconds_of(crew.lunch_latest) + duration, shift[1])
    if duration <= 0 or closes - opens < duration:
        return None, 0
    return (opens, closes), duration


def district_fence(
    employer_kind: str | None, organisation_id: int | None, districts: dict[int, set[str]]
) -> tuple[frozenset[str] | None, frozenset[str]]:
    """Return where a crew may work: (allowed districts or None for anywhere, excluded districts).

    ``districts`` is :func:`contractor_districts`. A contractor was hired for its districts, so
    its crews work there only and nobody else's installers take that work from it; a service
    provider does other work than the contractor's (furniture care), so the fence is not its.
    """
    if employer_kind == OrganisationKind.CONTRACTOR.value:
        return frozenset(districts.get(organisation_id or -1, ())), frozenset()
    if employer_kind == OrganisationKind.SERVICE_PROVIDER.value:
        return None, frozenset()
    return None, frozenset().union(*districts.values())


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
