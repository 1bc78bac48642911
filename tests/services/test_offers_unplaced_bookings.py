"""A booking on no route and held for no crew still takes its place in the offers.

The offers world (``offers_world``) has its Monday planned and published: the housing crew's
route holds the confirmed 10:00-12:00 job in the west, lunch at 12:00. Then a planner books a
plain job (no campaign, so no crew holds it) of two hours for 13:00-15:00: it is on no route.
The day planner would put it at its cheapest place among the crews that may do it, so the
offers place it there first:

- with one crew for the west, a neighbour is no longer offered any window the booking overlaps;
- with two, the booking goes on one crew's day and the other still offers the window, until a
  second booking takes that place too; a third booking of the window is then refused
  (``WINDOW_NOT_OFFERED``, the write-time re-check of ``require_offered``);
- a booking that a crew which may not take the visit can make more cheaply goes on that crew's
  day and takes nothing from the visit's crew.

The neighbour's visit is an open one-hour job, so an offered window's work is known. Both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import select
from tests.services.offers_world import INSTALL, MONDAY, build_offers_world, local

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot, Skill
from sitecrew.domain.job_commands import BookAppointment
from sitecrew.domain.jobs import JobKind, JobStatus, TimeWindow
from sitecrew.domain.offers import OfferQuery
from sitecrew.domain.routes import PlanOptions
from sitecrew.errors import WindowNotOfferedError
from sitecrew.services import buildings, crews
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.jobs import book_appointment
from sitecrew.services.planning.runs import plan_day

ADMIN = Principal(Role.ADMIN)
NOW = datetime.now(UTC)
PUBLISH = PlanOptions(seed=1, time_limit_s=None, max_iterations=300, publish=True)
TWO_HOURS = timedelta(hours=2)
TAKEN = local(MONDAY, 13)


def add_crew(
    session, world, name: str, *, skills=INSTALL, depot_at: Point | None = None, organisation=None
) -> int:
    """Add a crew like the world's (08:00-16:00, lunch at 12:00), at the world's depot or its own."""
    depot_id = session.scalar(select(m.Depot.id).where(m.Depot.region_id == world.region_id))
    if depot_at is not None:
        depot_id = crews.create_depot(
            session, Depot(f"{name} depot", world.region_id, depot_at, f"{name} 1")
        ).id
    crew = crews.create_crew(
        session,
        Crew(
            name,
            world.region_id,
            depot_id or 0,
            shift_start=time(8),
            shift_end=time(16),
            lunch_minutes=30,
            lunch_earliest=time(12),
            lunch_latest=time(12),
            skills=skills,
            organisation_id=organisation,
            max_jobs_per_day=14,
        ),
    )
    crews.add_crew_member(
        session, CrewMember(crew.id or 0, f"{name} lead", CrewRole.LEAD, skills, MONDAY)
    )
    return crew.id or 0


def plain_job(session, world, apartment_id: int, minutes: int, skills=("media_box",)) -> int:
    """Add an open job of no campaign (nobody holds it), with no appointment yet."""
    job = m.Job(
        region_id=world.region_id,
        kind=JobKind.INSTALL_MEDIA_BOX.value,
        apartment_id=apartment_id,
        duration_minutes=minutes,
        required_skills=list(skills),
        priority=3,
        status=JobStatus.OPEN.value,
        version=1,
    )
    session.add(job)
    session.flush()
    return job.id


def plan_monday(session, world, osm) -> None:
    plan_day(session, region=world.region_id, day=MONDAY, osm=osm, options=PUBLISH)


def book(session, job_id: int, start: datetime, osm) -> None:
    """Book ``start`` for two hours as a planner (re-checked against the crews' days)."""
    command = BookAppointment(job_id, TimeWindow(start, start + TWO_HOURS))
    book_appointment(session, ADMIN, command, osm=osm, now=NOW)


def monday_windows(session, apartment_id: int, osm) -> list[datetime]:
    query = OfferQuery(apartment_id, MONDAY, MONDAY, 50)
    return sorted(
        o.window_start for o in appointment_offers(session, ADMIN, query, osm=osm, now=NOW)
    )


def overlaps(start: datetime, other: datetime) -> bool:
    return start < other + TWO_HOURS and other < start + TWO_HOURS


@pytest.fixture
def world(session):
    world = build_offers_world(session)
    plain_job(session, world, world.other_west_flats[1], minutes=60)  # the neighbour's visit
    return world


def test_with_one_crew_a_planners_booking_on_no_route_takes_its_hours_from_the_offers(
    session, world, planning_osm
):
    plan_monday(session, world, planning_osm)
    neighbour = world.other_west_flats[1]
    before = monday_windows(session, neighbour, planning_osm)
    assert TAKEN in before
    assert [w for w in before if w != TAKEN and overlaps(w, TAKEN)], "neighbours overlap first"

    book(session, plain_job(session, world, world.other_west_flats[0], 120), TAKEN, planning_osm)
    after = monday_windows(session, neighbour, planning_osm)

    assert after, "the crew still has room on Monday morning"
    assert [w for w in after if overlaps(w, TAKEN)] == []
    assert set(after) <= set(before)


def test_with_two_crews_the_booking_takes_one_crews_place_and_the_last_one_is_refused(
    session, world, planning_osm
):
    add_crew(session, world, "Own two")
    plan_monday(session, world, planning_osm)
    neighbour = world.other_west_flats[1]
    first, second, third = (
        plain_job(session, world, flat, 120)
        for flat in (world.other_west_flats[0], world.west_flats[0], world.west_flats[1])
    )
    book(session, first, TAKEN, planning_osm)
    assert TAKEN in monday_windows(session, neighbour, planning_osm), "the other crew has room"

    book(session, second, TAKEN, planning_osm)

    assert TAKEN not in monday_windows(session, neighbour, planning_osm)
    with pytest.raises(WindowNotOfferedError):
        book(session, third, TAKEN, planning_osm)


def test_a_booking_a_crew_that_may_not_take_the_visit_makes_cheaper_goes_to_that_crew(
    session, world, planning_osm
):
    """A helper without the media-box skill lives next to the booked flat: it takes the job."""
    north_west = Point(10.725, 59.935)
    building = buildings.create_building(
        session, Building(world.region_id, north_west, address="nw 1", levels=3)
    )
    flat = buildings.create_apartment(session, Apartment(building.id or 0, "H0101", 1)).id
    add_crew(session, world, "Helper", skills=frozenset({Skill.DRIVING}), depot_at=north_west)
    plan_monday(session, world, planning_osm)
    neighbour = world.other_west_flats[1]
    before = monday_windows(session, neighbour, planning_osm)
    assert TAKEN in before

    book(session, plain_job(session, world, flat, 120, skills=()), TAKEN, planning_osm)

    assert monday_windows(session, neighbour, planning_osm) == before
