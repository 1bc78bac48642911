"""Hardening: every limit refuses with a stable code, and each follows its setting."""

from __future__ import annotations

import pytest
from tests.api.conftest import error_codes, make_client

REGIONS = "{ regions { nodes { id } } }"


@pytest.fixture
def post(api_world):
    """Post a JSON body to an app built with the given server settings, as an admin."""

    def post(body: object, **server: object):
        headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
        with make_client(api_world, **server) as client:
            return client.post("/graphql", json=body, headers=headers)

    return post


def test_depth_and_aliases_beyond_their_limits_are_validation_errors(post):
    """Nesting deeper than max_query_depth, or more aliases than max_aliases, is refused."""
    deep = "{ sites(first: 1) { nodes { furniture { site { furniture { site { id } } } } } } }"
    # 500 furniture under each of 500 furniture: costly, so the budget is lifted to see depth.
    assert post({"query": deep}, max_cost=10**7).json()["data"] is not None
    refused = post({"query": deep}, max_query_depth=4).json()
    assert error_codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "exceeds maximum operation depth" in refused["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: regions {{ nodes {{ id }} }}" for i in range(5)) + " }"
    assert "errors" not in post({"query": aliases}).json()
    refused = post({"query": aliases}, max_aliases=4).json()
    assert error_codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_document_with_too_many_tokens_is_refused_before_it_is_parsed(post):
    """A huge document is refused by token count (no parse tree is built for it)."""
    assert "errors" not in post({"query": REGIONS}).json()
    body = post({"query": REGIONS}, max_tokens=5).json()
    assert body["data"] is None
    assert "tokens" in body["errors"][0]["message"]


def test_a_query_that_fans_out_too_far_is_too_costly(post):
    """Nested pages multiply: 500 sites x 500 furniture each is refused before it runs."""
    wide = "{ sites(first: 500) { nodes { furniture { id serial model { name } } } } }"
    body = post({"query": wide}, max_cost=1000).json()
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    assert "exceeds the limit of 1000" in body["errors"][0]["message"]
    assert (
        "errors"
        not in post({"query": "{ sites(first: 2) { nodes { id } } }"}, max_cost=1000).json()
    )


def test_batches_are_capped_and_can_be_switched_off(post):
    """A JSON list of operations runs up to max_batch; more, or any with batching off, is a 400."""
    three = [{"query": REGIONS}] * 3
    answers = post(three, max_batch=3)
    assert answers.status_code == 200
    assert [("errors" in answer) for answer in answers.json()] == [False, False, False]
    too_many = post(three, max_batch=2)
    assert (too_many.status_code, error_codes(too_many.json())) == (400, ["BATCH_TOO_LARGE"])
    off = post(three, max_batch=0)
    assert (off.status_code, error_codes(off.json())) == (400, ["BATCHING_DISABLED"])
