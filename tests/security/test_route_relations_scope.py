"""A crew's route answers its stops' relations and private details in the route's own read.

``crewRoute`` reads what its stops lead to (jobs, apartments, furniture models...) and whether
the caller sees the places' door codes and tenants in the same call as the route, with scope
clauses that are kept per token, kind and day. These tests attack that shortcut: it must
answer exactly what reading each relation on its own answers, follow the crew's clock from one
day to the next, and still refuse another crew's route. On both backends, rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.services import scoping

ROUTE = """query R($crew: ID!, $date: Date!) { crewRoute(crewId: $crew, date: $date) {
  stops { job { id } apartment { id unit accessNotes tenant { name phone }
    building { address } } } } }"""
APARTMENT = "query A($id: ID!) { apartment(id: $id) { accessNotes tenant { name phone } } }"
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def crew(api_world) -> Principal:
    return Principal(Role.CREW, crew_id=api_world.crew_id, timezone="Europe/Oslo")


def _today() -> date:
    return datetime.now(OSLO).date()


def _visit_tomorrow(session, crew_id: int) -> int:
    """Publish a route of tomorrow for the crew to a flat no job is about; return the flat."""
    flat = session.scalar(
        select(m.Apartment)
        .where(
            m.Apartment.id.not_in(select(m.Job.apartment_id).where(m.Job.apartment_id.is_not(None)))
        )
        .order_by(m.Apartment.id)
        .limit(1)
    )
    flat.access_notes, flat.tenant_name, flat.tenant_phone = "door 2222", "Tomorrow", "+47 2"
    job = m.Job(
        region_id=session.scalar(select(m.Region.id)),
        kind="inspect",
        duration_minutes=30,
        required_skills=[],
        priority=3,
        status="scheduled",
        apartment_id=flat.id,
    )
    route = m.Route(crew_id=crew_id, service_date=_today() + timedelta(days=1), status="published")
    session.add_all([job, route])
    session.flush()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    session.add(
        m.RouteStop(
            route_id=route.id,
            sequence=1,
            kind="job",
            job_id=job.id,
            arrival_at=start,
            departure_at=start + timedelta(minutes=30),
        )
    )
    return flat.id


def _apartments(call, principal: Principal, crew_id: int, day: date) -> list:
    data = call.data(principal, ROUTE, crew=crew_id, date=day.isoformat())
    return [stop["apartment"] for stop in data["crewRoute"]["stops"]]


def test_a_crew_sees_door_codes_and_tenants_of_todays_visits_only(call, crew, api_world):
    """Today's flat shows its code and tenant; tomorrow's flat is reachable but shows neither."""
    with call.sessions.begin() as session:
        today_flat = session.get(m.Apartment, api_world.visited_apartment_id)
        today_flat.access_notes, today_flat.tenant_name, today_flat.tenant_phone = (
            "door 1111",
            "Today",
            "+47 1",
        )
        tomorrow_flat = _visit_tomorrow(session, crew.crew_id)
    [today] = _apartments(call, crew, crew.crew_id, _today())
    assert today["id"] == str(api_world.visited_apartment_id)
    assert today["accessNotes"] == "door 1111"
    assert today["tenant"] == {"name": "Today", "phone": "+47 1"}
    [tomorrow] = _apartments(call, crew, crew.crew_id, _today() + timedelta(days=1))
    assert tomorrow["id"] == str(tomorrow_flat)
    assert tomorrow["unit"]
    assert tomorrow["accessNotes"] is None
    assert tomorrow["tenant"] is None
    # The route answers what reading the flat on its own answers.
    for flat, stop in ((api_world.visited_apartment_id, today), (tomorrow_flat, tomorrow)):
        alone = call.data(crew, APARTMENT, id=flat)["apartment"]
        assert alone == {"accessNotes": stop["accessNotes"], "tenant": stop["tenant"]}


def test_the_crews_reach_moves_with_its_clock_although_its_clauses_are_kept(
    call, crew, api_world, monkeypatch
):
    """Once the crew's today has passed, today's job, flat and door code are out of its reach."""
    with call.sessions.begin() as session:
        session.get(m.Apartment, api_world.visited_apartment_id).access_notes = "door 1111"
    today = _today()
    assert _apartments(call, crew, crew.crew_id, today)[0]["accessNotes"] == "door 1111"
    monkeypatch.setattr(scoping, "crew_today", lambda _principal, **_clock: today + timedelta(1))
    body = call.data(crew, ROUTE, crew=crew.crew_id, date=today.isoformat())
    assert body["crewRoute"]["stops"] == [{"job": None, "apartment": None}]
    monkeypatch.undo()
    [stop] = call.data(crew, ROUTE, crew=crew.crew_id, date=today.isoformat())["crewRoute"]["stops"]
    assert stop["job"] == {"id": str(api_world.route_job_id)}
    assert stop["apartment"]["accessNotes"] == "door 1111"


def test_another_crew_cannot_read_the_route_or_its_relations(call, crew, api_world):
    """Asking for a crew's route with relations as another crew is NotFound, nothing leaks."""
    other = Principal(Role.CREW, crew_id=api_world.other_crew_id, timezone="Europe/Oslo")
    body = call(other, ROUTE, crew=crew.crew_id, date=_today().isoformat())
    assert body.errors is not None
    assert body.errors[0].extensions["code"] == "NOT_FOUND"
    assert body.data is None or body.data["crewRoute"] is None
