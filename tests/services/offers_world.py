"""A small real-OSM world for appointment offers (central Oslo's streets, a week ahead).

One housing company crew and one contractor crew share a depot; the east district is the
contractor's. Buildings: two in the west (one with a confirmed two-hour job on :data:`MONDAY`
10:00-12:00 that fills the whole window), one in the east. Shifts 08:00-16:00, lunch of 30
minutes starting between 12:00 and 12:00 (so the break sits right after the booked job).
``MONDAY`` lies in the future, because offers are only made for windows still to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import shapely
from shapely.geometry import Point

from sitecrew.db import models as m
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot, Skill
from sitecrew.domain.jobs import AppointmentStatus, JobKind, JobStatus
from sitecrew.domain.organisations import District, Organisation, OrganisationKind, Region
from sitecrew.services import buildings, crews, organisations

OSLO = ZoneInfo("Europe/Oslo")
INSTALL = frozenset({Skill.MEDIA_BOX, Skill.DRIVING})
WEST = shapely.box(10.72, 59.90, 10.75, 59.94)
EAST = shapely.box(10.75, 59.90, 10.78, 59.94)


def _monday() -> date:
    day = datetime.now(OSLO).date() + timedelta(days=7)
    off = holidays.country_holidays("NO", years=range(day.year, day.year + 2))
    while day.weekday() != 0 or day in off or day + timedelta(days=1) in off:
        day += timedelta(days=1)
    return day


MONDAY = _monday()
TUESDAY = MONDAY + timedelta(days=1)


@dataclass(frozen=True)
class OffersWorld:
    """Ids of the offers world."""

    region_id: int
    other_region_id: int
    contractor_id: int
    own_crew_id: int
    contractor_crew_id: int
    booked_job_id: int
    west_flats: tuple[int, ...]  # in the booked job's building
    other_west_flats: tuple[int, ...]  # another west building, 150 m away
    east_flats: tuple[int, ...]
    far_flat: int  # in another region


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a local wall-clock time of ``day`` as a UTC timestamp."""
    return datetime.combine(day, time(hour, minute), OSLO).astimezone(UTC)


def build_offers_world(session) -> OffersWorld:
    """Create the world through the services (rolled back with the test's session)."""
    housing = organisations.create_organisation(
        session, Organisation("Bo AS", OrganisationKind.OWNER)
    )
    contractor = organisations.create_organisation(
        session, Organisation("Hire AS", OrganisationKind.CONTRACTOR)
    )
    region = organisations.create_region(
        session, Region("Offer town", shapely.box(10.72, 59.90, 10.78, 59.94), street_region="oslo")
    )
    other = organisations.create_region(
        session, Region("Offer elsewhere", shapely.box(5.3, 60.3, 5.4, 60.4))
    )
    west = organisations.create_district(session, District("Offer west", region.id, WEST))
    east = organisations.create_district(
        session, District("Offer east", region.id, EAST, contractor_id=contractor.id)
    )
    depot = crews.create_depot(
        session, Depot("Offer depot", region.id, Point(10.75, 59.92), "Gata 1")
    )
    own = _crew(session, "Own", region.id, depot.id or 0, housing.id)
    hired = _crew(session, "Hired", region.id, depot.id or 0, contractor.id)
    flats = {}
    for key, district_id, point, region_id in (
        ("west", west.id, Point(10.740, 59.920), region.id),
        ("west2", west.id, Point(10.742, 59.921), region.id),
        ("east", east.id, Point(10.760, 59.920), region.id),
        ("far", None, Point(5.35, 60.35), other.id),
    ):
        building = buildings.create_building(
            session,
            Building(region_id, point, address=f"{key} 1", levels=4, district_id=district_id),
        )
        flats[key] = tuple(
            buildings.create_apartment(session, Apartment(building.id or 0, f"H0{n}01", n)).id
            for n in range(1, 4)
        )
    job = m.Job(
        region_id=region.id,
        kind=JobKind.INSTALL_MEDIA_BOX.value,
        apartment_id=flats["west"][0],
        duration_minutes=120,
        required_skills=[Skill.MEDIA_BOX.value],
        priority=3,
        status=JobStatus.OPEN.value,
        version=1,
    )
    session.add(job)
    session.flush()
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=local(MONDAY, 10),
            window_end=local(MONDAY, 12),
            status=AppointmentStatus.CONFIRMED.value,
        )
    )
    session.flush()
    return OffersWorld(
        region_id=region.id or 0,
        other_region_id=other.id or 0,
        contractor_id=contractor.id or 0,
        own_crew_id=own,
        contractor_crew_id=hired,
        booked_job_id=job.id,
        west_flats=tuple(flats["west"][1:]),
        other_west_flats=flats["west2"],
        east_flats=flats["east"],
        far_flat=flats["far"][0],
    )


def _crew(session, name: str, region_id: int, depot_id: int, organisation_id: int | None) -> int:
    crew = crews.create_crew(
        session,
        Crew(
            name,
            region_id,
            depot_id,
            shift_start=time(8),
            shift_end=time(16),
            lunch_minutes=30,
            lunch_earliest=time(12),
            lunch_latest=time(12),
            skills=INSTALL,
            organisation_id=organisation_id,
            max_jobs_per_day=14,
        ),
    )
    crews.add_crew_member(
        session, CrewMember(crew.id or 0, f"{name} lead", CrewRole.LEAD, INSTALL, date(2020, 1, 1))
    )
    return crew.id or 0
