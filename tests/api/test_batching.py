"""No N+1: the number of SQL statements of a nested query does not grow with the rows."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

NESTED = """query N($first: Int!) { sites(first: $first) { nodes { id name
  furniture { serial model { name category } lastMaintenance { performedOn wearType severity } } } } }"""


def _statements_for(gql, first: int) -> tuple[int, int]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        # Authentication (a token is trusted for under a second) and the background sweep of
        # abandoned planning runs run on their own clocks: they are not the query's statements.
        if "api_tokens" not in statement and "planning_runs" not in statement:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        data = gql.data("planner", NESTED, first=first)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    items = sum(len(node["furniture"]) for node in data["sites"]["nodes"])
    return len(statements), items


def test_nested_sites_furniture_models_maintenance_take_constant_statements(gql):
    """10 sites and 100 sites (hundreds of items) cost the same number of statements."""
    gql.data("planner", NESTED, first=1)  # warm up: token cache and connection set-up
    few, few_items = _statements_for(gql, 10)
    many, many_items = _statements_for(gql, 100)
    assert many_items > 5 * few_items
    assert many == few
    assert many <= 6  # page, furniture, models, last maintenance (+ transaction control)
