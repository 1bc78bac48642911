"""Introspection is on for signed-in callers (GraphiQL needs it): what bounds it.

strawberry's depth limit skips every field whose name starts with ``__``, and the cost estimate
weighed an introspection field as 1 whatever it selected, so with introspection on, aliased
nested introspection lists cost nothing however large their answer.
"""

from __future__ import annotations

from graphql import get_introspection_query
from tests.api.conftest import error_codes

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


def test_aliased_nested_introspection_is_refused_as_too_costly_when_introspection_is_on(gql):
    """Twenty copies of two nested field lists (about 1 MB of answer) exceed the cost budget."""
    query = "{ __schema { " + " ".join(f"a{i}: {NESTED}" for i in range(20)) + " } }"
    body = gql("planner", query)
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    assert body.get("data") is None


def test_one_type_introspected_costs_its_fields_when_asked_by_name(gql):
    """`__type(name:)` is weighed like `__schema`: a small question stays cheap and answers."""
    data = gql.data("planner", '{ __type(name: "Site") { name fields { name } } }')
    assert data["__type"]["name"] == "Site"
    assert any(field["name"] == "id" for field in data["__type"]["fields"])
