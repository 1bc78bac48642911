"""Reading a stored route: every stop at the point stored for it, and no street graph loaded."""

from __future__ import annotations

import subprocess
import sys

from shapely.geometry import Point
from sqlalchemy import select, update
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.planning.persist import publish_routes
from sitecrew.services.planning.read import crew_route
from sitecrew.services.planning.runs import plan_day

MOVE = 0.01  # degrees: about 1 km east and north of where the target was


def _plan(session, osm):
    options = PlanOptions(seed=3, time_limit_s=None, max_iterations=50)
    return plan_day(session, region="oslo", day=PLAN_DAY, osm=osm, options=options)


def _stored_routes(session, outcome):
    return [crew_route(session, int(r.crew_id), PLAN_DAY) for r in outcome.solved.plan.routes]


def _target_point(session, job_id):
    """Return a job's target point as it is in the database now."""
    query = (
        select(m.Furniture.location, m.Apartment.location, m.Site.location)
        .select_from(m.Job)
        .outerjoin(m.Furniture, m.Furniture.id == m.Job.furniture_id)
        .outerjoin(m.Apartment, m.Apartment.id == m.Job.apartment_id)
        .outerjoin(m.Site, m.Site.id == m.Job.site_id)
        .where(m.Job.id == job_id)
    )
    return from_db_geometry(next(p for p in session.execute(query).one() if p is not None))


def _depot_point(session, crew_id):
    query = select(m.Depot.location).join(m.Crew, m.Crew.depot_id == m.Depot.id)
    return from_db_geometry(session.scalar(query.where(m.Crew.id == crew_id)))


def _assert_at(point, expected):
    assert point is not None
    assert abs(point.x - expected.x) < 1e-6
    assert abs(point.y - expected.y) < 1e-6


def _assert_stops_at_their_places(session, route):
    """Jobs at their targets, start and end at the depot, a break where the crew was."""
    depot = _depot_point(session, route.crew_id)
    for before, stop in zip((None, *route.stops), route.stops, strict=False):
        if stop.kind is StopKind.JOB:
            _assert_at(stop.location, _target_point(session, stop.job_id))
        elif stop.kind is StopKind.BREAK:
            _assert_at(stop.location, before.location)
        else:
            _assert_at(stop.location, depot)


def test_every_stop_has_its_point_when_a_demo_day_is_planned(demo_session, planning_osm):
    """Jobs sit at their targets, start and end at the depot, a break where the crew was."""
    routes = _stored_routes(demo_session, _plan(demo_session, planning_osm))
    assert routes
    for route in routes:
        _assert_stops_at_their_places(demo_session, route)


def test_a_published_stop_stays_put_when_its_target_is_moved(demo_session, planning_osm):
    """Moving a furniture item and an apartment after publishing does not move their stops."""
    outcome = _plan(demo_session, planning_osm)
    publish_routes(demo_session, outcome.run_id)
    stops = [s for r in _stored_routes(demo_session, outcome) for s in r.stops if s.target]
    moved = {
        "furniture": next(s for s in stops if s.target.furniture_id is not None),
        "apartment": next(s for s in stops if s.target.apartment_id is not None),
    }
    for kind, stop in moved.items():
        model = m.Furniture if kind == "furniture" else m.Apartment
        row = demo_session.get(model, getattr(stop.target, f"{kind}_id"))
        row.location = to_db_geometry(Point(stop.location.x + MOVE, stop.location.y + MOVE))
    demo_session.flush()
    demo_session.expire_all()
    for stop in moved.values():
        now = _target_point(demo_session, stop.job_id)
        assert now.distance(stop.location) > MOVE
        again = crew_route(demo_session, _crew_of(outcome, stop.job_id), PLAN_DAY)
        (read,) = [s for s in again.stops if s.job_id == stop.job_id]
        assert read.location.equals(stop.location)


def _crew_of(outcome, job_id):
    return next(int(r.crew_id) for r in outcome.solved.plan.routes if str(job_id) in r.job_ids)


def test_stops_fall_back_to_todays_places_when_stored_without_points(demo_session, planning_osm):
    """A route stored before stop points (location NULL) shows targets and depot as they are."""
    outcome = _plan(demo_session, planning_osm)
    route_id = outcome.route_ids[0]
    demo_session.execute(
        update(m.RouteStop).where(m.RouteStop.route_id == route_id).values(location=None)
    )
    demo_session.expire_all()
    crew_id = demo_session.get(m.Route, route_id).crew_id
    _assert_stops_at_their_places(demo_session, crew_route(demo_session, crew_id, PLAN_DAY))


def test_no_street_stack_is_imported_when_a_route_is_read_or_exported():
    """Importing the read and export modules loads neither osmnx, networkx nor the street layer."""
    code = (
        "import sys\n"
        "import sitecrew.services.planning.read, sitecrew.services.planning.exports\n"
        "print(sorted(n for n in ('osmnx', 'networkx', 'sitecrew.streets') if n in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
