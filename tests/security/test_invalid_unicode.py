"""Text that is not valid Unicode (a lone surrogate sent as a JSON escape) gets a clear answer.

JSON lets a client write ``"\\ud800"``, which no UTF-8 text can hold: such a value quoted back
in an error message, or written to the database, must still give a typed answer, never a 500.
Found by the fuzz test (a viewport layer of ``"\\ud800"``).
"""

from __future__ import annotations

import json

import pytest
from tests.api.conftest import error_codes
from tests.security.schema_calls import schema_caller

from sitecrew.domain.access import Principal, Role

LONE = "\ud800"


@pytest.fixture
def post_raw(client, api_world):
    """Post a JSON body written by the stdlib (which escapes lone surrogates) as an admin."""
    headers = {
        "Authorization": f"Bearer {api_world.tokens['admin']}",
        "Content-Type": "application/json",
    }
    return lambda body: client.post("/graphql", content=json.dumps(body), headers=headers)


def test_a_lone_surrogate_enum_value_is_a_validation_error_not_a_crash(post_raw):
    query = (
        "query ($layer: ViewportLayer!, $box: BBoxInput!) { viewport(layer: $layer, bbox: $box) }"
    )
    box = {"west": 10.75, "south": 59.91, "east": 10.76, "north": 59.92}
    response = post_raw({"query": query, "variables": {"layer": LONE, "box": box}})
    assert response.status_code in {200, 400}
    assert "INTERNAL" not in error_codes(response.json())


@pytest.mark.parametrize(
    "mutation",
    [
        (
            "mutation ($t: String!) { createOrganisation(input: {name: $t, kind: OWNER}) "
            "{ __typename ... on Problem { code } } }"
        ),
        (
            'mutation ($t: String!) { createSite(input: {name: $t, kind: SCHOOLYARD, region: "oslo", '
            "lon: 10.75, lat: 59.92}) { __typename ... on Problem { code } } }"
        ),
    ],
)
def test_a_lone_surrogate_in_text_to_store_is_refused_not_a_crash(api_world, mutation):
    """Through the schema on a rolled-back session: whatever happens is a typed answer."""
    with schema_caller(api_world.url) as calls:
        result = calls(Principal(Role.ADMIN), mutation, t=f"Skole {LONE} nord")
    assert result.errors is None, result.errors
    payload = next(iter(result.data.values()))
    assert payload["__typename"] == "InvalidInput"
