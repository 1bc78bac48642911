"""A database that cannot be reached is a clear, retryable UNAVAILABLE, never a 500 INTERNAL.

Found by benchmarks/fault_test.py: while PostgreSQL restarted, 1,592 of 1,618 failed answers
were HTTP 500 INTERNAL (authenticating the token reads the database, before any resolver) and
26 were GraphQL INTERNAL errors (resolvers of callers whose token was cached): a client could
not tell an outage from a server bug. Nothing global is stopped here: an app is pointed at a
database nobody can open, or at a PostGIS database of its own that is dropped mid-test.
"""

from __future__ import annotations

import socket

import pytest
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, PendingRollbackError, SQLAlchemyError
from starlette.testclient import TestClient

from sitecrew.api.errors import classify
from sitecrew.config import DatabaseSettings, Settings
from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token
from sitecrew.web.app import create_app

REGIONS = {"query": "{ regions { nodes { id } } }"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_url(backend, database_url_factory, tmp_path):
    """A database URL of ``backend`` that cannot be opened: nothing listens, or no file can be."""
    if backend == "spatialite":
        return f"sqlite:///{tmp_path}"  # a folder: "unable to open database file"
    reachable = make_url(database_url_factory(backend, "sitecrew_test_outage_probe"))
    return reachable.set(port=_closed_port()).render_as_string(hide_password=False)


def _client(url: str) -> TestClient:
    return TestClient(create_app(Settings(database=DatabaseSettings(url=url))))


def test_a_request_to_an_unreachable_database_is_503_unavailable_with_retry_after(unreachable_url):
    """The token cannot be checked: a JSON 503 UNAVAILABLE saying to retry, no SQL, no host."""
    with _client(unreachable_url) as client:
        response = client.post("/graphql", json=REGIONS, headers={"Authorization": "Bearer x"})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["UNAVAILABLE"]
    assert "try again" in errors[0]["message"]
    assert "127.0.0.1" not in response.text
    assert "sqlalche" not in response.text


def test_a_resolver_whose_database_is_unreachable_reports_unavailable(unreachable_url):
    """The GraphQL error of a resolver that failed to connect carries UNAVAILABLE."""
    engine = engine_from_url(unreachable_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect():
            pass
    finally:
        engine.dispose()
    verdict = classify(GraphQLError("failed", original_error=raised.value))
    assert (verdict.code, verdict.expected) == ("UNAVAILABLE", True)
    assert "try again" in verdict.message


def test_a_bug_in_sql_stays_internal(engine):
    """A statement the database rejects for what it says (a missing table) is no outage."""
    with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    verdict = classify(GraphQLError("failed", original_error=raised.value))
    assert (verdict.code, verdict.message) == ("INTERNAL", "Unexpected error.")


def test_postgis_dropped_mid_service_answers_unavailable_not_internal(
    backend, database_url_factory
):
    """Signed in and served, then the database goes: UNAVAILABLE for every later request.

    Whether the token was cached by the first answer (the request fails later, setting up its
    sessions or in a resolver) or not (it fails while authenticating: a 503), the client is told
    UNAVAILABLE, not INTERNAL.
    """
    if backend != "postgis":
        pytest.skip("dropping a database mid-service is PostgreSQL's outage (SQLite has no server)")
    url = database_url_factory(backend, "sitecrew_test_outage_drop")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        admin = create_token(session, name="admin", role=Role.ADMIN).secret
        other = create_token(session, name="other", role=Role.ADMIN).secret
    engine.dispose()
    with _client(url) as client:
        first = client.post("/graphql", json=REGIONS, headers={"Authorization": f"Bearer {admin}"})
        assert first.status_code == 200, first.text
        _drop(url)
        cached = client.post("/graphql", json=REGIONS, headers={"Authorization": f"Bearer {admin}"})
        fresh = client.post("/graphql", json=REGIONS, headers={"Authorization": f"Bearer {other}"})
    assert cached.status_code in {200, 503}, cached.text
    assert [e["extensions"]["code"] for e in cached.json()["errors"]] == ["UNAVAILABLE"]
    assert fresh.status_code == 503, fresh.text
    assert [e["extensions"]["code"] for e in fresh.json()["errors"]] == ["UNAVAILABLE"]


def test_a_session_whose_connection_was_killed_reports_unavailable_at_every_later_use(
    backend, database_url_factory
):
    """A loader using the request's session after its connection died is no bug of ours.

    Under load, PostgreSQL restarting killed the connection under a request: the first
    statement failed to reach it, and every later loader of the request got SQLAlchemy's
    "Can't reconnect until invalid transaction is rolled back" (167 such INTERNAL errors).
    """
    if backend != "postgis":
        pytest.skip("a connection killed by the server is PostgreSQL's outage")
    engine = engine_from_url(database_url_factory(backend, "sitecrew_test_outage_kill"))
    try:
        with session_factory(engine)() as session:
            pid = session.scalar(text("SELECT pg_backend_pid()"))
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            failures = []
            for _ in range(2):
                with pytest.raises(SQLAlchemyError) as raised:
                    session.scalar(text("SELECT 1"))
                failures.append(raised.value)
    finally:
        engine.dispose()
    assert isinstance(failures[1], PendingRollbackError)
    codes = [classify(GraphQLError("failed", original_error=error)).code for error in failures]
    assert codes == ["UNAVAILABLE", "UNAVAILABLE"]


def _drop(url: str) -> None:
    name = make_url(url).database
    admin = make_url(url).set(database="postgres")
    engine = engine_from_url(admin.render_as_string(hide_password=False))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()
