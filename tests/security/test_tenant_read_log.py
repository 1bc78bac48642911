"""Every staff read of tenants' data leaves one line in the personal-data log; only admins read it.

Through the schema on a rolled-back session of the API world (both backends): reads through
variables, fragments and aliases are logged once per operation with the fields and apartments
they showed; reads that show no tenant data, and a tenant's own reads, leave nothing; a read whose
line cannot be written is withheld. Over a real WebSocket: a crew's followed route is logged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text
from tests.api.conftest import make_client
from tests.security.schema_calls import schema_caller
from tests.security.test_websocket import bearer, socket

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Principal, Role

ADMIN = Principal(Role.ADMIN, token_id=1)
LOG = """query Log($apartment: ID, $actor: String, $first: Int, $after: String, $since: DateTime) {
  personalDataLog(apartmentId: $apartment, actor: $actor, first: $first, after: $after,
                  since: $since) {
    id cursor actor action subject apartmentIds fields
  }
}"""
BY_VARIABLES = (
    """query Flat($id: ID!) { apartment(id: $id) { unit tenant { name phone } accessNotes } }"""
)
BY_FRAGMENTS = """
query Two($a: ID!, $b: ID!) {
  first: apartment(id: $a) { ...Flat }
  second: apartment(id: $b) { ...Flat again: tenant { mail: email } }
}
fragment Flat on Apartment { id tenant { ... on TenantContact { email } } }
"""
NO_TENANT_DATA = (
    "query Bare($id: ID!) { apartment(id: $id) { id unit floor building { address } } }"
)
TENANT = ("Kari Loggen", "+47 411 11 111", "kari.loggen@example.no")


@pytest.fixture
def caller(api_world):
    with schema_caller(api_world.url) as calls:
        yield calls


@pytest.fixture
def flats(caller, api_world) -> tuple[int, int]:
    """The crew's visited apartment and another one, each with a tenant and access notes.

    The log starts empty (in the test's rolled-back transaction): the API world is shared, and
    lines other modules' reads left in it must not count as this test's.
    """
    ids = (api_world.visited_apartment_id, api_world.unvisited_apartment_id)
    with caller.sessions() as session:
        session.execute(delete(m.PersonalDataSubject))
        session.execute(delete(m.PersonalDataEvent))
        for apartment_id in ids:
            apartment = session.get(m.Apartment, apartment_id)
            apartment.tenant_name, apartment.tenant_phone, apartment.tenant_email = TENANT
            apartment.access_notes = "code 4711"
        session.commit()
    return ids


def _planner(world) -> Principal:
    return Principal(Role.PLANNER, token_id=2, region_id=world.region_id)


def _reads(caller, apartment_id: int) -> list[dict]:
    lines = caller.data(ADMIN, LOG, apartment=str(apartment_id))["personalDataLog"]
    return [line for line in lines if line["action"] == "read"]


def _lines(caller) -> int:
    with caller.sessions() as session:
        return session.scalar(select(func.count()).select_from(m.PersonalDataEvent))


def test_a_read_through_variables_leaves_one_line_naming_who_what_and_how(caller, api_world, flats):
    """The line names the token, the operation and the fields shown, never the values."""
    answer = caller.data(_planner(api_world), BY_VARIABLES, id=str(flats[0]))
    assert answer["apartment"]["tenant"]["name"] == TENANT[0]

    [line] = _reads(caller, flats[0])
    assert line["actor"] == "api:planner:token/2"
    assert line["subject"] == "graphql query Flat: apartment"
    assert line["apartmentIds"] == [str(flats[0])]
    assert line["fields"] == ["accessNotes", "tenant.name", "tenant.phone"]
    assert TENANT[0] not in str(line)
    assert TENANT[1] not in str(line)


def test_fragments_and_aliases_are_one_line_listing_every_apartment(caller, api_world, flats):
    """Two aliased apartments through named and inline fragments: one line, both subjects."""
    before = _lines(caller)
    data = caller.data(_planner(api_world), BY_FRAGMENTS, a=str(flats[0]), b=str(flats[1]))
    assert data["second"]["again"]["mail"] == TENANT[2]
    assert _lines(caller) == before + 1

    [line] = _reads(caller, flats[1])
    assert line["apartmentIds"] == sorted([str(flats[0]), str(flats[1])], key=int)
    assert line["fields"] == ["tenant.email"]
    assert line == _reads(caller, flats[0])[0]


def test_a_crew_reading_its_route_of_today_is_logged(caller, api_world, flats):
    crew = Principal(Role.CREW, token_id=5, crew_id=api_world.crew_id, timezone="Europe/Oslo")
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    route = caller.data(
        crew,
        """query Day($d: Date!) { myRoute(date: $d) {
             stops { apartment { tenant { name phone } } } } }""",
        d=today,
    )["myRoute"]
    assert any(s["apartment"] and s["apartment"]["tenant"] for s in route["stops"])

    [line] = _reads(caller, flats[0])
    assert line["actor"] == "api:crew:token/5"
    assert line["subject"] == "graphql query Day: myRoute"
    assert line["fields"] == ["tenant.name", "tenant.phone"]


@pytest.mark.parametrize(
    "who",
    [
        "planner_without_tenant_fields",
        "contractor_sees_nulls",
        "crew_not_visiting",
        "tenant_of_the_flat",
        "tenant_of_another_flat",
    ],
)
def test_answers_without_tenant_data_leave_no_line(caller, api_world, flats, who):
    """Only a shown value is a read: nulls, other fields and tenants' own calls log nothing."""
    before = _lines(caller)
    tenant = Principal(Role.TENANT, token_id=9, apartment_id=flats[0], campaign_id=1)
    calls = {
        "planner_without_tenant_fields": (_planner(api_world), NO_TENANT_DATA, flats[0]),
        "contractor_sees_nulls": (
            Principal(Role.CONTRACTOR, token_id=3, organisation_id=api_world.contractor_id),
            BY_VARIABLES,
            flats[0],
        ),
        "crew_not_visiting": (
            Principal(Role.CREW, token_id=6, crew_id=api_world.other_crew_id),
            BY_VARIABLES,
            flats[0],
        ),
        "tenant_of_the_flat": (tenant, BY_VARIABLES, flats[0]),
        "tenant_of_another_flat": (tenant, BY_VARIABLES, flats[1]),
    }
    principal, query, apartment_id = calls[who]
    result = caller(principal, query, id=str(apartment_id))
    shown = (result.data or {}).get("apartment") or {}
    assert shown.get("tenant") is None
    assert shown.get("accessNotes") is None
    assert TENANT[0] not in str(result.data)
    assert _lines(caller) == before


def test_a_tenant_link_sees_no_other_tenant_under_any_id(caller, api_world, flats):
    """Under the tenant role every apartment, job and log query answers nothing personal."""
    tenant = Principal(Role.TENANT, token_id=9, apartment_id=flats[0], campaign_id=1)
    own = caller(tenant, BY_VARIABLES, id=str(flats[0]))
    assert own.data["apartment"]["tenant"] is None  # its own flat, without the person
    for apartment_id in (flats[1], 1, 2147483647):
        result = caller(tenant, BY_VARIABLES, id=str(apartment_id))
        assert TENANT[0] not in str(result.data)
        assert [e.extensions["code"] for e in result.errors] == ["NOT_FOUND"]
    listing = caller(tenant, "{ apartments(first: 500) { nodes { tenant { name } } } }")
    assert TENANT[0] not in str(listing.data)


@pytest.mark.parametrize("role", [Role.PLANNER, Role.CREW, Role.CONTRACTOR, Role.TENANT])
def test_only_admins_read_the_log(caller, api_world, flats, role):
    caller.data(_planner(api_world), BY_VARIABLES, id=str(flats[0]))
    principal = {
        Role.PLANNER: _planner(api_world),
        Role.CREW: Principal(Role.CREW, crew_id=api_world.crew_id, timezone="Europe/Oslo"),
        Role.CONTRACTOR: Principal(Role.CONTRACTOR, organisation_id=api_world.contractor_id),
        Role.TENANT: Principal(Role.TENANT, apartment_id=flats[0], campaign_id=1),
    }[role]
    refused = caller(principal, LOG, apartment=str(flats[0]))
    assert refused.data is None
    assert [e.extensions["code"] for e in refused.errors] == ["FORBIDDEN"]


def test_the_log_filters_by_actor_and_time_and_pages_back(caller, api_world, flats):
    planner = _planner(api_world)
    for _ in range(3):
        caller.data(planner, BY_VARIABLES, id=str(flats[1]))
    caller.data(ADMIN, BY_VARIABLES, id=str(flats[1]))
    mine = caller.data(ADMIN, LOG, apartment=str(flats[1]), actor="api:planner:token/2")
    assert len(mine["personalDataLog"]) == 3
    page = caller.data(ADMIN, LOG, apartment=str(flats[1]), first=2)["personalDataLog"]
    assert [line["actor"] for line in page] == ["api:admin:token/1", "api:planner:token/2"]
    older = caller.data(ADMIN, LOG, apartment=str(flats[1]), first=10, after=page[-1]["cursor"])
    assert [int(line["id"]) for line in older["personalDataLog"]][:2] == sorted(
        [int(line["id"]) for line in mine["personalDataLog"][1:]], reverse=True
    )
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert caller.data(ADMIN, LOG, apartment=str(flats[1]), since=future)["personalDataLog"] == []
    bad = caller(ADMIN, LOG, after="not-a-cursor")
    assert bad.errors[0].extensions["code"] == "BAD_CURSOR"


def test_a_read_whose_line_cannot_be_written_is_withheld(caller, api_world, flats):
    """Fail closed: without its log line the tenant's data is not answered (UNAVAILABLE)."""
    with caller.sessions() as session:
        session.execute(text("DROP TABLE personal_data_subjects"))  # rolled back with the test
        session.commit()
    result = caller(_planner(api_world), BY_VARIABLES, id=str(flats[0]))
    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == ["UNAVAILABLE"]
    assert TENANT[0] not in str(result.errors)
    assert caller.data(_planner(api_world), NO_TENANT_DATA, id=str(flats[0]))["apartment"]


def test_a_crew_following_its_route_over_a_websocket_is_logged(api_world):
    """A subscription result showing tenants is recorded before it is sent."""
    engine = engine_from_url(api_world.url)
    sessions = session_factory(engine)
    apartment_id = api_world.visited_apartment_id
    try:
        with sessions.begin() as session:
            apartment = session.get(m.Apartment, apartment_id)
            kept = (apartment.tenant_name, apartment.tenant_phone)
            apartment.tenant_name, apartment.tenant_phone = TENANT[:2]
            newest = session.scalar(select(func.max(m.PersonalDataEvent.id))) or 0
        today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
        query = """subscription Follow($c: ID!, $d: Date!) { routePublished(crewId: $c, date: $d) {
                     stops { apartment { id tenant { name } } } } }"""
        with (
            make_client(api_world) as client,
            socket(client, headers=bearer(api_world.tokens["crew"])) as ws,
        ):
            payload = {"query": query, "variables": {"c": str(api_world.crew_id), "d": today}}
            ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
            message = ws.receive_json()
            assert message["type"] == "next", message
            assert TENANT[0] in str(message["payload"]["data"])
            ws.send_json({"id": "1", "type": "complete"})
        with sessions.begin() as session:
            lines = list(
                session.scalars(select(m.PersonalDataEvent).where(m.PersonalDataEvent.id > newest))
            )
            reads = [line for line in lines if line.action == "read"]
            assert [line.subject for line in reads] == [
                "graphql subscription Follow: routePublished"
            ]
            assert reads[0].actor.startswith("api:crew:token/")
            subjects = session.scalars(
                select(m.PersonalDataSubject.apartment_id).where(
                    m.PersonalDataSubject.event_id == reads[0].id
                )
            )
            assert apartment_id in list(subjects)
            session.execute(delete(m.PersonalDataEvent).where(m.PersonalDataEvent.id > newest))
            apartment = session.get(m.Apartment, apartment_id)
            apartment.tenant_name, apartment.tenant_phone = kept
    finally:
        engine.dispose()
