"""Property-based fuzzing of the whole API from the committed SDL.

Operations come from hypothesis-graphql over ``schema/schema.graphql``: valid ones and ones with
one schema violation (wrong argument type, missing argument, unknown enum value). Some have
their arguments moved into variables, and some of those variables are then swapped for hostile
values (wrong JSON types, huge numbers, NaN and Infinity, odd text, bad ids and cursors). Each
is posted through the real app as one of several roles, on a world of its own (mutations here
delete and change rows that other tests rely on). Whatever the input, no answer may be a 500,
an ``INTERNAL`` error, a stack trace or SQL.

The seed is fixed (``derandomize``) and the budget bounded, so CI time stays predictable; set
``SITECREW_FUZZ_EXAMPLES`` to search longer locally.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from tests.api.conftest import _build_world, error_codes, make_client

from sitecrew.api.pagination import encode_cursor
from sitecrew.config import OsmSettings

SDL = (Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SDL)
EXAMPLES = int(os.environ.get("SITECREW_FUZZ_EXAMPLES", "800"))
ROLES = ("admin", "planner", "contractor", "crew", "other_crew")
#: Marks of a leaked exception: a traceback, a driver's or SQLAlchemy's error text.
LEAKS = re.compile(
    r'Traceback|File \\?"/|sqlalchemy|psycopg|sqlite3|pysqlite|\[SQL:|\bSELECT\b.{0,200}\bFROM\b'
    r"|OperationalError|IntegrityError|ProgrammingError|DataError|StatementError"
)


def _literal(value: object) -> graphql.ValueNode:
    """Write a JSON-like value as a GraphQL literal node."""
    if isinstance(value, dict):
        fields = [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=_literal(item))
            for key, item in value.items()
        ]
        return nodes.Object(fields)
    if isinstance(value, list):
        return nodes.List([_literal(item) for item in value])
    if value is None:
        return graphql.NullValueNode()
    scalar = {bool: nodes.Boolean, int: nodes.Int, float: nodes.Float}.get(type(value))
    return scalar(value) if scalar else nodes.String(value)


# --- Values a client might send --------------------------------------------------------------

LON = st.floats(min_value=10.6, max_value=10.9)
LAT = st.floats(min_value=59.85, max_value=59.97)
POSITION = st.one_of(
    st.tuples(LON, LAT).map(list),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3),
    st.lists(st.one_of(st.text(max_size=3), st.booleans(), st.none()), max_size=2),
)
RING = st.one_of(
    st.lists(st.tuples(LON, LAT).map(list), min_size=3, max_size=8).map(lambda r: [*r, r[0]]),
    st.lists(POSITION, max_size=6),
)
GEOMETRY = st.one_of(
    st.builds(lambda ring: {"type": "Polygon", "coordinates": [ring]}, RING),
    st.builds(lambda ring: {"type": "MultiPolygon", "coordinates": [[ring]]}, RING),
    st.builds(lambda p: {"type": "Point", "coordinates": p}, POSITION),
    st.builds(lambda ring: {"type": "LineString", "coordinates": ring}, RING),
    st.fixed_dictionaries(
        {
            "type": st.one_of(
                st.text(max_size=12),
                st.integers(),
                st.lists(st.sampled_from(["Polygon", "Point"]), max_size=2),
                st.dictionaries(st.sampled_from(["type"]), st.just("Polygon"), max_size=1),
            ),
            "coordinates": st.one_of(st.just([]), RING),
        }
    ),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=4001, max_value=6000).map(lambda n: "x" * n),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\ud800",
            "💥" * 50,
            "'; DROP TABLE sites; --",
            '"\\',
            "%s%s%n",
            "${jndi:ldap://x}",
            "<script>alert(1)</script>",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01T00:00:00+14:00",
            "NaN",
            "Infinity",
        ]
    ),
)
BAD_IDS = st.sampled_from(
    ["0", "-1", "1e3", " 7", "7 ", "٣", "0x1F", "2147483648", "99999999999999999999999", "1.0"]
)
IDS = st.one_of(st.integers(min_value=1, max_value=3000).map(str), BAD_IDS, ODD_TEXT)
CURSORS = st.one_of(
    st.integers(min_value=-5, max_value=2**40).map(encode_cursor),
    st.sampled_from(["", "sc:1", "c2M6", "c2M6" + "OTk5" * 40, "====", "é"]),
    ODD_TEXT,
)
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "26-06-02", "2026-06-02T00:00"]),
)
DATETIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-06-02"]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from([0, -1, 1, 500, 501, 10**6, float("nan"), float("inf"), -float("inf")]),
)
#: Whatever a variable may be replaced by: every JSON type, and the awkward values of each.
HOSTILE = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT, IDS, CURSORS, DATES, GEOMETRY),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw ``usual`` three times in four: valid documents must reach the resolvers."""
    return st.one_of(usual, usual, usual, odd)


def _printable(text: str) -> bool:
    return "\ud800" not in text  # a lone surrogate cannot be written into a document


SQUARES = st.builds(
    lambda lon, lat, size: {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    },
    LON,
    LAT,
    st.floats(min_value=0.001, max_value=0.05),
)
#: Literal values for hypothesis-graphql, by scalar (ID, String, Int and Float overridden too).
CUSTOM_SCALARS = {
    "ID": _mostly(st.integers(min_value=1, max_value=400).map(str), IDS)
    .filter(_printable)
    .map(nodes.String),
    "String": _mostly(st.text("abcdefgh -", max_size=20), st.one_of(CURSORS, ODD_TEXT))
    .filter(_printable)
    .map(nodes.String),
    "Int": _mostly(
        st.integers(min_value=1, max_value=60),
        st.one_of(
            st.integers(min_value=-(2**31), max_value=2**31 - 1),
            st.sampled_from([0, -1, 500, 501]),
        ),
    ).map(nodes.Int),
    "Float": _mostly(st.one_of(LON, LAT), st.floats(allow_nan=False, allow_infinity=False)).map(
        nodes.Float
    ),
    "Date": _mostly(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)).map(str), DATES
    ).map(nodes.String),
    "DateTime": _mostly(
        st.datetimes(
            min_value=datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis adds the zone)
            max_value=datetime(2027, 12, 31),  # noqa: DTZ001
            timezones=st.just(UTC),
        ).map(lambda moment: moment.isoformat()),
        DATETIMES,
    ).map(nodes.String),
    "Time": st.times().map(lambda moment: nodes.String(moment.isoformat())),
    "GeoJSON": _mostly(SQUARES, GEOMETRY).map(_literal),
    "FeatureCollection": st.just({"type": "FeatureCollection", "features": []}).map(_literal),
}
VALID_DOCUMENTS = from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS, print_ast=lambda doc: doc)
#: Two in three documents are valid; the third has one schema violation.
DOCUMENTS = st.one_of(
    VALID_DOCUMENTS,
    VALID_DOCUMENTS,
    from_schema(
        SCHEMA, custom_scalars=CUSTOM_SCALARS, print_ast=lambda doc: doc, mode=Mode.NEGATIVE
    ),
)


# --- Arguments into variables ----------------------------------------------------------------


class _Variables(graphql.Visitor):
    """Replace each argument whose definition is known by a variable of the declared type."""

    def __init__(self, type_info: graphql.TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: graphql.ArgumentNode, *_args: object) -> object:
        definition = self.type_info.get_argument()
        if definition is None or isinstance(node.value, graphql.VariableNode):
            return None
        name = f"v{len(self.values)}"
        self.values[name] = graphql.value_from_ast_untyped(node.value)
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        type_node = graphql.parse_type(str(definition.type))
        self.definitions.append(graphql.VariableDefinitionNode(variable=variable, type=type_node))
        return graphql.ArgumentNode(name=node.name, value=variable)


def _with_variables(document: graphql.DocumentNode) -> tuple[str, dict[str, Any]]:
    type_info = graphql.TypeInfo(SCHEMA)
    collector = _Variables(type_info)
    rewritten = graphql.visit(document, graphql.TypeInfoVisitor(type_info, collector))
    operation = rewritten.definitions[0]
    declared = (*operation.variable_definitions, *collector.definitions)
    operation = dataclasses.replace(operation, variable_definitions=declared)
    document = graphql.DocumentNode(definitions=(operation, *rewritten.definitions[1:]))
    return graphql.print_ast(document), collector.values


def _swap_leaf(draw: st.DrawFn, value: object) -> object:
    """Replace one value deep inside an input object or list (one field of an input, say)."""
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: _swap_leaf(draw, value[key])}
    if isinstance(value, list) and value:
        index = draw(st.integers(min_value=0, max_value=len(value) - 1))
        return [*value[:index], _swap_leaf(draw, value[index]), *value[index + 1 :]]
    return draw(HOSTILE)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str | None, str]:
    """Draw a role (or none) and a JSON request body."""
    document = draw(DOCUMENTS)
    if draw(st.booleans()):
        query, variables = _with_variables(document)
        for name in list(variables):
            swap = draw(st.integers(min_value=0, max_value=5))
            if swap == 0:
                variables[name] = draw(HOSTILE)
            elif swap == 1:
                variables[name] = _swap_leaf(draw, variables[name])
    else:
        query, variables = graphql.print_ast(document), {}
    role = draw(st.sampled_from((*ROLES, None)))
    return role, json.dumps({"query": query, "variables": variables}, allow_nan=True)


# --- The world and the property --------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_client(backend, database_url_factory, osm_dir, tmp_path_factory):
    """The app on a world of its own (no street graphs: a planning run fails typed, quickly)."""
    url = database_url_factory(backend, "sitecrew_test_fuzz")
    world = _build_world(url, osm_dir / "oslo-grunerlokka.osm.pbf")
    empty = tmp_path_factory.mktemp("no-osm")
    with make_client(world, OsmSettings(directory=empty, cache_directory=empty)) as client:
        yield client, world


def _leaks(text: str, sent: str) -> list[str]:
    """Return the leak marks in an answer, except words the request sent itself.

    A validation error quotes the bad input back ("unknown field 'psycopg'" for a variable the
    fuzzer named psycopg): an echo of the client's own words is not a leak.
    """
    return [mark.group() for mark in LEAKS.finditer(text) if mark.group() not in sent]


def _assert_handled(status: int, text: str, sent: str = "") -> None:
    assert status < 500, text[:2000]
    assert not _leaks(text, sent), text[:2000]
    body = json.loads(text)
    for answer in body if isinstance(body, list) else [body]:
        assert "INTERNAL" not in error_codes(answer), text[:2000]
        assert all(code is not None for code in error_codes(answer)), text[:2000]


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=requests())
def test_no_operation_or_variable_makes_an_internal_error_when_fuzzed(fuzz_client, drawn):
    """Generated operations and hostile variables, as any role, get typed answers only."""
    client, world = fuzz_client
    role, body = drawn
    headers = {"Content-Type": "application/json"}
    if role is not None:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    response = client.post("/graphql", content=body, headers=headers)
    _assert_handled(response.status_code, response.text, sent=body)
    answer = response.json()
    event(f"{response.status_code} {(error_codes(answer) or ['no error'])[0]}")


def test_an_echo_of_the_clients_own_words_is_not_a_leak_but_a_driver_message_is():
    """The leak check ignores what the request itself sent, and nothing else."""
    echoed = '{"errors":[{"message":"unknown field \'psycopg\'"}]}'
    assert _leaks(echoed, sent='{"variables": {"b": {"psycopg": null}}}') == []
    assert _leaks(echoed, sent='{"variables": {}}') == ["psycopg"]
