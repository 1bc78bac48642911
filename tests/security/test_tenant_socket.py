"""A tenant's link token over the GraphQL WebSocket, tried the way an attacker would (issue 16).

A link token (``sct1.…``) is a bearer secret for one home, and the subscription endpoint accepts
bearer secrets, so a tenant can open a ``graphql-transport-ws`` socket like any client. These
tests check what it gets there on both backends, through real sockets on the real app: every
subscription of the schema is refused with a code and no data (whatever region, crew, day or
run it names, also through fragments and aliases); queries and mutations, its own
``tenantVisit`` included, are not served over the socket at all (HTTP serves them, with the
tenant rules of ``tests/security/test_tenant_link_scope.py``); a revoked or expired link is
refused at ``connection_init`` and closes an open socket at its next ``subscribe``; a tampered
or forged token never gets a ``connection_ack``.

The world is the tenant world (``tests.services.tenant_world``), committed, with Monday planned
and published (so the contractor's crew has a route holding other tenants' homes) and a planning
run running in the tenant's region. Each test that revokes or expires a link uses a flat of its
own, so the tests do not depend on each other's writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from tests.live_world import insert_running_run
from tests.security.test_websocket import bearer, codes, socket, subscribe
from tests.services.offers_world import MONDAY, TUESDAY
from tests.services.tenant_world import ADMIN, LINKS, build_tenant_world

from sitecrew.api.schema import schema as sdl_schema
from sitecrew.config import DatabaseSettings, OsmSettings, Settings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.routes import PlanOptions
from sitecrew.domain.tenant_links import sign_link
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.tenant_links import IssueLinks, RevokeLink, issue_links, revoke_link
from sitecrew.web.app import create_app
from sitecrew.web.websocket_view import PROTOCOL

pytestmark = pytest.mark.timeout(300)

PRIVATE_NAME = "Hemlig"
PROGRESS = "subscription P($id: ID!) { planningRunProgress(id: $id) { status progress step } }"
JOBS = (
    "subscription J($region: String!) { jobStatusChanged(region: $region)"
    " { id status apartment { id unit tenant { name phone } accessNotes } } }"
)
ROUTE = (
    "subscription R($crew: ID!, $date: Date!) { routePublished(crewId: $crew, date: $date)"
    " { id stops { apartment { id unit tenant { name phone } accessNotes } } } }"
)
DAY_ROUTES = (
    "subscription D($region: String!, $date: Date!) { routesPublished(region: $region,"
    " date: $date) { id stops { apartment { id unit tenant { name phone } accessNotes } } } }"
)
ROUTE_BY_FRAGMENT = (
    "subscription R($crew: ID!, $date: Date!) { ...Follow }"
    " fragment Follow on Subscription { mine: routePublished(crewId: $crew, date: $date)"
    " { id stops { apartment { unit tenant { name } } } } }"
)
#: Flats whose links the tests revoke or expire, one per test (flat 0 is tenant A, read-only).
REVOKED, EXPIRED, REVOKED_OPEN, EXPIRED_OPEN = 2, 3, 4, 5


@pytest.fixture(scope="module")
def osm(osm_dir, tmp_path_factory) -> OsmSettings:
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("socket-graphs"))


@pytest.fixture(scope="module")
def tenant_socket_world(backend, database_url_factory, osm):
    """The committed world; yields a dict of its url, sessions, ids, tokens and a running run."""
    url = database_url_factory(backend, "tenant_socket")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        world = build_tenant_world(session)
        for apartment in session.scalars(select(m.Apartment)):
            apartment.tenant_name = f"{PRIVATE_NAME} {apartment.id}"
            apartment.tenant_phone = "+4799999999"
            apartment.access_notes = "door code 4711"
        options = PlanOptions(seed=1, time_limit_s=None, max_iterations=200, publish=True)
        plan_day(session, region=world.offers.region_id, day=MONDAY, osm=osm, options=options)
        issued = issue_links(session, ADMIN, IssueLinks(world.campaign_id), links=LINKS, actor="t")
        routes = [
            (r.crew_id, str(r.service_date))
            for r in session.scalars(select(m.Route).where(m.Route.status == "published"))
        ]
        slug = session.get(m.Region, world.offers.region_id).slug
    assert routes, "Monday should be published for the route subscriptions to name"
    run_id = insert_running_run(sessions, world.offers.region_id)
    yield {
        "url": url,
        "sessions": sessions,
        "world": world,
        "tokens": [link.url.rpartition("/t/")[2] for link in issued],
        "routes": routes,
        "slug": slug,
        "run_id": str(run_id),
    }
    with sessions.begin() as session:
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == run_id))
    engine.dispose()


@pytest.fixture(scope="module")
def tenant_client(tenant_socket_world, osm):
    """The real app on the world's database, with the link secret the tokens were signed with."""
    settings = Settings(
        database=DatabaseSettings(url=tenant_socket_world["url"]), osm=osm, tenant_links=LINKS
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _until_done(ws) -> list[dict]:
    """The messages of one operation up to its ``complete`` or ``error`` (the last one)."""
    messages = [ws.receive_json()]
    while messages[-1]["type"] == "next":
        messages.append(ws.receive_json())
    return messages


def _leaks(messages: list[dict]) -> bool:
    text = json.dumps(messages)
    return PRIVATE_NAME in text or "4711" in text or "+4799" in text or '"unit"' in text


def _refused_at_init(client: TestClient, init: dict, headers: dict | None = None) -> int:
    """Send ``connection_init`` and return the close code (fails if it is acknowledged)."""
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers or {}) as ws:
        ws.send_json({"type": "connection_init", "payload": init})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        return closed.value.code


def _link_row(sessions, world, flat: int) -> m.TenantLink:
    with sessions() as session:
        return session.scalars(
            select(m.TenantLink).where(
                m.TenantLink.campaign_id == world.campaign_id,
                m.TenantLink.apartment_id == world.flats[flat],
            )
        ).one()


def _home_state(sessions, home_id: int) -> str:
    with sessions() as session:
        home = session.get(m.CampaignHome, home_id)
        assert home is not None
        return home.state


def _expire(sessions, world, flat: int) -> None:
    with sessions.begin() as session:
        session.execute(
            update(m.TenantLink)
            .where(
                m.TenantLink.campaign_id == world.campaign_id,
                m.TenantLink.apartment_id == world.flats[flat],
            )
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _revoke(sessions, world, flat: int) -> None:
    with sessions.begin() as session:
        revoke_link(session, ADMIN, RevokeLink(world.campaign_id, world.flats[flat]))


@pytest.mark.parametrize(
    ("init", "header"),
    [({"Authorization": "Bearer {}"}, False), ({"token": "{}"}, False), ({}, True)],
    ids=["init-authorization", "init-token", "upgrade-header"],
)
def test_a_tenant_link_opens_a_socket_from_init_or_the_upgrade_header(
    tenant_client, tenant_socket_world, init, header
):
    """The link is a bearer secret: the socket is acknowledged, and stays usable after a refusal."""
    token = tenant_socket_world["tokens"][0]
    payload = {key: value.format(token) for key, value in init.items()}
    with socket(tenant_client, payload, headers=bearer(token) if header else None) as ws:
        subscribe(ws, "1", PROGRESS, id=tenant_socket_world["run_id"])
        refused = _until_done(ws)
        assert codes(refused[0]) == ["FORBIDDEN"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"


def test_the_subscriptions_these_tests_try_are_all_the_schema_has():
    """A subscription added later must be tried here too before this passes again."""
    subscription_type = sdl_schema._schema.subscription_type  # graphql-core's schema
    assert subscription_type is not None
    assert set(subscription_type.fields) == {
        "planningRunProgress",
        "jobStatusChanged",
        "routePublished",
        "routesPublished",
    }


def _subscriptions(facts: dict) -> list[tuple[str, dict, set[str]]]:
    """Every subscription, aimed at what a tenant would want to watch: its own region and crew."""
    world = facts["world"]
    route_refusals = {"FORBIDDEN", "NOT_FOUND"}
    own_crew = [(world.crew_id, str(MONDAY)), (world.crew_id, str(TUESDAY))]
    routes = [
        (query, {"crew": str(crew_id), "date": day}, route_refusals)
        for crew_id, day in [*own_crew, *facts["routes"]]
        for query in (ROUTE, ROUTE_BY_FRAGMENT)
    ]
    return [
        (PROGRESS, {"id": facts["run_id"]}, {"FORBIDDEN", "NOT_FOUND"}),
        (JOBS, {"region": str(world.offers.region_id)}, {"NOT_FOUND"}),
        (JOBS, {"region": facts["slug"]}, {"NOT_FOUND"}),
        *[
            (DAY_ROUTES, {"region": facts["slug"], "date": day}, {"NOT_FOUND"})
            for day in (str(MONDAY), str(TUESDAY))
        ],
        *routes,
    ]


def test_every_subscription_is_refused_to_a_tenant_and_sends_nothing_about_any_home(
    tenant_client, tenant_socket_world
):
    """Run progress, a region's jobs and a crew's route (its own crew's too): a code, no data."""
    with socket(tenant_client, headers=bearer(tenant_socket_world["tokens"][0])) as ws:
        for n, (query, variables, allowed) in enumerate(_subscriptions(tenant_socket_world)):
            subscribe(ws, str(n), query, **variables)
            messages = _until_done(ws)
            assert all(message["id"] == str(n) for message in messages)
            assert not _leaks(messages), messages
            first = messages[0]
            assert set(codes(first)) <= allowed, (query, messages)
            assert codes(first), messages
            if first["type"] == "next":
                assert first["payload"]["data"] is None
                assert messages[-1]["type"] == "complete"
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"  # nothing else arrived meanwhile


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("{ tenantVisit { unit state windowStart access } }", None),
        (
            "{ apartments(first: 500) { nodes { id unit tenant { name phone } accessNotes } } }",
            None,
        ),
        ("{ jobs(first: 500) { nodes { id status apartment { id unit } } } }", None),
        ("mutation { confirmTenantVisit(input: {}) { __typename } }", None),
        (
            (
                "subscription S { planningRunProgress(id: 1) { status } }"
                " query Q { apartments(first: 500) { nodes { unit tenant { name } } } }"
            ),
            "Q",
        ),
    ],
    ids=["own-visit", "apartments", "jobs", "mutation", "query-beside-a-subscription"],
)
def test_queries_and_mutations_of_a_tenant_are_not_served_over_the_socket(
    tenant_client, tenant_socket_world, query, operation_name
):
    """Its own visit, staff listings and its mutations: OPERATION_NOT_ALLOWED, nothing runs."""
    world = tenant_socket_world["world"]
    before = _link_row(tenant_socket_world["sessions"], world, 0)
    state_before = _home_state(tenant_socket_world["sessions"], world.homes[0])
    payload: dict = {"query": query}
    if operation_name:
        payload["operationName"] = operation_name
    with socket(tenant_client, headers=bearer(tenant_socket_world["tokens"][0])) as ws:
        ws.send_json({"id": "q", "type": "subscribe", "payload": payload})
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "q")
        assert codes(refused) == ["OPERATION_NOT_ALLOWED"]
        assert not _leaks([refused])
    after = _link_row(tenant_socket_world["sessions"], world, 0)
    assert (after.calendar_sequence, after.token_version) == (
        before.calendar_sequence,
        before.token_version,
    )
    assert _home_state(tenant_socket_world["sessions"], world.homes[0]) == state_before


@pytest.mark.parametrize(
    ("first", "operation_name"),
    [("query", None), ("subscription", None), ("subscription", "Missing")],
    ids=["query-first", "subscription-first", "unknown-name"],
)
def test_a_document_naming_no_one_operation_runs_nothing(
    tenant_client, tenant_socket_world, first, operation_name
):
    """Several operations and no (or an unknown) name: OPERATION_NOT_ALLOWED, nothing runs.

    strawberry picked the first operation itself: an unnamed subscription ran, and a query
    written first failed as INTERNAL (a logged stack trace) past the check for queries.
    """
    query = "query Q { apartments(first: 500) { nodes { unit tenant { name } } } }"
    subscription = f"subscription S {{ planningRunProgress(id: {tenant_socket_world['run_id']})"
    subscription += " { status } }"
    document = " ".join([query, subscription] if first == "query" else [subscription, query])
    payload: dict = {"query": document}
    if operation_name:
        payload["operationName"] = operation_name
    with socket(tenant_client, headers=bearer(tenant_socket_world["tokens"][0])) as ws:
        ws.send_json({"id": "q", "type": "subscribe", "payload": payload})
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "q")
        assert codes(refused) == ["OPERATION_NOT_ALLOWED"]
        assert not _leaks([refused])


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_link_is_refused_at_connection_init(
    tenant_client, tenant_socket_world, how
):
    """The socket closes with 4403 before anything runs, wherever the token comes."""
    facts = tenant_socket_world
    flat = REVOKED if how == "revoked" else EXPIRED
    token = facts["tokens"][flat]
    (_revoke if how == "revoked" else _expire)(facts["sessions"], facts["world"], flat)
    assert _refused_at_init(tenant_client, {"Authorization": f"Bearer {token}"}) == 4403
    assert _refused_at_init(tenant_client, {"token": token}) == 4403
    assert _refused_at_init(tenant_client, {}, headers=bearer(token)) == 4403


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_an_open_socket_is_closed_when_its_link_is_revoked_or_expires(
    tenant_client, tenant_socket_world, how
):
    """The next subscribe after a revocation or the expiry gets UNAUTHENTICATED, then 4403."""
    facts = tenant_socket_world
    flat = REVOKED_OPEN if how == "revoked" else EXPIRED_OPEN
    with socket(tenant_client, headers=bearer(facts["tokens"][flat])) as ws:
        subscribe(ws, "1", PROGRESS, id=facts["run_id"])
        assert codes(_until_done(ws)[0]) == ["FORBIDDEN"]
        (_revoke if how == "revoked" else _expire)(facts["sessions"], facts["world"], flat)
        subscribe(ws, "2", PROGRESS, id=facts["run_id"])
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "2")
        assert codes(refused) == ["UNAUTHENTICATED"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


def _tampered(token: str, link_id: int, version: int) -> dict[str, str]:
    prefix, _, signature = token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "signature-flipped": f"{prefix}.{flipped}",
        "signature-cut": token[:-4],
        "signature-of-another-link": f"sct1.{link_id + 1}.{version}.{signature}",
        "next-version-unsigned": f"sct1.{link_id}.{version + 1}.{signature}",
        "signed-with-another-secret": sign_link("x" * 40, link_id, version),
        "older-version-validly-signed": sign_link(LINKS.secret or "", link_id, version - 1),
        "newer-version-validly-signed": sign_link(LINKS.secret or "", link_id, version + 1),
        "no-signature": f"sct1.{link_id}.{version}",
        "padded": f"{token}{'=' * 200}",
        "prefix-only": "sct1.",
    }


def test_a_tampered_or_forged_link_is_refused_at_connection_init(
    tenant_client, tenant_socket_world
):
    """Every altered token closes the socket with 4403; the genuine one is still acknowledged."""
    facts = tenant_socket_world
    token = facts["tokens"][1]
    row = _link_row(facts["sessions"], facts["world"], 1)
    forged = _tampered(token, row.id, row.token_version)
    assert token not in forged.values()
    for name, fake in forged.items():
        assert _refused_at_init(tenant_client, {"Authorization": f"Bearer {fake}"}) == 4403, name
        assert _refused_at_init(tenant_client, {}, headers=bearer(fake)) == 4403, name
    with socket(tenant_client, {"token": token}) as ws:
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
