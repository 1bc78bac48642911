"""Attacks over the WebSocket: stale tokens, queries and mutations, floods of subscriptions, leaks.

Each test opens a real socket (``graphql-transport-ws``) on the app and its API world.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import strawberry
from sqlalchemy import delete, update
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from tests.api.conftest import make_client

from sitecrew.config import DatabaseSettings, Settings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.domain.routes import RunState
from sitecrew.services.access import create_token, revoke_token
from sitecrew.web.auth import BearerAuthenticator
from sitecrew.web.websocket_view import PROTOCOL, SubscriptionEndpoint

FOLLOW = "subscription F($id: ID!) { planningRunProgress(id: $id) { status progress } }"
MISSING_RUN = "2147483000"


@contextmanager
def socket(client, init: dict | None = None, headers: dict | None = None):
    """An open, acknowledged connection."""
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers or {}) as ws:
        ws.send_json({"type": "connection_init", "payload": init or {}})
        assert ws.receive_json()["type"] == "connection_ack"
        yield ws


def subscribe(ws, operation_id: str, query: str = FOLLOW, **variables) -> None:
    payload = {"query": query, "variables": variables or {"id": MISSING_RUN}}
    ws.send_json({"id": operation_id, "type": "subscribe", "payload": payload})


def codes(message: dict) -> list[str]:
    """The codes of an ``error`` message's errors, or of a ``next`` message's."""
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def fresh_token(world_sessions, api_world):
    """A planner token of its own, which the test may revoke or expire."""
    with world_sessions.begin() as session:
        return create_token(
            session, name="socket test", role=Role.PLANNER, region_id=api_world.region_id
        )


@pytest.fixture
def running_run(world_sessions, api_world):
    """A run that stays RUNNING (another server owns it, alive), so following it never ends."""
    now = datetime.now(UTC)
    with world_sessions.begin() as session:
        run = m.PlanningRun(
            region_id=api_world.region_id,
            service_date=now.date(),
            status=RunState.RUNNING.value,
            progress=0.25,
            step="solving",
            options={},
            summary={},
            started_at=now,
            worker="another-server.test:4242",
            heartbeat_at=now,
            deadline_at=now + timedelta(hours=1),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    yield str(run_id)
    with world_sessions.begin() as session:
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == run_id))


def test_a_revoked_token_cannot_subscribe_when_its_socket_is_still_open(
    client, world_sessions, fresh_token
):
    """Revoking a token refuses the next subscribe on an already open socket, and closes it."""
    with socket(client, headers=bearer(fresh_token.secret)) as ws:
        subscribe(ws, "1")
        first = ws.receive_json()
        assert first["type"] == "next"
        assert codes(first) == ["NOT_FOUND"]
        assert ws.receive_json()["type"] == "complete"
        with world_sessions.begin() as session:
            revoke_token(session, fresh_token.token.id)
        subscribe(ws, "2")
        refused = ws.receive_json()
        assert refused["type"] == "error"
        assert refused["id"] == "2"
        assert codes(refused) == ["UNAUTHENTICATED"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


@pytest.mark.parametrize(
    "operation",
    ["{ __typename }", "query Q { regions { nodes { id } } }", "mutation { __typename }"],
)
def test_queries_and_mutations_are_refused_when_sent_over_the_socket(client, api_world, operation):
    """Only subscriptions run over the WebSocket; anything else is an error with a code."""
    with socket(client, headers=bearer(api_world.tokens["admin"])) as ws:
        ws.send_json({"id": "q", "type": "subscribe", "payload": {"query": operation}})
        refused = ws.receive_json()
        assert refused["type"] == "error"
        assert codes(refused) == ["OPERATION_NOT_ALLOWED"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"  # the connection stays usable


def test_subscriptions_beyond_the_cap_are_refused_when_one_connection_opens_too_many(
    api_world, running_run
):
    """A connection runs at most ``max_subscriptions`` at once; one more is refused, with a code."""
    with (
        make_client(api_world, max_subscriptions=2) as capped,
        socket(capped, headers=bearer(api_world.tokens["planner"])) as ws,
    ):
        for operation_id in ("a", "b"):
            subscribe(ws, operation_id, id=running_run)
            assert ws.receive_json()["payload"]["data"]["planningRunProgress"]["status"] == (
                "RUNNING"
            )
        subscribe(ws, "c", id=running_run)
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "c")
        assert codes(refused) == ["TOO_MANY_SUBSCRIPTIONS"]
        ws.send_json({"id": "a", "type": "complete"})
        subscribe(ws, "d", id=running_run)
        admitted = ws.receive_json()
        assert (admitted["type"], admitted["id"]) == ("next", "d")


def test_errors_inside_a_stream_carry_a_code_when_a_subscription_fails(client, api_world):
    """A missing run is NOT_FOUND and a crew is FORBIDDEN, as on HTTP (they had no code)."""
    for role, expected in (("planner", "NOT_FOUND"), ("crew", "FORBIDDEN")):
        with socket(client, headers=bearer(api_world.tokens[role])) as ws:
            subscribe(ws, "1")
            failed = ws.receive_json()
            assert failed["type"] == "next"
            assert failed["payload"]["data"] is None
            assert codes(failed) == [expected]
            assert ws.receive_json()["type"] == "complete"


@strawberry.type
class _Query:
    ping: str = "pong"


@strawberry.type
class _Failing:
    @strawberry.subscription
    async def leak(self) -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("SELECT secret FROM api_tokens -- internal detail")


def test_an_unexpected_error_inside_a_stream_is_masked_when_a_resolver_breaks(api_world):
    """A stream that raises a bare exception shows INTERNAL 'Unexpected error.', no detail."""
    settings = Settings(database=DatabaseSettings(url=api_world.url))
    engine = engine_from_url(api_world.url)
    sessions = session_factory(engine)
    endpoint = SubscriptionEndpoint(
        strawberry.Schema(query=_Query, subscription=_Failing),
        sessions=sessions,
        settings=settings,
        authenticator=BearerAuthenticator(sessions),
    )
    app = Starlette(routes=[WebSocketRoute("/graphql", endpoint)])
    with (
        TestClient(app) as test_client,
        socket(test_client, headers=bearer(api_world.tokens["admin"])) as ws,
    ):
        subscribe(ws, "1", query="subscription { leak }")
        assert ws.receive_json()["payload"] == {"data": {"leak": 1}}
        failed = ws.receive_json()
        assert codes(failed) == ["INTERNAL"]
        assert failed["payload"]["errors"][0]["message"] == "Unexpected error."
        assert "SELECT" not in str(failed)
        assert ws.receive_json()["type"] == "complete"
    engine.dispose()


@pytest.mark.parametrize(
    ("init", "header"),
    [({"Authorization": "Bearer {}"}, False), ({"token": "{}"}, False), ({}, True)],
    ids=["init-authorization", "init-token", "upgrade-header"],
)
def test_a_socket_authenticates_when_the_token_comes_in_init_or_the_upgrade(
    client, api_world, init, header
):
    """The token may come in ``connection_init`` (Authorization or token) or the upgrade header."""
    secret = api_world.tokens["planner"]
    payload = {key: value.format(secret) for key, value in init.items()}
    with socket(client, payload, headers=bearer(secret) if header else None) as ws:
        subscribe(ws, "1")
        assert codes(ws.receive_json()) == ["NOT_FOUND"]


def test_a_socket_is_closed_when_its_token_is_missing_or_unknown(client):
    """Without a valid token the connection is closed with 4403 before anything runs."""
    for init in ({}, {"Authorization": "Bearer sc_not-a-token"}):
        with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
            ws.send_json({"type": "connection_init", "payload": init})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4403


def test_a_token_that_expires_cannot_subscribe_when_its_socket_is_still_open(
    client, world_sessions, fresh_token
):
    """A token past its expiry is refused on the next subscribe, as a revoked one is."""
    with socket(client, headers=bearer(fresh_token.secret)) as ws:
        with world_sessions.begin() as session:
            session.execute(
                update(m.ApiToken)
                .where(m.ApiToken.id == fresh_token.token.id)
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        subscribe(ws, "1")
        assert codes(ws.receive_json()) == ["UNAUTHENTICATED"]
