"""Tenants' self-service in GraphQL, on both backends, in the real-OSM tenant world.

Planners issue and revoke links (``issueTenantLinks``, ``revokeTenantLink``); a tenant, as the
principal its link token speaks for, reads its visit and offers, confirms, moves, answers how
to get in and cancels (``tenantVisit`` and the tenant mutations); the calendar file follows.
Operations execute the schema on a rolled-back session (convention 20).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy.orm import sessionmaker
from tests.security.schema_calls import SchemaCaller
from tests.services.tenant_world import LINKS, build_tenant_world

from sitecrew.config import (
    DatabaseSettings,
    OsmSettings,
    ServerSettings,
    Settings,
)
from sitecrew.domain.access import Principal, Role
from sitecrew.services.tenant_links import authenticate_link

PROBLEM = "... on Problem { __typename code message }"
VISIT = "campaignName unit state date windowStart windowEnd access version changeable calendarUrl"
ISSUE = f"""mutation I($input: IssueTenantLinksInput!) {{ issueTenantLinks(input: $input) {{
  __typename ... on TenantLinks {{ links {{ apartmentId tenantName url expiresAt }} }} {PROBLEM} }} }}"""
REVOKE = f"""mutation R($input: RevokeTenantLinkInput!) {{ revokeTenantLink(input: $input) {{
  __typename ... on RevokedTenantLink {{ apartmentId revokedAt }} {PROBLEM} }} }}"""


def _mutation(name: str, input_type: str) -> str:
    return f"""mutation M($input: {input_type}!) {{ {name}(input: $input) {{
      __typename ... on TenantVisit {{ {VISIT} calendar }} {PROBLEM} }} }}"""


CONFIRM = _mutation("confirmTenantVisit", "ConfirmTenantVisitInput")
CHOOSE = _mutation("chooseTenantVisitTime", "ChooseTenantVisitTimeInput")
ACCESS = _mutation("setTenantAccess", "SetTenantAccessInput")
CANCEL = _mutation("cancelTenantVisit", "CancelTenantVisitInput")


@pytest.fixture(scope="module")
def osm(osm_dir, tmp_path_factory) -> OsmSettings:
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("tenant-graphs"))


@contextmanager
def _caller(engine, osm: OsmSettings):
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(
        database=DatabaseSettings(url=str(engine.url)),
        osm=osm,
        server=ServerSettings(),
        tenant_links=LINKS,
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
def world(call):
    with call.sessions.begin() as session:
        return build_tenant_world(session)


def _links(call, world, principal=None) -> list[dict]:
    answer = call.data(
        principal or world.planner, ISSUE, input={"campaignId": str(world.campaign_id)}
    )["issueTenantLinks"]
    assert answer["__typename"] == "TenantLinks", answer
    return answer["links"]


def _tenant(call, world, index: int = 0) -> Principal:
    url = _links(call, world)[index]["url"]
    with call.sessions() as session:
        return authenticate_link(session, LINKS.secret, url.rpartition("/t/")[2]).principal


def test_a_planner_issues_links_for_a_mail_merge(call, world):
    links = _links(call, world)
    assert [link["apartmentId"] for link in links] == [str(f) for f in world.flats]
    assert links[0]["tenantName"] == "Tenant 00"
    assert _links(call, world) == links


def test_links_are_the_regions_planners_and_need_a_secret(call, world, engine, osm):
    other = Principal(Role.PLANNER, region_id=world.offers.other_region_id)
    answer = call.data(other, ISSUE, input={"campaignId": str(world.campaign_id)})
    assert answer["issueTenantLinks"]["__typename"] == "NotFound"
    crew = Principal(Role.CREW, crew_id=world.crew_id)
    revoke = {"campaignId": str(world.campaign_id), "apartmentId": str(world.flats[0])}
    assert call.data(crew, REVOKE, input=revoke)["revokeTenantLink"]["__typename"] == "Forbidden"
    unconfigured = SchemaCaller(
        call.sessions,
        Settings(database=DatabaseSettings(url=str(engine.url)), osm=osm),  # no link secret
    )
    result = unconfigured(world.planner, ISSUE, input={"campaignId": str(world.campaign_id)})
    assert result.errors[0].extensions["code"] == "CONFIGURATION"


def test_a_revoked_link_no_longer_authenticates(call, world):
    url = _links(call, world)[0]["url"]
    revoke = {"campaignId": str(world.campaign_id), "apartmentId": str(world.flats[0])}
    answer = call.data(world.planner, REVOKE, input=revoke)["revokeTenantLink"]
    assert answer["__typename"] == "RevokedTenantLink"
    with call.sessions() as session, pytest.raises(Exception, match="not valid"):
        authenticate_link(session, LINKS.secret, url.rpartition("/t/")[2])


def test_the_tenant_confirms_moves_answers_and_cancels(call, world):
    tenant = _tenant(call, world)
    query = f"{{ tenantVisit {{ {VISIT} calendar offers(limit: 50) {{ date windowStart }} }} }}"
    visit = call.data(tenant, query)["tenantVisit"]
    assert (visit["state"], visit["unit"], visit["calendar"], visit["calendarUrl"]) == (
        "PROPOSED",
        "U00",
        None,
        None,
    )
    assert visit["offers"]
    confirmed = call.data(tenant, CONFIRM, input={"version": visit["version"]})[
        "confirmTenantVisit"
    ]
    assert confirmed["state"] == "CONFIRMED"
    assert confirmed["calendarUrl"].startswith("/t/sct1.")
    assert confirmed["calendarUrl"].endswith("/visit.ics")
    assert "SEQUENCE:1" in confirmed["calendar"]
    other = next(o for o in visit["offers"] if o["windowStart"] != visit["windowStart"])
    moved = call.data(tenant, CHOOSE, input={"windowStart": other["windowStart"]})[
        "chooseTenantVisitTime"
    ]
    assert (moved["windowStart"], moved["date"]) == (other["windowStart"], other["date"])
    assert "SEQUENCE:2" in moved["calendar"]
    answered = call.data(tenant, ACCESS, input={"access": "CARETAKER_KEY"})["setTenantAccess"]
    assert answered["access"] == "CARETAKER_KEY"
    cancelled = call.data(tenant, CANCEL, input={})["cancelTenantVisit"]
    assert (cancelled["state"], cancelled["windowStart"]) == ("PENDING", None)
    assert "METHOD:CANCEL" in cancelled["calendar"]
    assert "STATUS:CANCELLED" in cancelled["calendar"]


def test_a_window_not_offered_is_a_typed_conflict(call, world):
    tenant = _tenant(call, world, 2)
    answer = call.data(tenant, CHOOSE, input={"windowStart": "2031-01-01T08:00:00+01:00"})[
        "chooseTenantVisitTime"
    ]
    assert (answer["__typename"], answer["code"]) == ("Conflict", "WINDOW_NOT_OFFERED")
    naive = call.data(tenant, CHOOSE, input={"windowStart": "2031-01-01T08:00:00"})
    assert naive["chooseTenantVisitTime"]["__typename"] == "InvalidInput"


def test_a_stale_version_is_a_conflict(call, world):
    tenant = _tenant(call, world)
    version = call.data(tenant, "{ tenantVisit { version } }")["tenantVisit"]["version"]
    call.data(tenant, CONFIRM, input={"version": version})
    stale = call.data(tenant, CANCEL, input={"version": version})["cancelTenantVisit"]
    assert (stale["__typename"], stale["code"]) == ("Conflict", "CONFLICT")


def test_the_offers_limit_is_checked(call, world):
    tenant = _tenant(call, world)
    result = call(tenant, "{ tenantVisit { offers(limit: 500) { date } } }")
    assert result.errors[0].extensions["code"] == "INVALID_INPUT"
