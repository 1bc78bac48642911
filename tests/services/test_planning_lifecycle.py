"""Publishing, re-planning during the day, and jobs that cannot be planned, on the demo world."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import Point
from sqlalchemy import select
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.crews import Skill
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import (
    Appointment,
    AppointmentStatus,
    Job,
    JobKind,
    JobStatus,
    JobTarget,
    TimeWindow,
)
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import PlanOptions, RouteState
from sitecrew.domain.sites import Site, SiteKind
from sitecrew.errors import ConflictError
from sitecrew.routing.check import violations_in
from sitecrew.services import jobs, sites
from sitecrew.services.planning.exports import route_to_geojson, route_to_gpx
from sitecrew.services.planning.persist import publish_routes
from sitecrew.services.planning.read import crew_route, unassigned_for_run
from sitecrew.services.planning.runs import plan_day

OSLO = ZoneInfo("Europe/Oslo")


def _plan(session, osm, *, seed=3, now=None):
    options = PlanOptions(seed=seed, time_limit_s=None, max_iterations=150, now=now)
    return plan_day(session, region="oslo", day=PLAN_DAY, osm=osm, options=options)


def _statuses(session, job_ids):
    rows = session.execute(
        select(m.Job.id, m.Job.status, m.Job.version).where(m.Job.id.in_(job_ids))
    )
    return {job_id: (status, version) for job_id, status, version in rows}


def test_jobs_become_scheduled_when_routes_are_published(demo_session, planning_osm):
    """Publishing makes the run's routes the crews' routes and schedules their jobs."""
    outcome = _plan(demo_session, planning_osm)
    planned = [int(j) for j in outcome.solved.plan.assigned_job_ids]
    before = _statuses(demo_session, planned)
    assert publish_routes(demo_session, outcome.run_id) == len(outcome.route_ids)
    after = _statuses(demo_session, planned)
    assert {s for s, _ in after.values()} == {JobStatus.SCHEDULED.value}
    assert all(after[j][1] == before[j][1] + 1 for j in planned)
    crew_id = int(outcome.solved.plan.routes[0].crew_id)
    assert crew_route(demo_session, crew_id, PLAN_DAY).state is RouteState.PUBLISHED
    with pytest.raises(ConflictError, match="no draft routes"):
        publish_routes(demo_session, outcome.run_id)


def test_older_routes_are_superseded_when_a_new_plan_is_published(demo_session, planning_osm):
    """A second published plan supersedes the first; jobs it dropped are open again.

    A re-plan keeps what the current route can keep, so the second plan is given a reason to
    drop work: the first route's crew may now do one job only.
    """
    first = _plan(demo_session, planning_osm, seed=3)
    publish_routes(demo_session, first.run_id)
    crew_id = int(next(r for r in first.solved.plan.routes if len(r.job_ids) > 1).crew_id)
    demo_session.get(m.Crew, crew_id).max_jobs_per_day = 1
    demo_session.flush()
    second = _plan(demo_session, planning_osm, seed=4)
    assert crew_route(demo_session, crew_id, PLAN_DAY).run_id == first.run_id
    publish_routes(demo_session, second.run_id)
    assert crew_route(demo_session, crew_id, PLAN_DAY).run_id == second.run_id
    old = demo_session.scalars(select(m.Route.status).where(m.Route.run_id == first.run_id))
    assert set(old) == {RouteState.SUPERSEDED.value}
    dropped = first.solved.plan.assigned_job_ids - second.solved.plan.assigned_job_ids
    assert dropped
    states = _statuses(demo_session, [int(j) for j in dropped])
    assert {s for s, _ in states.values()} == {JobStatus.OPEN.value}


def test_started_work_stays_fixed_when_replanning_during_the_day(demo_session, planning_osm):
    """Re-planning at mid-morning keeps a crew's done and in-progress stops exactly as they were."""
    first = _plan(demo_session, planning_osm)
    publish_routes(demo_session, first.run_id)
    route = next(r for r in first.solved.plan.routes if len(r.job_ids) >= 3)
    done, busy = (int(j) for j in route.job_ids[:2])
    for job_id, steps in (
        (done, (JobStatus.IN_PROGRESS, JobStatus.DONE)),
        (busy, (JobStatus.IN_PROGRESS,)),
    ):
        for status in steps:
            version = demo_session.get(m.Job, job_id).version
            command = ChangeJobStatus(job_id, status, version)
            jobs.change_job_status(demo_session, Principal(Role.ADMIN), command)
    started = [s for s in route.stops if s.job_id in {str(done), str(busy)}]
    now = first.solved.day.clock.moment(started[-1].start_s + 60)
    second = _plan(demo_session, planning_osm, seed=5, now=now)
    assert violations_in(second.solved.problem, second.solved.plan) == ()
    again = second.solved.plan.route_for(route.crew_id)
    kept = [(s.job_id, s.arrival_s, s.departure_s) for s in again.stops if s.fixed]
    assert kept == [(s.job_id, s.arrival_s, s.departure_s) for s in started]
    later = [s for s in again.stops if not s.fixed]
    assert all(s.arrival_s >= first.solved.day.clock.seconds(now) for s in later)
    others = {j for r in second.solved.plan.routes if r.crew_id != route.crew_id for j in r.job_ids}
    assert str(done) not in others
    assert str(busy) not in others


def test_each_impossible_job_gets_its_reason_when_the_day_is_planned(demo_session, planning_osm):
    """Jobs off the streets, needing a skill mix nobody has, or booked at dawn are explained."""
    region = demo_session.scalars(select(m.Region)).one()
    far = sites.add_site(
        demo_session, Site("Hovedøya pier", SiteKind.PARK, Point(10.60, 59.95), region.id)
    )
    near = demo_session.scalars(select(m.Site).order_by(m.Site.id)).first()

    def job(kind, skills, site_id):
        return jobs.add_job(
            demo_session,
            Job(
                kind, JobTarget(site_id=site_id), region.id, 20, frozenset(skills), due_on=PLAN_DAY
            ),
        )

    off_street = job(JobKind.INSPECT, {Skill.INSPECTION}, far.id)
    no_skill = job(JobKind.REPAIR, {Skill.CARPENTRY, Skill.MEDIA_BOX}, near.id)
    dawn = job(JobKind.INSPECT, {Skill.INSPECTION}, near.id)
    opens = datetime(2026, 6, 2, 5, 0, tzinfo=OSLO)
    jobs.add_appointment(
        demo_session,
        Appointment(
            dawn.id, TimeWindow(opens, opens + timedelta(hours=1)), AppointmentStatus.CONFIRMED
        ),
    )
    outcome = _plan(demo_session, planning_osm)
    reasons = {u.job_id: u.reason for u in unassigned_for_run(demo_session, outcome.run_id)}
    assert reasons[str(off_street.id)] is UnassignedReason.UNREACHABLE
    assert reasons[str(no_skill.id)] is UnassignedReason.SKILL
    assert reasons[str(dawn.id)] is UnassignedReason.TIME_WINDOW


def test_route_exports_follow_the_stored_legs_when_exported(demo_session, planning_osm):
    """GeoJSON and GPX of a stored route carry its road legs and every stop at its point."""
    outcome = _plan(demo_session, planning_osm)
    route = crew_route(demo_session, int(outcome.solved.plan.routes[0].crew_id), PLAN_DAY)
    collection = route_to_geojson(route)
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in collection["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == len(route.stops) - 1
    assert [p["properties"]["sequence"] for p in points] == [s.sequence for s in route.stops]
    assert [p["geometry"]["coordinates"] for p in points] == [
        (s.location.x, s.location.y) for s in route.stops
    ]
    jobs = [p["properties"]["job_id"] for p in points if p["properties"]["kind"] == "job"]
    assert jobs == list(route.job_ids)
    gpx = route_to_gpx(route)
    assert gpx.count("<trkseg>") == len(lines)
    assert gpx.count("<wpt ") == len(route.stops)
    assert route.crew_name in gpx
