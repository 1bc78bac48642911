"""Offered windows are windows the day planner keeps: booked, re-planned, still on the day.

A property test on the small real-OSM offers world (``offers_world``), on both backends: every
window offered for a flat over Monday (planned: a confirmed job 10:00-12:00, lunch at 12:00) and
Tuesday (empty) is booked in turn as a confirmed appointment, the day planner runs again on that
day (the real loader, street matrices and solver), and the plan must route the booking and
break no rule (the independent checker).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.services.offers_world import MONDAY, OSLO, TUESDAY, build_offers_world

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.jobs import AppointmentStatus, JobKind, JobStatus
from sitecrew.domain.offers import OfferQuery
from sitecrew.domain.routes import PlanOptions
from sitecrew.routing.check import violations_in
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.planning.load import load_day
from sitecrew.services.planning.pipeline import Timings, solve_day
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.progress import no_progress

ADMIN = Principal(Role.ADMIN)
OPTIONS = PlanOptions(seed=1, time_limit_s=None, max_iterations=300)


@pytest.fixture
def world(session, planning_osm):
    world = build_offers_world(session)
    publish = PlanOptions(seed=1, time_limit_s=None, max_iterations=300, publish=True)
    plan_day(session, region=world.region_id, day=MONDAY, osm=planning_osm, options=publish)
    return world


def _book(session, world, apartment_id: int, start: datetime, end: datetime) -> int:
    job = m.Job(
        region_id=world.region_id,
        kind=JobKind.INSTALL_MEDIA_BOX.value,
        apartment_id=apartment_id,
        duration_minutes=30,
        required_skills=["media_box"],
        priority=3,
        status=JobStatus.OPEN.value,
        version=1,
    )
    session.add(job)
    session.flush()
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=start.astimezone(UTC),
            window_end=end.astimezone(UTC),
            status=AppointmentStatus.CONFIRMED.value,
        )
    )
    session.flush()
    return job.id


@pytest.mark.parametrize("flat", ["other_west", "same_building", "east"])
def test_every_offered_window_is_kept_by_the_day_planner(session, world, planning_osm, flat):
    """Book each offer alone, re-plan its day: the booking is routed, no rule is broken."""
    apartment = {
        "other_west": world.other_west_flats[0],
        "same_building": world.west_flats[0],
        "east": world.east_flats[0],
    }[flat]
    query = OfferQuery(apartment, MONDAY, TUESDAY, limit=50)
    found = appointment_offers(session, ADMIN, query, osm=planning_osm)
    assert found, "the world has room: some window must be offered"
    dropped = []
    for offer in found:
        savepoint = session.begin_nested()
        try:
            job_id = _book(session, world, apartment, offer.window_start, offer.window_end)
            day = load_day(session, region=world.region_id, day=offer.day)
            solved = solve_day(
                day, osm=planning_osm, options=OPTIONS, timings=Timings(), progress=no_progress
            )
            routed = {j for route in solved.plan.routes for j in route.job_ids}
            kept = str(job_id) in routed
            kept = kept and (str(world.booked_job_id) in routed or offer.day != MONDAY)
            if not kept:
                dropped.append(offer.window_start.astimezone(OSLO).strftime("%a %H:%M"))
            assert violations_in(solved.problem, solved.plan) == ()
        finally:
            savepoint.rollback()
    assert dropped == []


def test_offers_ignore_a_crews_day_that_has_not_started_yet_only_by_time(
    session, world, planning_osm
):
    """Asked at Monday 11:00, Monday's windows starting before then are not offered."""
    query = OfferQuery(world.other_west_flats[0], MONDAY, TUESDAY, limit=50)
    now = datetime.fromisoformat(f"{MONDAY}T11:00:00+01:00")
    found = appointment_offers(session, ADMIN, query, osm=planning_osm, now=now)
    assert found
    assert all(offer.window_start >= now for offer in found)
