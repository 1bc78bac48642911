"""Quiet, useful logs: one line per expected error, a request id in headers, errors and logs.

Each test sends real requests to the app of the API world (HTTP and WebSocket) and reads what
the ``sitecrew`` loggers wrote, with the request-id filter ``sitecrew serve`` installs.
"""

from __future__ import annotations

import logging
import re

import pytest
from tests.api.conftest import make_client
from tests.security.test_websocket import bearer, socket, subscribe

from sitecrew.logs import RequestIdFilter

MISSING_SITE = "query Missing { site(id: 2147483000) { id } }"
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def app(api_world):
    """The app of the API world."""
    with make_client(api_world) as client:
        yield client


@pytest.fixture
def log_lines(caplog):
    """The ``sitecrew`` records of the test, each tagged with its request id."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO, logger="sitecrew")

    def lines() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.startswith("sitecrew")]

    return lines


def _post(app, api_world, query: str, role: str | None = "planner", **headers: str):
    if role is not None:
        headers["Authorization"] = f"Bearer {api_world.tokens[role]}"
    return app.post("/graphql", json={"query": query}, headers=headers)


def test_an_expected_error_is_one_line_with_code_operation_and_principal_when_served(
    app, api_world, log_lines
):
    """NOT_FOUND is one INFO line naming code, operation, role and token id; no traceback."""
    response = _post(app, api_world, MISSING_SITE)
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    [line] = log_lines()
    assert (line.levelno, line.exc_info) == (logging.INFO, None)
    assert line.code == "NOT_FOUND"
    assert line.operation == "Missing"
    assert line.role == "planner"
    assert isinstance(line.token_id, int)
    assert f"NOT_FOUND in Missing at site by planner token {line.token_id}" in line.getMessage()
    assert api_world.tokens["planner"] not in line.getMessage()


def test_a_refused_mutation_is_one_line_when_its_payload_is_a_problem(app, api_world, log_lines):
    """A payload problem (a crew may not delete a site) is logged once with code and caller."""
    delete = """mutation Remove($input: DeleteInput!) { deleteSite(input: $input) {
      __typename ... on Problem { code } } }"""
    response = app.post(
        "/graphql",
        json={"query": delete, "variables": {"input": {"id": "1"}}},
        headers={"Authorization": f"Bearer {api_world.tokens['crew']}"},
    )
    assert response.json()["data"]["deleteSite"]["code"] == "FORBIDDEN"
    [line] = log_lines()
    assert (line.code, line.operation, line.path, line.role) == (
        "FORBIDDEN",
        "Remove",
        "deleteSite",
        "crew",
    )
    assert line.exc_info is None


def test_the_request_id_is_in_the_header_the_errors_and_the_log_when_a_client_sends_one(
    app, api_world, log_lines
):
    """A sane incoming X-Request-ID is echoed, put in extensions.requestId and on the log line."""
    response = _post(
        app,
        api_world,
        "query Page { sites(first: 0) { nodes { id } } }",
        **{"X-Request-ID": "walk-42"},
    )
    assert response.headers["X-Request-ID"] == "walk-42"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "requestId": "walk-42"}
    assert [line.request_id for line in log_lines()][-1] == "walk-42"


@pytest.mark.parametrize(
    "hostile",
    ["two words", "x" * 200, "<script>alert(1)</script>", "id\tforged=1", "ok\u00e9"],
    ids=["space", "long", "markup", "tab", "non-ascii"],
)
def test_a_hostile_request_id_is_replaced_when_sent(app, api_world, log_lines, hostile):
    """An id that could forge or break a log line is not echoed: the server makes its own."""
    response = app.post(
        "/graphql",
        json={"query": MISSING_SITE},
        headers={
            "Authorization": f"Bearer {api_world.tokens['planner']}",
            "X-Request-ID": hostile.encode(),
        },
    )
    made = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(made)
    assert response.json()["errors"][0]["extensions"]["requestId"] == made
    assert {line.request_id for line in log_lines()} == {made}


def test_each_request_gets_its_own_id_when_none_is_sent(app, api_world):
    """Two requests without an id get two different generated ids."""
    first = _post(app, api_world, MISSING_SITE).headers["X-Request-ID"]
    second = _post(app, api_world, MISSING_SITE).headers["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sc_not-a-token"}],
    ids=["no-token", "unknown-token"],
)
def test_a_request_level_error_carries_the_request_id_when_refused(app, log_lines, headers):
    """A refusal before execution is GraphQL JSON with requestId, and one log line, no secret."""
    response = app.post(
        "/graphql", json={"query": MISSING_SITE}, headers={**headers, "X-Request-ID": "req-7"}
    )
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "req-7"}
    lines = log_lines()
    assert [(line.code, line.request_id, line.exc_info) for line in lines] == [
        ("UNAUTHENTICATED", "req-7", None)
    ]
    assert "sc_not-a-token" not in lines[0].getMessage()


def test_a_415_carries_the_request_id_when_refused(app, api_world):
    """A wrong content type is refused with the request id in its error."""
    headers = {
        "Authorization": f"Bearer {api_world.tokens['planner']}",
        "Content-Type": "text/plain",
        "X-Request-ID": "r-415",
    }
    response = app.post("/graphql", content=b"{}", headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["requestId"] == "r-415"


def test_a_download_error_carries_the_request_id_when_refused(app, api_world, log_lines):
    """A route download of a day that does not exist names the request id and logs one line."""
    response = app.get(
        f"/routes/{api_world.crew_id}/2026-02-30.gpx",
        headers={"Authorization": f"Bearer {api_world.tokens['crew']}", "X-Request-ID": "dl-1"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["requestId"]) == ("INVALID_INPUT", "dl-1")
    assert "does not exist" in error["message"]
    [line] = log_lines()
    assert (line.code, line.role, line.request_id, line.exc_info) == (
        "INVALID_INPUT",
        "crew",
        "dl-1",
        None,
    )


def _answer(ws, operation_id: str) -> dict:
    """The first message of an operation that carries a payload (skipping others' completions)."""
    while True:
        message = ws.receive_json()
        if message.get("id") == operation_id and "payload" in message:
            return message


def test_each_websocket_operation_has_its_own_request_id_when_subscribed(app, api_world, log_lines):
    """Operations on one socket get '<connection id>.<n>' in their errors and log lines."""
    headers = {**bearer(api_world.tokens["planner"]), "X-Request-ID": "sock-9"}
    with socket(app, headers=headers) as ws:
        assert dict(ws.extra_headers or [])[b"x-request-id"] == b"sock-9"
        subscribe(ws, "a")
        first = _answer(ws, "a")
        subscribe(ws, "b", query="query Q { regions { id } }")
        second = _answer(ws, "b")
    [error] = first["payload"] if first["type"] == "error" else first["payload"]["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "requestId": "sock-9.1"}
    refused = second["payload"][0]["extensions"]
    assert refused == {"code": "OPERATION_NOT_ALLOWED", "requestId": "sock-9.2"}
    by_code = {line.code: line for line in log_lines() if hasattr(line, "code")}
    assert by_code["NOT_FOUND"].request_id == "sock-9.1"
    assert by_code["NOT_FOUND"].role == "planner"
    assert by_code["OPERATION_NOT_ALLOWED"].request_id == "sock-9.2"
    assert all(line.exc_info is None for line in log_lines())
