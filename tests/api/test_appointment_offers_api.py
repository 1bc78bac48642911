"""appointmentOffers through GraphQL, on both backends, in the small real-OSM offers world.

The world (``tests.services.offers_world``): Monday is planned and published, so the own crew's
day holds a confirmed job filling 10:00-12:00 with its lunch fixed at 12:00; Tuesday is empty.
Operations execute the schema on a rolled-back session (convention 20).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from tests.security.schema_calls import SchemaCaller
from tests.services.offers_world import MONDAY, OSLO, TUESDAY, build_offers_world

from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.planning.runs import plan_day

OFFERS = """query O($apartment: ID!, $from: Date!, $to: Date!, $limit: Int! = 50) {
  appointmentOffers(apartmentId: $apartment, from: $from, to: $to, limit: $limit) {
    date windowStart windowEnd crewId crewName extraTravelSeconds extraTimeSeconds
    sameBuilding } }"""
ADMIN = Principal(Role.ADMIN)


@pytest.fixture(scope="module")
def osm(osm_dir, tmp_path_factory) -> OsmSettings:
    """The real extracts, with a graph cache of this module's own."""
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("offer-graphs"))


@contextmanager
def _caller(engine, osm: OsmSettings):
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(
        database=DatabaseSettings(url=str(engine.url)), osm=osm, server=ServerSettings()
    )
    try:
        yield SchemaCaller(sessions, settings)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def call(engine, osm):
    with _caller(engine, osm) as caller:
        yield caller


@pytest.fixture
def world(call, osm):
    with call.sessions.begin() as session:
        world = build_offers_world(session)
        options = PlanOptions(seed=1, time_limit_s=None, max_iterations=300, publish=True)
        plan_day(session, region=world.region_id, day=MONDAY, osm=osm, options=options)
    return world


def offers(call, apartment: int, principal: Principal = ADMIN, **more) -> list[dict]:
    variables = {"apartment": str(apartment), "from": str(MONDAY), "to": str(TUESDAY), **more}
    return call.data(principal, OFFERS, **variables)["appointmentOffers"]


def _local(offer: dict, key: str = "windowStart") -> datetime:
    return datetime.fromisoformat(offer[key]).astimezone(OSLO)


def _starts(found: list[dict], day) -> set[int]:
    return {_local(o).hour for o in found if o["date"] == str(day)}


def test_no_window_breaks_the_confirmed_appointment_that_fills_ten_to_twelve(call, world):
    """Monday 10-12 is taken by a two-hour confirmed job; Tuesday 10-12 is free."""
    found = offers(call, world.other_west_flats[0])
    assert 10 not in _starts(found, MONDAY)
    assert 10 in _starts(found, TUESDAY)
    assert 8 in _starts(found, MONDAY)  # before the booked job there is room


def test_the_lunch_break_right_after_the_booking_closes_the_window_behind_it(call, world):
    """Lunch must start at 12:00 on Monday, after the job ending 12:00: no 11-13 that day."""
    found = offers(call, world.other_west_flats[0])
    assert 11 not in _starts(found, MONDAY)
    assert 11 in _starts(found, TUESDAY)


def test_every_window_lies_inside_the_shift_and_is_two_hours(call, world):
    """Shifts run 08:00-16:00: windows 08-10 ... 14-16, never outside."""
    found = offers(call, world.other_west_flats[0])
    assert found
    for offer in found:
        start, end = _local(offer), _local(offer, "windowEnd")
        assert end - start == timedelta(hours=2)
        assert start.hour >= 8
        assert (end.hour, end.minute) <= (16, 0)


def test_offers_come_cheapest_first_and_same_building_ones_before_the_rest(call, world):
    """A flat in the booked job's building gets the windows next to that job first."""
    found = offers(call, world.west_flats[0])
    keys = [(not o["sameBuilding"], o["extraTimeSeconds"]) for o in found]
    assert keys == sorted(keys)
    assert found[0]["sameBuilding"] is True
    assert found[0]["date"] == str(MONDAY)
    elsewhere = offers(call, world.other_west_flats[0])
    assert not any(o["sameBuilding"] for o in elsewhere)


def test_the_contractors_crew_is_never_offered_outside_its_districts(call, world):
    """The west is not the contractor's: only the own crew is offered there."""
    found = offers(call, world.other_west_flats[0])
    assert found
    assert {o["crewId"] for o in found} == {str(world.own_crew_id)}


def test_a_contractor_asks_only_for_flats_in_its_districts(call, world):
    """A contractor token gets offers in the east and NOT_FOUND for a west flat."""
    contractor = Principal(Role.CONTRACTOR, organisation_id=world.contractor_id)
    assert offers(call, world.east_flats[0], contractor)
    result = call(
        contractor,
        OFFERS,
        apartment=str(world.west_flats[0]),
        **{"from": str(MONDAY)},
        to=str(TUESDAY),
    )
    assert result.errors[0].extensions["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("principal", "code"),
    [
        (Principal(Role.CREW, crew_id=1), "FORBIDDEN"),
        (Principal(Role.PLANNER, region_id=10**6), "NOT_FOUND"),
    ],
    ids=["crew", "planner-of-another-region"],
)
def test_a_principal_without_rights_gets_a_typed_error(call, world, principal, code):
    """Crews may not book; another region's planner cannot even see the flat."""
    variables = {"apartment": str(world.west_flats[0]), "from": str(MONDAY), "to": str(TUESDAY)}
    result = call(principal, OFFERS, **variables)
    assert result.data is None
    assert result.errors[0].extensions["code"] == code


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"from": str(TUESDAY), "to": str(MONDAY)}, "after 'to'"),
        ({"to": str(MONDAY + timedelta(days=14))}, "at most 14 days"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
        ({"apartment": "not-a-number"}, "apartment"),
    ],
    ids=["from-after-to", "horizon-too-long", "limit-zero", "limit-too-large", "bad-id"],
)
def test_bad_input_gets_an_invalid_input_error(call, world, change, words):
    """Backwards days, a 15-day horizon, a silly limit or id: INVALID_INPUT naming the problem."""
    variables = {"apartment": str(world.west_flats[0]), "from": str(MONDAY), "to": str(TUESDAY)}
    result = call(ADMIN, OFFERS, **{**variables, **change})
    assert result.errors[0].extensions["code"] == "INVALID_INPUT"
    assert words in result.errors[0].message


def test_an_unknown_apartment_is_not_found(call, world):
    """An id nobody has: NOT_FOUND, as for a flat the caller may not see."""
    variables = {"apartment": str(10**9), "from": str(MONDAY), "to": str(TUESDAY)}
    result = call(ADMIN, OFFERS, **variables)
    assert result.errors[0].extensions["code"] == "NOT_FOUND"


def test_a_region_without_a_street_graph_is_refused_with_a_reason(call, world):
    """The other region names no street graph: INVALID_INPUT, not a crash."""
    variables = {"apartment": str(world.far_flat), "from": str(MONDAY), "to": str(TUESDAY)}
    result = call(ADMIN, OFFERS, **variables)
    assert result.errors[0].extensions["code"] == "INVALID_INPUT"
    assert "street graph" in result.errors[0].message


def test_windows_already_begun_are_not_offered(call, world):
    """Asking about days in the past answers nothing rather than promising the past."""
    past = {"from": str(MONDAY - timedelta(days=400)), "to": str(MONDAY - timedelta(days=390))}
    assert offers(call, world.west_flats[0], **past) == []
