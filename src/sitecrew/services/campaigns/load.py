"""Reading a campaign's sweep input: its homes with their places, and its crews' working days.

A crew's days come from the same calendar rules as the day planner's
(:func:`sitecrew.domain.calendars.crew_day_availability`: week, active dates, the region's public
holidays, members' absences, minimum size) and one rule of the campaign's own: a member whose
``training_completed_on`` lies after a day is not yet trained that day and counts as away.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain.calendars import Absence, crew_day_availability
from sitecrew.domain.campaigns import SweepCrew, SweepHome
from sitecrew.domain.crews import AbsenceKind
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.domain.public_holidays import holidays_between

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.orm import Session

    from sitecrew.domain.calendars import Shift
    from sitecrew.domain.crews import CrewMember

#: A house number (with an optional letter) at the end of an address: the rest is its street.
_HOUSE_NUMBER = re.compile(r"\s+\d+\s*[A-Za-z]?(\s*-\s*\d+\s*[A-Za-z]?)?$")
#: Closer than this (degrees, about a metre) the flat's point is its building's point.
_SAME_POINT = 1e-5


@dataclass(frozen=True)
class HomeRow:
    """A campaign home as the sweep reads it, with its stored place in the sweep."""

    home_id: int
    apartment_id: int
    state: str
    day: date | None
    crew_id: int | None
    window_start: Any
    window_end: Any
    earliest_on: date | None
    building_id: int
    floor: int | None
    unit: str
    lon: float
    lat: float
    building_lon: float
    building_lat: float
    address: str
    entrances: list[list[float]]
    district_id: int | None
    owner_id: int | None


def home_rows(session: Session, campaign_id: int, states: Sequence[str]) -> list[HomeRow]:
    """Return the campaign's homes in ``states`` with their flats, buildings and districts."""
    district = func.coalesce(m.Apartment.district_id, m.Building.district_id)
    query = (
        select(
            m.CampaignHome.id,
            m.CampaignHome.apartment_id,
            m.CampaignHome.state,
            m.CampaignHome.day,
            m.CampaignHome.crew_id,
            m.CampaignHome.window_start,
            m.CampaignHome.window_end,
            m.CampaignHome.earliest_on,
            m.Building.id,
            m.Apartment.floor,
            m.Apartment.unit,
            func.ST_X(m.Apartment.location),
            func.ST_Y(m.Apartment.location),
            func.ST_X(m.Building.location),
            func.ST_Y(m.Building.location),
            m.Building.address,
            m.Building.entrances,
            district,
            m.District.contractor_id,
        )
        .join(m.Apartment, m.Apartment.id == m.CampaignHome.apartment_id)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .outerjoin(m.District, m.District.id == district)
        .where(m.CampaignHome.campaign_id == campaign_id, m.CampaignHome.state.in_(states))
        .order_by(m.CampaignHome.id)
    )
    return [_home_row(row) for row in session.execute(query)]


def _home_row(row: Any) -> HomeRow:
    return HomeRow(
        home_id=row[0],
        apartment_id=row[1],
        state=row[2],
        day=row[3],
        crew_id=row[4],
        window_start=row[5],
        window_end=row[6],
        earliest_on=row[7],
        building_id=row[8],
        floor=row[9],
        unit=row[10],
        lon=float(row[11]),
        lat=float(row[12]),
        building_lon=float(row[13]),
        building_lat=float(row[14]),
        address=row[15] or "",
        entrances=list(row[16] or []),
        district_id=row[17],
        owner_id=row[18],
    )


def street_of(address: str) -> str:
    """Return the street of an address (``"Thorvald Meyers gate 12B"`` -> its street name)."""
    return _HOUSE_NUMBER.sub("", address.strip()).strip().lower()


def entrance_numbers(rows: Sequence[HomeRow]) -> dict[int, int]:
    """Return each home's stairwell number within its building (0 when it lists none).

    A flat with a point of its own takes the nearest entrance. Flats that only repeat their
    building's point (the registers rarely place them) are spread over the entrances in unit
    order floor by floor: the first units of each floor by the first stairwell, and so on.
    """
    result: dict[int, int] = {}
    by_building: dict[int, list[HomeRow]] = defaultdict(list)
    for row in rows:
        by_building[row.building_id].append(row)
    for homes in by_building.values():
        entrances = homes[0].entrances
        if len(entrances) < 2:  # noqa: PLR2004 (one entrance or none: all share it)
            result.update({row.home_id: 0 for row in homes})
            continue
        result.update(_by_floor_rank(homes, len(entrances)))
        result.update({row.home_id: _nearest(row, entrances) for row in homes if _own_point(row)})
    return result


def _own_point(row: HomeRow) -> bool:
    return (
        abs(row.lon - row.building_lon) > _SAME_POINT
        or abs(row.lat - row.building_lat) > _SAME_POINT
    )


def _nearest(row: HomeRow, entrances: Sequence[Sequence[float]]) -> int:
    scale = math.cos(math.radians(row.lat))
    distances = [((e[0] - row.lon) * scale) ** 2 + (e[1] - row.lat) ** 2 for e in entrances]
    return distances.index(min(distances))


def _by_floor_rank(homes: Sequence[HomeRow], count: int) -> dict[int, int]:
    floors: dict[int | None, list[HomeRow]] = defaultdict(list)
    for row in homes:
        floors[row.floor].append(row)
    result: dict[int, int] = {}
    for flats in floors.values():
        flats.sort(key=lambda r: (r.unit, r.home_id))
        result.update({row.home_id: rank * count // len(flats) for rank, row in enumerate(flats)})
    return result


def sweep_home(
    row: HomeRow, entrance: int, minutes: float, *, earliest: date | None = None
) -> SweepHome:
    """Return the sweep's view of a home (no fixed visit: the caller adds one)."""
    return SweepHome(
        apartment_id=row.apartment_id,
        building_id=row.building_id,
        lon=row.building_lon,
        lat=row.building_lat,
        street=street_of(row.address),
        entrance=entrance,
        floor=row.floor,
        unit=row.unit,
        district_id=row.district_id,
        owner_id=row.owner_id,
        minutes=minutes,
        earliest=earliest,
    )


def sweep_crews(session: Session, campaign: m.Campaign, days: Sequence[date]) -> list[SweepCrew]:
    """Return the campaign's crews with their working days and shifts in ``days``."""
    query = (
        select(
            m.Crew, func.ST_X(m.Depot.location), func.ST_Y(m.Depot.location), m.Organisation.kind
        )
        .join(m.CampaignCrew, m.CampaignCrew.crew_id == m.Crew.id)
        .join(m.Depot, m.Depot.id == m.Crew.depot_id)
        .outerjoin(m.Organisation, m.Organisation.id == m.Crew.organisation_id)
        .where(m.CampaignCrew.campaign_id == campaign.id)
        .order_by(m.Crew.id)
    )
    found = list(session.execute(query).all())
    shifts = working_days(session, [crew for crew, *_ in found], days)
    return [
        SweepCrew(
            crew_id=crew.id,
            depot_lon=float(lon),
            depot_lat=float(lat),
            days=shifts[crew.id],
            visits_per_day=campaign.visits_per_crew_day,
            contractor_id=(
                crew.organisation_id if kind == OrganisationKind.CONTRACTOR.value else None
            ),
        )
        for crew, lon, lat, kind in found
    ]


def working_days(
    session: Session, crews: Sequence[m.Crew], days: Sequence[date]
) -> dict[int, dict[date, Shift]]:
    """Return each crew's shift on every day of ``days`` it works (trainees count as away)."""
    result: dict[int, dict[date, Shift]] = {crew.id: {} for crew in crews}
    if not crews or not days:
        return result
    first, last = min(days), max(days)
    members: dict[int, list[CrewMember]] = defaultdict(list)
    rows = session.scalars(select(m.CrewMember).where(m.CrewMember.crew_id.in_(list(result))))
    for member in rows:
        members[member.crew_id].append(member.to_domain())
    away = _absences(session, [x for group in members.values() for x in group], first, last)
    holidays = _holidays(session, crews, days)
    for crew in crews:
        facts = crew.to_domain()
        roster = members[crew.id]
        absent = [a for member in roster for a in away.get(member.id or 0, ())]
        for day in days:
            seen = crew_day_availability(facts, roster, absent, day, holidays[crew.region_id])
            if seen.works and seen.shift is not None:
                result[crew.id][day] = seen.shift
    return result


def _absences(
    session: Session, members: Sequence[CrewMember], first: date, last: date
) -> dict[int, list[Absence]]:
    """Return members' absences in ``first..last``, and the days before their training ends."""
    found: dict[int, list[Absence]] = defaultdict(list)
    ids = [member.id for member in members if member.id is not None]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        query = select(m.MemberAbsence).where(
            m.MemberAbsence.member_id.in_(chunk),
            m.MemberAbsence.ends_on >= first,
            m.MemberAbsence.starts_on <= last,
        )
        for row in session.scalars(query):
            found[row.member_id].append(row.to_domain())
    for member in members:
        trained = member.training_completed_on
        if member.id is not None and trained is not None and trained > first:
            until = trained - timedelta(days=1)
            note = f"in training until {trained.isoformat()}"
            found[member.id].append(Absence(member.id, AbsenceKind.TRAINING, first, until, note))
    return found


def _holidays(
    session: Session, crews: Iterable[m.Crew], days: Sequence[date]
) -> dict[int, dict[date, str]]:
    query = select(m.Region.id, m.Region.country).where(
        m.Region.id.in_({crew.region_id for crew in crews})
    )
    years = {day.year for day in days}
    return {
        region_id: dict(holidays_between(country or "NO", years))
        for region_id, country in session.execute(query)
    }
