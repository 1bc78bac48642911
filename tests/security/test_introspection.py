"""Introspection is on for signed-in callers (GraphiQL needs it): what bounds it.

strawberry's depth limit skips every field whose name starts with ``__``, and the cost estimate
weighed an introspection field as 1 whatever it selected, so with introspection on, aliased
nested introspection lists cost nothing however large their answer.
"""

from __future__ import annotations

import pytest
from graphql import get_introspection_query
from tests.api.conftest import error_codes, make_client

#: Nested introspection lists that graphql-core's own introspection depth rule lets through.
NESTED = (
    "types { fields { args { name type { name } } type { name ofType { name fields { name "
    "args { name } type { name ofType { name } } } } } } }"
)


def test_graphiql_reads_the_schema_when_a_signed_in_caller_introspects(gql):
    """The introspection query GraphiQL sends runs within the default limits for any role."""
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    data = gql.data("crew", query)
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Query", "Mutation", "Subscription", "Site"} <= names


def _values(answer: dict) -> int:
    """Count an answer's values as the cost estimate counts them.

    A field is one value, an object field one plus its fields, a list field one per item (plus
    the item's fields), an empty list one.
    """
    return sum(_field_values(value) for value in answer.values())


def _field_values(value: object) -> int:
    if isinstance(value, dict):
        return 1 + _values(value)
    if isinstance(value, list):
        items = (1 + (_values(item) if isinstance(item, dict) else 0) for item in value)
        return max(1, sum(items))
    return 1


def test_aliased_nested_introspection_is_weighed_by_the_answer_it_makes(api_world, gql):
    """Twenty copies of two nested field lists cost what their answer holds, not nothing.

    The schema is known, so the estimate counts the introspection answer exactly: never less
    than it is (so the budget bounds it) and not wildly more (so GraphiQL's own query fits).
    """
    query = "{ __schema { " + " ".join(f"a{i}: {NESTED}" for i in range(20)) + " } }"
    answer = gql.data("planner", query)
    with make_client(api_world, max_cost=1000) as client:
        headers = {"Authorization": f"Bearer {api_world.tokens['planner']}"}
        body = client.post("/graphql", json={"query": query}, headers=headers).json()
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    assert body.get("data") is None
    estimate = int(body["errors"][0]["message"].split()[2])
    assert _values(answer) <= estimate <= 1.05 * _values(answer)


def test_graphiql_introspection_costs_what_it_answers(gql):
    """The introspection GraphiQL sends is weighed by its answer (about 11,000 values), so the
    schema can keep growing without the console's first request being refused."""
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    answer = gql.data("crew", query)
    from sitecrew.api.cost import CostLimits, request_cost
    from sitecrew.api.schema import schema
    from sitecrew.config import ServerSettings

    estimate = request_cost(
        schema._schema,
        query,
        operation_name=None,
        variables=None,
        limits=CostLimits.from_settings(ServerSettings()),
        max_tokens=100_000,
    )
    assert _values(answer) <= estimate <= 1.05 * _values(answer)


def test_one_type_introspected_costs_its_fields_when_asked_by_name(gql):
    """`__type(name:)` is weighed like `__schema`: a small question stays cheap and answers."""
    data = gql.data("planner", '{ __type(name: "Site") { name fields { name } } }')
    assert data["__type"]["name"] == "Site"
    assert any(field["name"] == "id" for field in data["__type"]["fields"])


SHAPES = (
    "{ __schema { types { name kind fields { name } } } }",
    "{ __schema { queryType { name } mutationType { fields { name args { name } } } } }",
    "{ __schema { directives { name locations args { name type { kind name } } } } }",
    "{ __schema { types { enumValues { name } inputFields { name type { ofType { name } } } } } }",
    "{ __schema { types { interfaces { name } possibleTypes { name } } } }",
    '{ __type(name: "Mutation") { fields { name type { name kind ofType { name } } } } }',
    '{ __type(name: "NoSuchType") { name } }',
    '{ a: __type(name: "Site") { name } b: __type(name: "Crew") { fields { name } } }',
    "query Q($n: String!) { __type(name: $n) { fields { args { name } } } }",
    (
        "{ __schema { types { ...F } } } fragment F on __Type { name fields { ...G } }"
        " fragment G on __Field { name __typename type { name } }"
    ),
    "{ __schema { types @include(if: false) { name } queryType { name } } }",
)


@pytest.mark.parametrize("query", SHAPES)
def test_introspection_is_never_weighed_below_its_answer(query):
    """Whatever the shape (fragments, aliases, directives, variables, unknown names), the
    estimate is at least the answer's values: the budget bounds introspection."""
    from graphql import graphql_sync

    from sitecrew.api.cost import CostLimits, request_cost
    from sitecrew.api.schema import schema
    from sitecrew.config import ServerSettings

    raw = schema._schema
    variables = {"n": "Furniture"}
    answer = graphql_sync(raw, query, variable_values=variables)
    assert answer.errors is None, answer.errors
    estimate = request_cost(
        raw,
        query,
        operation_name=None,
        variables=variables,
        limits=CostLimits.from_settings(ServerSettings()),
        max_tokens=100_000,
    )
    assert _values(answer.data) <= estimate <= 1.05 * _values(answer.data)
