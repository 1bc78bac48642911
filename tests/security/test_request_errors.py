"""Request-level errors over HTTP: GraphQL JSON with a code and a 4xx status, never a 500 page.

Before, a body of ``"x"``, ``123``, ``null`` or ``[1, 2]`` was a 500, the other refusals were
plain text, and no body size was refused at all.
"""

from __future__ import annotations

import pytest
from tests.api.conftest import make_client

REGIONS = {"query": "{ regions { nodes { id } } }"}


@pytest.fixture(scope="module")
def app(api_world):
    """A client of the app with default settings, and the admin's Authorization header."""
    with make_client(api_world) as client:
        yield client, {"Authorization": f"Bearer {api_world.tokens['admin']}"}


def _refusal(response, status: int, code: str) -> str:
    """Assert a GraphQL JSON refusal with ``status`` and ``code``; return its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"]
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    return body["errors"][0]["message"]


def _post_raw(app, body: bytes, content_type: str = "application/json", **kwargs):
    client, headers = app
    return client.post(
        "/graphql", content=body, headers={**headers, "Content-Type": content_type}, **kwargs
    )


def test_a_body_above_the_limit_is_413_when_its_content_length_says_so(app):
    """A 1.1 MB body is refused from its Content-Length with REQUEST_TOO_LARGE."""
    padded = b'{"query": "{ __typename }", "pad": "' + b"x" * 1_100_000 + b'"}'
    message = _refusal(_post_raw(app, padded), 413, "REQUEST_TOO_LARGE")
    assert "1048576 bytes" in message


def test_a_body_above_the_limit_is_413_when_it_is_streamed_without_a_length(app):
    """A chunked body declares no length: the bytes received are counted instead."""

    def chunks():
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(20):
            yield b"x" * 64_000
        yield b'"}'

    response = _post_raw(app, chunks())
    assert "content-length" not in {key.lower() for key in response.request.headers}
    _refusal(response, 413, "REQUEST_TOO_LARGE")


def test_the_body_limit_follows_its_setting_when_configured(api_world):
    """max_request_bytes sets the limit: the same small operation passes or is refused."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with make_client(api_world, max_request_bytes=40) as client:
        short = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        long = client.post("/graphql", json=REGIONS | {"variables": {}}, headers=headers)
    assert short.json() == {"data": {"__typename": "Query"}}
    _refusal(long, 413, "REQUEST_TOO_LARGE")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'{"query": ', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b'"x"', "must be a JSON object"),
        (b"123", "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b"{}", "has no query"),
        (b'{"query": 5}', "has no query"),
        (b'{"query": "  "}', "has no query"),
        (b'{"query": "{ __typename }", "variables": [1]}', "variables must be an object"),
        (b'{"query": "{ __typename }", "operationName": 3}', "operationName must be a string"),
        (b"[1, 2]", "operation 1 of the batch must be a JSON object"),
        (b'[{"query": "{ __typename }"}, "x"]', "operation 2 of the batch"),
        (b"[]", "no operation"),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "nested-too-deep",
        "string",
        "number",
        "null",
        "no-query",
        "query-not-string",
        "blank-query",
        "variables-list",
        "operation-name-number",
        "batch-of-numbers",
        "batch-with-string",
        "empty-batch",
    ],
)
def test_a_malformed_body_is_400_bad_request_when_posted(app, body, needle):
    """Each malformed body gets a 400 BAD_REQUEST in GraphQL JSON that says what is wrong."""
    assert needle in _refusal(_post_raw(app, body), 400, "BAD_REQUEST")


def test_a_list_is_batching_disabled_when_batching_is_off(api_world):
    """With max_batch = 0 any JSON list, even `[1, 2]`, is BATCHING_DISABLED."""
    headers = {
        "Authorization": f"Bearer {api_world.tokens['admin']}",
        "Content-Type": "application/json",
    }
    with make_client(api_world, max_batch=0) as client:
        numbers = client.post("/graphql", content=b"[1, 2]", headers=headers)
        operations = client.post("/graphql", json=[REGIONS], headers=headers)
    _refusal(numbers, 400, "BATCHING_DISABLED")
    _refusal(operations, 400, "BATCHING_DISABLED")


def test_a_batch_beyond_the_limit_is_batch_too_large_when_posted(app):
    """Eleven operations (max_batch 10) are refused as a whole."""
    client, headers = app
    response = client.post("/graphql", json=[REGIONS] * 11, headers=headers)
    assert "at most 10" in _refusal(response, 400, "BATCH_TOO_LARGE")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_wrong_content_type_is_415_when_posted(app, content_type):
    """Only application/json is read; other media types get UNSUPPORTED_MEDIA_TYPE."""
    body = b'{"query": "{ __typename }"}'
    _refusal(_post_raw(app, body, content_type), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert _post_raw(app, body, "application/json; charset=utf-8").status_code == 200


def test_a_request_without_a_valid_token_is_401_unauthenticated_in_json(app):
    """No token or an unknown one: 401 UNAUTHENTICATED with a Bearer challenge."""
    client, _ = app
    missing = client.post("/graphql", json=REGIONS)
    assert "authentication required" in _refusal(missing, 401, "UNAUTHENTICATED")
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = client.post("/graphql", json=REGIONS, headers={"Authorization": "Bearer sc_nope"})
    _refusal(unknown, 401, "UNAUTHENTICATED")


def test_a_query_over_get_is_405_method_not_allowed_when_sent(app):
    """GET carries no operations (POST only); the refusal is JSON, with an Allow header."""
    client, headers = app
    response = client.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    _refusal(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
    page = client.get("/graphql", headers={**headers, "Accept": "text/html"})
    _refusal(page, 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_another_method_is_405_method_not_allowed_in_json_when_sent(app, method):
    """Methods other than POST (and GET for GraphiQL) are refused in GraphQL JSON too."""
    client, headers = app
    response = client.request(method, "/graphql", json=REGIONS, headers=headers)
    _refusal(response, 405, "METHOD_NOT_ALLOWED")


def test_an_unknown_operation_name_is_400_bad_request_when_posted(app):
    """strawberry's own refusals (here: no such operation) are JSON with a code as well."""
    client, headers = app
    body = {"query": "query A { __typename }", "operationName": "B"}
    _refusal(client.post("/graphql", json=body, headers=headers), 400, "BAD_REQUEST")
