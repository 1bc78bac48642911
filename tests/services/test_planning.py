"""Planning a demo day end to end: load, snap, matrices, solve, persist; the rules hold in the DB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.jobs import JobKind
from sitecrew.domain.plans import StopKind, UnassignedReason
from sitecrew.domain.routes import PlanOptions, RouteState
from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.routing.check import violations_in
from sitecrew.services.planning.load import load_day
from sitecrew.services.planning.read import crew_route, unassigned_for_run
from sitecrew.services.planning.runs import plan_day

OSLO = ZoneInfo("Europe/Oslo")
ITERATIONS = 150


def _options(**changes) -> PlanOptions:
    return PlanOptions(
        **({"seed": 3, "time_limit_s": None, "max_iterations": ITERATIONS} | changes)
    )


def _plan(session, osm, day=PLAN_DAY, **changes):
    return plan_day(session, region="oslo", day=day, osm=osm, options=_options(**changes))


def test_every_rule_holds_when_the_demo_day_is_planned(demo_session, planning_osm):
    """The demo day's plan passes the independent checker and does nearly all the day's work."""
    outcome = _plan(demo_session, planning_osm)
    plan, problem = outcome.solved.plan, outcome.solved.problem
    assert violations_in(problem, plan) == ()
    assert outcome.summary["visits"] >= 0.95 * len(problem.jobs) > 8 * len(problem.crews)
    assert outcome.summary["routes"] == len(problem.crews) == 13
    assert all(len([s for s in r.stops if s.job_id is None]) == 1 for r in plan.routes)
    assert {u.reason for u in plan.unassigned} <= set(UnassignedReason)
    stored = unassigned_for_run(demo_session, outcome.run_id)
    assert set(stored) == set(plan.unassigned)


def test_booked_visits_start_inside_their_appointment_when_stored(demo_session, planning_osm):
    """Stored stop times (UTC) put each installation inside its tenant's two-hour window."""
    outcome = _plan(demo_session, planning_osm)
    query = (
        select(m.RouteStop.arrival_at, m.RouteStop.departure_at, m.Job.duration_minutes)
        .add_columns(m.Appointment.window_start, m.Appointment.window_end)
        .join(m.Route, m.Route.id == m.RouteStop.route_id)
        .join(m.Job, m.Job.id == m.RouteStop.job_id)
        .join(m.Appointment, m.Appointment.job_id == m.Job.id)
        .where(m.Route.run_id == outcome.run_id)
    )
    rows = demo_session.execute(query).all()
    booked = demo_session.scalar(
        select(func.count())
        .select_from(m.Appointment)
        .join(m.Job, m.Job.id == m.Appointment.job_id)
        .where(m.Job.due_on == PLAN_DAY)
    )
    assert len(rows) >= 0.9 * booked > 80  # nearly all of the day's bookings
    for arrival, departure, minutes, opens, closes in rows:
        work_starts = as_utc(departure) - timedelta(minutes=minutes * 1.075 + 1)
        assert as_utc(opens) <= as_utc(departure) - timedelta(minutes=minutes)
        assert work_starts <= as_utc(closes)
        assert as_utc(arrival) <= as_utc(departure)


def test_stored_routes_match_the_plan_when_persisted(demo_session, planning_osm):
    """Each crew's stored route has start, stops and end with legs, times in its shift."""
    outcome = _plan(demo_session, planning_osm)
    day = outcome.solved.day
    for route in outcome.solved.plan.routes:
        stored = crew_route(demo_session, int(route.crew_id), PLAN_DAY)
        assert stored is not None
        assert stored.state is RouteState.DRAFT
        assert stored.stops[0].kind is StopKind.START
        assert stored.stops[-1].kind is StopKind.END
        assert stored.job_ids == tuple(int(j) for j in route.job_ids)
        assert all(s.leg is not None for s in stored.stops[1:])
        assert stored.stops[1].arrival_at == day.clock.moment(route.stops[0].arrival_s)
        crew = demo_session.get(m.Crew, int(route.crew_id))
        first, last = stored.stops[0].departure_at, stored.stops[-1].arrival_at
        assert first.astimezone(OSLO).time() >= crew.shift_start
        assert last.astimezone(OSLO).time() <= crew.shift_end
        assert stored.distance_m == sum(s.distance_m for s in stored.stops)


def test_contractor_works_only_in_its_districts_when_planned(demo_session, planning_osm):
    """The contractor crew's installations all lie in the districts that name its company."""
    outcome = _plan(demo_session, planning_osm)
    contractor = demo_session.scalars(
        select(m.Crew).join(m.Organisation).where(m.Organisation.kind == "contractor")
    ).one()
    allowed = set(
        demo_session.scalars(
            select(m.District.id).where(m.District.contractor_id == contractor.organisation_id)
        )
    )
    route = outcome.solved.plan.route_for(str(contractor.id))
    assert route is not None
    assert route.job_ids
    districts = demo_session.scalars(
        select(m.Apartment.district_id)
        .join(m.Job, m.Job.apartment_id == m.Apartment.id)
        .where(m.Job.id.in_([int(j) for j in route.job_ids]))
    ).all()
    assert set(districts) <= allowed


def test_only_jobs_of_the_day_are_loaded_when_other_days_are_booked(demo_session):
    """Bookings of other days stay out; each booked job gets its window in local time."""
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    start = datetime(2026, 6, 2, tzinfo=OSLO).astimezone(UTC)
    booked_today = demo_session.scalar(
        select(func.count(m.Appointment.id)).where(
            m.Appointment.window_start >= start,
            m.Appointment.window_start < start + timedelta(days=1),
            m.Appointment.status == "confirmed",
        )
    )
    booked = [j for j in day.jobs if "media_box" in j.skills]
    assert len(booked) == booked_today > 0
    assert {j.windows[0][0] // 3600 for j in booked} == {8, 10, 12, 14}
    furniture = [j for j in day.jobs if "media_box" not in j.skills]
    due = demo_session.scalar(
        select(func.count(m.Job.id)).where(
            m.Job.kind != JobKind.INSTALL_MEDIA_BOX.value, m.Job.due_on <= PLAN_DAY
        )
    )
    assert len(furniture) == due


def test_nothing_is_planned_when_the_day_has_no_work(demo_session, planning_osm):
    """A day without bookings or due jobs gives a successful, empty plan."""
    outcome = _plan(demo_session, planning_osm, day=date(2026, 1, 6))
    assert outcome.summary["jobs"] == 0
    assert outcome.summary["routes"] == 0
    assert outcome.route_ids == []


@pytest.mark.parametrize(
    ("region", "error", "text"),
    [("Atlantis", NotFoundError, "unknown region 'Atlantis'"), (None, InvalidInputError, "street")],
)
def test_planning_is_refused_when_the_region_cannot_be_routed(
    demo_session, planning_osm, region, error, text
):
    """An unknown region, or one without a street graph, is a clear typed error."""
    if region is None:
        region = "bare-land"
        world = demo_session.scalars(select(m.Region)).first()
        demo_session.add(
            m.Region(name="Bare land", slug=region, street_region=None, area=world.area)
        )
        demo_session.flush()
    with pytest.raises(error, match=text):
        plan_day(demo_session, region=region, day=PLAN_DAY, osm=planning_osm, options=_options())
