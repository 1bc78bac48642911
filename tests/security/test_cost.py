"""Query cost attacks over HTTP: fragments, variables, nested lists, viewports, batches, size.

Each attack was accepted before the cost was computed on the executed operation: a named
fragment cost 1 whatever it held, ``first: $n`` was priced at 50, nested lists at 50 while they
return 500, a viewport at 1, and a batch had no shared budget nor any answer size cap.
"""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLList, get_named_type, get_nullable_type, is_leaf_type
from tests.api.conftest import error_codes, make_client

from sitecrew.api.cost import NESTED_LIST_CAPS, PAGE_LISTS, UNCAPPED_LISTS
from sitecrew.api.schema import schema

#: A budget the old estimate let every attack below through (each cost it 105 to 151).
TIGHT = 1000
BOX = "{west: 10.750, south: 59.915, east: 10.751, north: 59.916}"


@pytest.fixture(scope="module")
def tight(api_world):
    """Post JSON as an admin to an app whose cost budget is :data:`TIGHT`."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with make_client(api_world, max_cost=TIGHT) as client:
        yield lambda body: client.post("/graphql", json=body, headers=headers)


@pytest.fixture
def admin_post(client, api_world):
    """Post JSON as an admin to the app with default settings."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    return lambda body: client.post("/graphql", json=body, headers=headers)


def _cost(body: dict) -> int:
    """The cost a QUERY_TOO_COSTLY error reports."""
    assert error_codes(body) == ["QUERY_TOO_COSTLY"], body
    return int(re.search(r"cost (\d+)", body["errors"][0]["message"]).group(1))


def test_a_named_fragment_costs_what_it_selects_when_spread_in_a_list(tight):
    """500 furniture per site behind `...F` are weighed as if written inline."""
    inline = "{ sites(first: 2) { nodes { furniture { id } } } }"
    spread = "fragment F on Site { furniture { id } } { sites(first: 2) { nodes { ...F } } }"
    nested = (
        "fragment F on Site { ... on Site { ...G } } fragment G on Site { furniture { id } }"
        " { sites(first: 2) { nodes { ...F } } }"
    )
    costs = {_cost(tight({"query": query}).json()) for query in (inline, spread, nested)}
    assert costs == {1 + 2 * (1 + 500 * (1 + 1))}  # sites, 2 sites, 500 items, their ids


def test_a_variable_page_size_costs_its_value_when_first_comes_from_variables(tight):
    """`first: $n` with n = 500 costs as much as `first: 500`, and a small page still runs."""
    query = "query Page($n: Int!) { sites(first: $n) { nodes { id name } } }"
    through_variable = tight({"query": query, "variables": {"n": 500}}).json()
    literal = tight({"query": "{ sites(first: 500) { nodes { id name } } }"}).json()
    assert _cost(through_variable) == _cost(literal) == 1 + 500 * (1 + 2)
    small = tight({"query": query, "variables": {"n": 5}}).json()
    assert small.get("errors") is None
    assert len(small["data"]["sites"]["nodes"]) == 5


def test_a_variable_default_is_the_page_when_the_variable_is_not_sent(tight):
    """`$n: Int = 500` without a value costs 500 items; a field's own default (50) counts too."""
    query = "query Page($n: Int = 500) { sites(first: $n) { nodes { id name } } }"
    assert _cost(tight({"query": query}).json()) == 1 + 500 * (1 + 2)
    defaults = "{ sites { nodes { id name } } regions { nodes { id } } }"
    assert tight({"query": defaults}).json().get("errors") is None


@pytest.mark.parametrize(
    ("query", "items"),
    [
        ("{ sites(first: 2) { nodes { furniture { id } } } }", 500),
        ("{ furniture(first: 2) { nodes { maintenanceRecords { id } } } }", 500),
        ("{ jobs(first: 2) { nodes { appointments { id } } } }", 500),
        ("{ crews(first: 2) { nodes { members { name } } } }", 500),
    ],
    ids=["site-furniture", "furniture-maintenance", "job-appointments", "crew-members"],
)
def test_a_nested_list_costs_its_resolver_cap_when_selected_per_row(tight, query, items):
    """Site.furniture, maintenanceRecords, appointments and members each weigh 500 per parent."""
    assert _cost(tight({"query": query}).json()) == 1 + 2 * (1 + items * (1 + 1))


def test_aliased_viewports_are_too_costly_when_one_operation_asks_thirty(admin_post):
    """30 aliases of a viewport cost 30 feature caps and are refused with default settings."""
    query = "{ " + " ".join(f"v{i}: viewport(layer: APARTMENTS, bbox: {BOX})" for i in range(30))
    body = admin_post({"query": query + " }"}).json()
    assert _cost(body) == 30 * 5000 * 10
    assert body["data"] is None


def test_a_batch_shares_one_budget_when_each_operation_fits_alone(admin_post):
    """Ten operations of two viewports each fit alone (100,000) but not together (1,000,000)."""
    two = (
        f"{{ a: viewport(layer: APARTMENTS, bbox: {BOX}) b: viewport(layer: SITES, bbox: {BOX}) }}"
    )
    alone = admin_post({"query": two}).json()
    assert alone.get("errors") is None
    answers = admin_post([{"query": two}] * 10)
    assert answers.status_code == 200
    bodies = answers.json()
    assert [error_codes(body) for body in bodies] == [["QUERY_TOO_COSTLY"]] * 10
    assert all(body["data"] is None for body in bodies)
    assert "1000000" in bodies[0]["errors"][0]["message"]
    fits = admin_post([{"query": two}] * 5).json()
    assert [body.get("errors") for body in fits] == [None] * 5


def test_the_issue_batch_of_thirty_viewports_times_ten_is_refused_when_sent(admin_post):
    """The 13 KB request that returned 200 MB: 10 operations x 30 aliased viewports."""
    query = "{ " + " ".join(f"v{i}: viewport(layer: FURNITURE, bbox: {BOX})" for i in range(30))
    answers = admin_post([{"query": query + " }"}] * 10)
    assert answers.status_code == 200
    assert [error_codes(body) for body in answers.json()] == [["QUERY_TOO_COSTLY"]] * 10
    assert len(answers.content) < 10_000


def test_an_answer_above_the_response_cap_is_replaced_when_too_large(api_world):
    """A legitimate but large answer becomes RESPONSE_TOO_LARGE instead of its bytes."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    query = {"query": "{ sites(first: 100) { nodes { id name area } } }"}
    with make_client(api_world, max_response_bytes=5000) as client:
        single = client.post("/graphql", json=query, headers=headers)
        batch = client.post("/graphql", json=[query, query], headers=headers)
        small = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert single.status_code == 200
    assert len(single.content) < 5000
    assert single.json()["data"] is None
    assert error_codes(single.json()) == ["RESPONSE_TOO_LARGE"]
    assert [error_codes(body) for body in batch.json()] == [["RESPONSE_TOO_LARGE"]] * 2
    assert small.json() == {"data": {"__typename": "Query"}}


def test_every_list_field_of_the_schema_has_a_known_weight_when_costed():
    """A new list field must name its cap here, or the cost would fall back to a guess."""
    graphql_schema = schema._schema
    unknown = []
    for type_ in graphql_schema.type_map.values():
        if type_.name.startswith("__") or not hasattr(type_, "fields"):
            continue
        for name, field in type_.fields.items():
            nullable = get_nullable_type(field.type)
            if not isinstance(nullable, GraphQLList) or is_leaf_type(get_named_type(nullable)):
                continue
            known = (type_.name, name) in NESTED_LIST_CAPS or (type_.name, name) in UNCAPPED_LISTS
            if not known and not (type_.name.endswith("Connection") and name in PAGE_LISTS):
                unknown.append(f"{type_.name}.{name}")
    assert unknown == []
