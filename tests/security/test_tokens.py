"""Attacks with tokens: expired ones, revoked ones still cached, and what the operator can see."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from sitecrew.cli import main
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.errors import InvalidInputError
from sitecrew.services.access import (
    DEFAULT_LIFETIME,
    create_token,
    lifetime_from_days,
    list_tokens,
    revoke_token,
)

PING = {"query": "{ __typename }"}


def refused(response) -> bool:
    """Whether the API refused the request as unauthenticated."""
    return response.status_code == 401 or "UNAUTHENTICATED" in response.text


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def token_db(backend, database_url_factory):
    """A migrated database of ``backend`` for the token CLI, holding no world (one per module)."""
    url = database_url_factory(backend, "sitecrew_test_tokens")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def sitecrew(capsys, monkeypatch, token_db):
    """Run ``sitecrew`` in this process on the token database: exit code, stdout, stderr."""
    monkeypatch.setenv("DATABASE_URL", token_db)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables as wide as a terminal would show them

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        out, err = capsys.readouterr()
        return int(exited.value.code or 0), out, err

    return run


def test_an_expired_token_is_refused_when_used_over_http(client, world_sessions, api_world):
    """A token past its ``expires_at`` gets 401 at once, though it was valid a moment ago."""
    with world_sessions.begin() as session:
        issued = create_token(session, name="expiring", role=Role.ADMIN)
    assert client.post("/graphql", json=PING, headers=bearer(issued.secret)).status_code == 200
    with world_sessions.begin() as session:
        session.execute(
            update(m.ApiToken)
            .where(m.ApiToken.id == issued.token.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    time.sleep(0.6)  # longer than the authenticator trusts a cached answer
    assert refused(client.post("/graphql", json=PING, headers=bearer(issued.secret)))
    download = client.get(
        f"/routes/{api_world.crew_id}/2026-06-02.gpx", headers=bearer(issued.secret)
    )
    assert download.status_code == 401


def test_an_expired_token_cannot_open_a_socket_when_it_connects(client, world_sessions):
    """``connection_init`` with an expired token closes the socket with 4403."""
    from starlette.websockets import WebSocketDisconnect

    with world_sessions.begin() as session:
        issued = create_token(session, name="expired", role=Role.ADMIN)
        session.execute(
            update(m.ApiToken)
            .where(m.ApiToken.id == issued.token.id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"token": issued.secret}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


def test_a_revoked_token_is_refused_within_a_second_when_the_app_is_running(client, world_sessions):
    """Revocation reaches a running server (which had just trusted the token) within 1 s."""
    with world_sessions.begin() as session:
        issued = create_token(session, name="to revoke", role=Role.ADMIN)
    assert client.post("/graphql", json=PING, headers=bearer(issued.secret)).status_code == 200
    with world_sessions.begin() as session:
        revoke_token(session, issued.token.id)
    revoked_at = time.monotonic()
    while not refused(client.post("/graphql", json=PING, headers=bearer(issued.secret))):
        assert time.monotonic() - revoked_at < 1.0, "revoked token still accepted after 1 s"
        time.sleep(0.05)


def test_tokens_expire_by_default_when_no_lifetime_is_asked_for(world_sessions):
    """A token lasts 90 days unless made explicitly long-lived; the default is not forever."""
    with world_sessions() as session:
        issued = create_token(session, name="default", role=Role.ADMIN)
        forever = create_token(session, name="service", role=Role.ADMIN, lifetime=None)
        session.rollback()
    assert issued.token.expires_at is not None
    lasts = issued.token.expires_at - issued.token.created_at
    assert abs(lasts - DEFAULT_LIFETIME) < timedelta(seconds=1)
    assert forever.token.expires_at is None


@pytest.mark.parametrize(
    ("days", "no_expiry"), [(-3, False), (0, False), (10**9, False), (7, True)]
)
def test_a_lifetime_is_refused_when_it_is_not_a_sensible_number_of_days(days, no_expiry):
    """Negative, zero and absurd lifetimes, or days together with no expiry, are bad input."""
    with pytest.raises(InvalidInputError):
        lifetime_from_days(days, no_expiry=no_expiry)


def test_token_list_shows_scope_expiry_and_revocation_but_never_a_secret(sitecrew, token_db):
    """``sitecrew token list`` is a table of every token's facts; secrets appear nowhere."""
    code, kari, err = sitecrew(
        *["token", "create", "--role", "planner", "--name", "Kari", "--expires-in-days", "7"]
    )
    assert code == 0
    kari_id = re.search(r"token (\d+) ", err).group(1)
    code, robot, err = sitecrew(
        *["token", "create", "--role", "admin", "--no-expiry", "--name"], "backup robot"
    )
    assert code == 0
    assert "expires never" in err
    assert sitecrew("token", "revoke", kari_id)[0] == 0
    code, table, _ = sitecrew("token", "list")
    assert code == 0
    rows = {line.split("│")[2].strip(): line for line in table.splitlines() if "│" in line}
    in_a_week = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert "planner" in rows["Kari"]
    assert in_a_week in rows["Kari"]
    assert today in rows["Kari"].split("│")[7]  # revoked today
    assert "never" in rows["backup robot"]
    assert "everything" in rows["backup robot"]
    assert kari.strip() not in table
    assert robot.strip() not in table
    engine = engine_from_url(token_db)
    with session_factory(engine)() as session:
        listed = list_tokens(session)
    engine.dispose()
    assert [(t.name, t.revoked_at is not None) for t in listed] == [
        ("Kari", True),
        ("backup robot", False),
    ]


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (("--role", "janitor"), 2, "Invalid value for '--role'"),
        (("--role", "admin", "--expires-in-days", "-5"), 3, "a token lasts 1 to 3650 days"),
        (("--role", "admin", "--expires-in-days", "5", "--no-expiry"), 3, "not both"),
        (("--role", "crew", "--crew", "77"), 4, "no crew with id 77"),
        (("--role", "crew", "--crew", "99999999999"), 4, "no crew 99999999999"),
        (("--role", "admin", "--name", " "), 3, "a token's name has 1 to 200 characters"),
    ],
)
def test_token_create_refuses_bad_input_when_given_nonsense(sitecrew, args, exit_code, message):
    """Bad options are one clear line and a non-zero exit, never a traceback."""
    code, out, err = sitecrew("token", "create", *args)
    assert code == exit_code
    assert message in err
    assert "Traceback" not in err + out
    assert not out.startswith("sc_")


def test_a_contractor_token_is_refused_when_its_organisation_is_not_a_contractor(
    world_sessions, api_world
):
    """An owner or maker is no contractor: its token would stand for nobody's districts."""
    from sqlalchemy import select

    from sitecrew.db import models as m
    from sitecrew.errors import InvalidInputError

    with world_sessions() as session:
        owner = session.scalar(select(m.Organisation.id).where(m.Organisation.kind == "owner"))
        with pytest.raises(InvalidInputError, match="not a contractor"):
            create_token(session, name="x", role=Role.CONTRACTOR, organisation_id=owner)
        issued = create_token(
            session, name="ok", role=Role.CONTRACTOR, organisation_id=api_world.contractor_id
        )
        session.rollback()
    assert issued.token.organisation_id == api_world.contractor_id
