"""A crew's route and the crews/jobs view cost a fixed number of SQL statements (no N+1).

A route is read in one statement (the crew, its day's route and the stops with what each job is
about), and each relation its stops are asked for is one statement more, whatever the number of
stops. The crews-and-installations view of the API benchmark (``nested``) costs the
same for 2 jobs as for 40. Counted on the app's own engine, minus what any request costs
(authentication) and the background sweep of abandoned planning runs.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from shapely.geometry import LineString, Point
from sqlalchemy import delete, event, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry

ROUTE = """query C($crew: ID!, $date: Date!) { crewRoute(crewId: $crew, date: $date) {
  status crewName stops { sequence kind eta label address lon lat leg
    job { id kind status }
    apartment { unit floor accessNotes tenant { name phone } building { address } }
    furniture { serial conditionGrade model { name } }
    site { name accessNotes }
    building { address } } } }"""
NESTED = """query N($first: Int!) { crews(first: 13) { nodes { name depot { name lon lat }
  members { name role } } }
  jobs(filter: {kind: INSTALL_MEDIA_BOX, status: OPEN}, first: $first) { nodes { id dueOn
    apartment { unit lon lat building { address } } appointments { windowStart windowEnd } } } }"""
#: Far from any day other tests plan or read.
FEW_DAY, MANY_DAY = date(2031, 3, 4), date(2031, 3, 5)
#: The crew with the two routes (not the one whose routes other tests read).
CREW_NAME_LIKE = "Installers%"

#: The crew with its route and stops, then one per relation: jobs, apartments, buildings,
#: furniture, sites; then furniture models (under furniture) and who may see private details
#: (access notes, tenants) of the apartments and of the sites.
ROUTE_STATEMENTS = 9
#: Crews, jobs, depots, members, apartments, appointments, buildings.
NESTED_STATEMENTS = 7


@contextmanager
def _counting(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "api_tokens" not in statement and "planning_runs" not in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _reads(client, gql, query: str, **variables: object) -> tuple[int, dict]:
    with _counting(client.app.state.engine) as statements:
        data = gql.data("planner", query, **variables)
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements), data


@pytest.fixture
def two_routes(world_sessions):
    """A route of 2 job stops and one of 12 (furniture and apartment jobs) for one crew."""
    with world_sessions.begin() as session:
        crew = session.scalars(
            select(m.Crew).where(m.Crew.name.like(CREW_NAME_LIKE)).order_by(m.Crew.id.desc())
        ).first()
        furniture_jobs = list(
            session.scalars(
                select(m.Job.id).where(m.Job.furniture_id.is_not(None)).order_by(m.Job.id)
            )
        )[:6]
        apartment_jobs = list(
            session.scalars(
                select(m.Job.id).where(m.Job.apartment_id.is_not(None)).order_by(m.Job.id)
            )
        )[:6]
        mixed = [job for pair in zip(furniture_jobs, apartment_jobs, strict=True) for job in pair]
        routes = [
            _route(session, crew.id, FEW_DAY, mixed[:2]),
            _route(session, crew.id, MANY_DAY, mixed),
        ]
        crew_id = crew.id
    yield crew_id
    with world_sessions.begin() as session:
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(routes)))
        session.execute(delete(m.Route).where(m.Route.id.in_(routes)))


def _route(session, crew_id: int, day: date, job_ids: list[int]) -> int:
    route = m.Route(crew_id=crew_id, service_date=day, status="published")
    session.add(route)
    session.flush()
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    kinds = ["start", *(["job"] * len(job_ids)), "end"]
    jobs = [None, *job_ids, None]
    for sequence, (kind, job_id) in enumerate(zip(kinds, jobs, strict=True)):
        moment = start + timedelta(minutes=30 * sequence)
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=sequence,
                kind=kind,
                job_id=job_id,
                arrival_at=moment,
                departure_at=moment + timedelta(minutes=20),
                location=to_db_geometry(Point(10.75, 59.91 + sequence / 1000)),
                leg=to_db_geometry(LineString([(10.75, 59.91), (10.76, 59.92)])),
            )
        )
    return route.id


def test_a_route_costs_the_same_statements_for_2_stops_as_for_12(client, gql, two_routes):
    few, few_data = _reads(client, gql, ROUTE, crew=two_routes, date=FEW_DAY.isoformat())
    many, many_data = _reads(client, gql, ROUTE, crew=two_routes, date=MANY_DAY.isoformat())
    stops = many_data["crewRoute"]["stops"]
    assert len(few_data["crewRoute"]["stops"]) == 4
    assert len(stops) == 14
    assert sum(stop["furniture"] is not None for stop in stops) == 6
    assert sum(stop["apartment"] is not None for stop in stops) == 6
    assert all(stop["job"] is not None for stop in stops if stop["kind"] == "JOB")
    assert few == many == ROUTE_STATEMENTS


def test_the_crews_and_installations_view_costs_the_same_for_2_jobs_as_for_40(client, gql):
    few, few_data = _reads(client, gql, NESTED, first=2)
    many, many_data = _reads(client, gql, NESTED, first=40)
    assert len(few_data["jobs"]["nodes"]) == 2
    assert len(many_data["jobs"]["nodes"]) == 40
    assert few == many == NESTED_STATEMENTS
