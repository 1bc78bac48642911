"""The demo world built from central Oslo meets the foundation's bar on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc, from_db_geometry
from sitecrew.domain.access import Role
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import PlanOptions
from sitecrew.errors import ConflictError
from sitecrew.services.access import authenticate, create_token
from sitecrew.services.demo import load_demo, summarise
from sitecrew.services.demo.calendar import CareJob, CareRoom, care_calendar
from sitecrew.services.demo.jobs import BOOKED_DAYS, installation_slots
from sitecrew.services.demo.start import DEMO_TOKEN_NAME, default_plan_day, start_demo
from sitecrew.services.demo.world import DemoWorld
from sitecrew.services.planning.read import unassigned_for_run
from sitecrew.services.planning.runs import plan_day

OSLO = ZoneInfo("Europe/Oslo")


def test_demo_holds_the_promised_volumes(demo_session):
    """At least 20,000 apartments, 600 furniture items, 59 schoolyards, six districts."""
    summary = summarise(demo_session, "Oslo sentrum")
    assert summary.apartments >= 20_000
    assert summary.furniture >= 600
    assert summary.maintenance_records > summary.furniture
    assert summary.districts == 6
    schoolyards = demo_session.scalar(
        select(func.count()).select_from(m.Site).where(m.Site.kind == "schoolyard")
    )
    assert schoolyards == 59
    assert demo_session.scalar(select(func.count()).select_from(m.Depot)) >= 1


def test_two_districts_form_the_contractor_block(demo_session):
    """Exactly the two eastern districts are bound to the contractor."""
    bound = demo_session.execute(
        select(m.District.name, m.Organisation.kind)
        .join(m.Organisation, m.District.contractor_id == m.Organisation.id)
        .order_by(m.District.name)
    ).all()
    assert bound == [("North-East", "contractor"), ("South-East", "contractor")]


def test_at_least_two_crews_of_ten_include_trainees(demo_session):
    """The furniture-care team: two crews of ten, each with trainees."""
    sizes = demo_session.execute(
        select(
            m.CrewMember.crew_id,
            func.count(),
            func.sum(func.cast(m.CrewMember.role == "trainee", m.CrewMember.id.type)),
        ).group_by(m.CrewMember.crew_id)
    ).all()
    big_with_trainees = [crew for crew, size, trainees in sizes if size >= 10 and trainees > 0]
    assert len(big_with_trainees) >= 2


def test_apartments_stand_in_real_building_footprints(demo_session):
    """Every apartment's point lies inside the OSM footprint of its building (sampled)."""
    rows = demo_session.execute(
        select(m.Apartment.location, m.Building.footprint, m.Building.osm_id)
        .join(m.Building)
        .order_by(m.Apartment.id)
        .limit(400)
    ).all()
    for location, footprint, osm_id in rows:
        assert osm_id is not None
        assert from_db_geometry(footprint).covers(from_db_geometry(location))


def test_furniture_stands_inside_its_site(demo_session):
    """Every furniture item lies inside its site's area."""
    rows = demo_session.execute(
        select(m.Furniture.location, m.Site.area).join(m.Site).where(m.Site.area.is_not(None))
    ).all()
    assert len(rows) >= 600
    for location, area in rows:
        assert from_db_geometry(area).covers(from_db_geometry(location))


def test_same_seed_gives_the_same_world_on_both_backends(demo_engines):
    """Loaded with one seed, the two backends hold identical apartments, tenants and furniture."""
    from sqlalchemy.orm import Session

    def fingerprint(engine) -> tuple:
        with Session(engine) as db_session:
            apartments = db_session.execute(
                select(m.Apartment.id, m.Apartment.unit, m.Apartment.tenant_name).order_by(
                    m.Apartment.id
                )
            ).all()
            furniture = db_session.execute(
                select(m.Furniture.serial, m.Furniture.condition_grade).order_by(m.Furniture.id)
            ).all()
            return tuple(apartments), tuple(furniture), summarise(db_session, "x")

    spatialite, postgis = (fingerprint(demo_engines[name]) for name in ("spatialite", "postgis"))
    assert spatialite == postgis


# --- Starting the demo keeps work, and its days fit its crews ---------------------------------

DEMO_DAY = date(2026, 6, 2)
"""The day the conftest's demo fixtures are loaded for (a Tuesday)."""


def _start(session, osm_dir, **changes):
    """Run the path ``scripts/demo.sh`` runs (``sitecrew demo start``), with a small world."""
    return start_demo(
        session,
        osm_dir / "oslo.osm.pbf",
        **({"region_name": "Oslo sentrum", "plan_day": DEMO_DAY, "target_flats": 300} | changes),
    )


def _publish_a_route(session, osm) -> int:
    """Plan the demo day and publish it, as a planner would; return one published route's id."""
    region_id = session.scalar(select(m.Region.id))
    options = PlanOptions(seed=3, time_limit_s=None, max_iterations=30, publish=True)
    plan_day(session, region=region_id, day=DEMO_DAY, osm=osm, options=options)
    return session.scalar(select(m.Route.id).where(m.Route.status == "published").limit(1))


def test_demo_load_is_refused_when_the_database_holds_data(session, osm_dir):
    """Loading the demo over data without --replace is a conflict that names the way out."""
    assert _start(session, osm_dir).loaded
    with pytest.raises(ConflictError, match="--replace"):
        load_demo(
            session,
            osm_dir / "oslo.osm.pbf",
            region_name="Oslo sentrum",
            plan_day=DEMO_DAY,
            target_flats=300,
        )


def test_tokens_and_published_routes_survive_when_the_demo_starts_again(
    session, osm_dir, planning_osm
):
    """A second start loads nothing: tokens (the first demo token too) and a route stay."""
    first = _start(session, osm_dir)
    route_id = _publish_a_route(session, planning_osm)
    mine = create_token(session, name="my planner", role=Role.PLANNER)
    held = summarise(session, "Oslo sentrum")
    again = _start(session, osm_dir, plan_day=date(2026, 6, 3))
    assert not again.loaded
    assert again.held == held
    assert session.get(m.Route, route_id).status == "published"
    assert authenticate(session, mine.secret).principal.role is Role.PLANNER
    assert authenticate(session, again.token.secret).principal.role is Role.PLANNER
    assert authenticate(session, first.token.secret).principal.role is Role.PLANNER
    assert again.earlier_tokens == 1


def test_demo_token_is_a_planner_of_the_demo_region_when_started(session, osm_dir):
    """The ready-made token plans the demo's one region and lasts the default lifetime."""
    started = _start(session, osm_dir)
    token = started.token.token
    assert (token.name, token.role) == (DEMO_TOKEN_NAME, Role.PLANNER)
    assert token.region_id == session.scalar(select(m.Region.id))
    assert token.expires_at is not None


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 6, 5), date(2026, 6, 8)),  # Friday -> Monday
        (date(2026, 6, 6), date(2026, 6, 8)),  # Saturday -> Monday
        (date(2026, 6, 7), date(2026, 6, 8)),  # Sunday -> Monday
        (date(2026, 6, 8), date(2026, 6, 9)),  # Monday -> Tuesday
        (date(2026, 12, 30), date(2026, 12, 31)),  # Wednesday -> Thursday
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day is a public holiday
        (date(2026, 5, 13), date(2026, 5, 15)),  # Ascension Day (Thursday) is skipped
        (date(2026, 5, 22), date(2026, 5, 26)),  # Friday -> Tuesday after Whit Monday
    ],
)
def test_default_plan_day_is_the_next_working_day_when_today_is_given(today, expected):
    """The demo plans the first Monday to Friday after today that is no Norwegian holiday."""
    assert default_plan_day(today) == expected


def test_bookings_fit_each_sides_installers_when_the_demo_is_loaded(demo_session):
    """Each window of each booked day holds at most what that side's installers can visit in it.

    The contractor's crews alone serve its districts and the housing company's crews the rest,
    so each side's homes are booked within that side's crews.
    """
    region = demo_session.scalars(select(m.Region)).one().to_domain()
    districts = tuple(d.to_domain() for d in demo_session.scalars(select(m.District)))
    world = DemoWorld({}, region, districts)
    slots = {side: installation_slots(world, contractor=side) for side in (True, False)}
    rows = demo_session.execute(
        select(m.Appointment.window_start, m.District.contractor_id)
        .join(m.Job, m.Job.id == m.Appointment.job_id)
        .join(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .join(m.District, m.District.id == m.Apartment.district_id)
        .where(m.Appointment.status == "confirmed")
    ).all()
    per_window = Counter(
        (as_utc(start).astimezone(OSLO).replace(tzinfo=None), contractor is not None)
        for start, contractor in rows
    )
    days = {moment.date() for moment, _ in per_window}
    assert min(days) == DEMO_DAY
    assert len(days) == BOOKED_DAYS
    assert all(day.weekday() < 5 for day in days)
    assert all(count <= slots[side][moment.time()] for (moment, side), count in per_window.items())
    assert {side for _, side in per_window} == {True, False}
    assert 0 < sum(slots[False].values()) <= 10 * 12  # ten installer pairs, at most 12 visits each
    assert 0 < sum(slots[True].values()) <= 12  # the contractor's one crew


def test_the_districts_share_the_homes_evenly(demo_session):
    """Each of the six districts holds about a sixth of the flats (drawn around the homes)."""
    counts = dict(
        demo_session.execute(
            select(m.Apartment.district_id, func.count()).group_by(m.Apartment.district_id)
        ).all()
    )
    total = sum(counts.values())
    assert None not in counts
    assert len(counts) == 6
    assert all(abs(count / total - 1 / 6) < 0.02 for count in counts.values())


def test_care_due_on_a_day_fits_the_care_teams_when_calendared():
    """The calendar never books a day over its room, nor work before it falls due."""
    jobs = [
        CareJob(date(2026, 5, 1) + timedelta(days=i % 40), i % 3, 25, 10, i % 17, i % 11 == 0)
        for i in range(120)
    ]
    rooms: dict[date, CareRoom] = {}
    dates = care_calendar(jobs, plan_day=DEMO_DAY, room=lambda: CareRoom(300, 60, 12, 5))
    in_calendar_order = sorted(range(len(jobs)), key=lambda i: (jobs[i].due_on, -jobs[i].priority))
    for index in in_calendar_order:
        job, due = jobs[index], dates[index]
        day = max(due, DEMO_DAY)
        assert day.weekday() < 5
        assert due >= job.due_on
        assert due == job.due_on if day == DEMO_DAY else due > DEMO_DAY
        rooms.setdefault(day, CareRoom(300, 60, 12, 5)).take(job)
    assert all(room.minutes >= 0 and room.jobs >= 0 for room in rooms.values())
    assert all(room.quiet_minutes >= 0 for room in rooms.values())


def test_demo_day_leaves_few_explained_jobs_unassigned_when_planned(demo_session, planning_osm):
    """At most 5 % of the day's jobs stay unassigned, each confirmed one with a reason."""
    region_id = demo_session.scalar(select(m.Region.id))
    options = PlanOptions(seed=3, time_limit_s=None, max_iterations=150)
    outcome = plan_day(
        demo_session, region=region_id, day=DEMO_DAY, osm=planning_osm, options=options
    )
    jobs = outcome.solved.problem.jobs
    unassigned = unassigned_for_run(demo_session, outcome.run_id)
    assert len(unassigned) <= 0.05 * len(jobs)
    booked = {str(j.id) for j in jobs if j.windows and "media_box" in j.skills}
    assert len(booked) > 0.7 * len(jobs)
    for item in unassigned:
        assert item.reason in set(UnassignedReason)
        assert item.detail
