"""``sitecrew serve`` logs as an operator reads them: a real server process, its stderr read back.

The server is started as a user starts it (``python -m sitecrew serve``) on a fresh database of
each backend, sent an expected error, a refused request and a bad page size, then stopped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess  # the server is tested as an operator runs it: a real process
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

import pytest

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token

MISSING_SITE = b'{"query": "query Missing { site(id: 2147483000) { id } }"}'
EMPTY_PAGE = b'{"query": "query Page { sites(first: 0) { nodes { id } } }"}'


@pytest.fixture
def served_database(backend, database_url_factory):
    """A migrated database of ``backend`` with one planner token: (url, secret, token id)."""
    url = database_url_factory(backend, "sitecrew_test_serve_logs")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        secret, token = create_token(session, name="walk", role=Role.PLANNER)
        token_id = token.id
    engine.dispose()
    return url, secret, token_id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """A running server's base URL; its stderr once the server has stopped."""

    base: str
    stderr: str = ""


@contextmanager
def _server(url: str, log_format: str):
    """Run ``sitecrew serve`` until the block ends; its stderr is read when it has stopped."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SITECREW_LOG_FORMAT": log_format}
    env.pop("SITECREW_LOG_LEVEL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "sitecrew", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(served.base, process)
        yield served
    finally:
        process.terminate()
        _, served.stderr = process.communicate(timeout=30)


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (local)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("serve did not answer /healthz within 60 s")


def _post(base: str, body: bytes, headers: dict[str, str]) -> tuple[int, Message, dict]:
    request = urllib.request.Request(  # noqa: S310 (a local test server)
        f"{base}/graphql",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, json.loads(refused.read())


def _walk(base: str, secret: str) -> dict[str, str]:
    """Send the three requests; return the request id each answer carried, by name."""
    bearer = {"Authorization": f"Bearer {secret}"}
    status, headers, body = _post(base, MISSING_SITE, {**bearer, "X-Request-ID": "walk-1"})
    assert (status, headers["X-Request-ID"]) == (200, "walk-1")
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND", "requestId": "walk-1"}
    status, headers, body = _post(base, MISSING_SITE, {})
    assert status == 401
    assert body["errors"][0]["extensions"]["requestId"] == headers["X-Request-ID"]
    status, headers, body = _post(base, EMPTY_PAGE, bearer)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    return {"missing": "walk-1", "page": headers["X-Request-ID"]}


def test_served_json_logs_are_one_object_per_line_without_tracebacks_when_errors_are_expected(
    served_database,
):
    """Every stderr line is JSON; an expected error is one line with code, operation, principal."""
    url, secret, token_id = served_database
    with _server(url, "json") as served:
        ids = _walk(served.base, secret)
    stderr = served.stderr
    assert "Traceback" not in stderr
    assert secret not in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    errors = [line for line in lines if line["logger"] == "sitecrew.api"]
    assert [(e["code"], e["operation"], e["request_id"]) for e in errors] == [
        ("NOT_FOUND", "Missing", ids["missing"]),
        ("INVALID_INPUT", "Page", ids["page"]),
    ]
    assert all(
        (e["role"], e["token_id"], e["level"]) == ("planner", token_id, "INFO") for e in errors
    )
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert ids["missing"] in {line["request_id"] for line in access}


def test_served_text_logs_carry_the_request_id_when_errors_are_expected(served_database):
    """The default text lines name the request id in brackets, and hold no traceback."""
    url, secret, token_id = served_database
    with _server(url, "text") as served:
        _walk(served.base, secret)
    stderr = served.stderr
    assert "Traceback" not in stderr
    [line] = [line for line in stderr.splitlines() if "NOT_FOUND in Missing" in line]
    assert "[walk-1]" in line
    assert f"by planner token {token_id}" in line
    assert " INFO sitecrew.api " in line


def test_serve_refuses_an_unknown_log_level_when_started():
    """A typo in SITECREW_LOG_LEVEL is a configuration error (exit 7), not silent logs."""
    env = {**os.environ, "SITECREW_LOG_LEVEL": "LOUD"}
    result = subprocess.run(
        [sys.executable, "-m", "sitecrew", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 7
    assert "SITECREW_LOG_LEVEL must be one of" in result.stderr
    assert "Traceback" not in result.stderr
