"""Inputs are parsed strictly: a bad value gets a typed code inline and through variables alike.

Each attack used to be an INTERNAL error (variables of the wrong type, a cursor beyond any key),
or was accepted and stored (an unclosed ring, a 5 MB access note, a year-9999 due date), or made
PostgreSQL fail mid-write (a 201-character name, a NUL character).
"""

from __future__ import annotations

import json
import logging

import pytest
from graphql import GraphQLError
from tests.api.conftest import error_codes

from sitecrew.api.errors import rewrite_errors
from sitecrew.api.pagination import encode_cursor
from sitecrew.domain.limits import AREA_VERTICES_MAX, NAME_MAX, NOTES_MAX

VALIDATION = "GRAPHQL_VALIDATION_FAILED"
SITES_PAGE = "query($n: Int!) { sites(first: $n) { nodes { id } } }"
SITES_AFTER = "query($a: String) { sites(first: 1, after: $a) { nodes { id } } }"
SITES_WITHIN = "query($w: GeoJSON) { sites(first: 5, filter: {within: $w}) { nodes { id } } }"
SITE_PAYLOAD = "__typename ... on Problem { code message }"
CREATE_SITE = f"""mutation($input: CreateSiteInput!) {{
  createSite(input: $input) {{ {SITE_PAYLOAD} }} }}"""
HUGE_CURSOR = encode_cursor(2**31)
SQUARE = [[10.70, 59.90], [10.80, 59.90], [10.80, 59.95], [10.70, 59.95], [10.70, 59.90]]


def _polygon(ring: list) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def _inline(value: object) -> str:
    """Write a JSON value as a GraphQL literal (object keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_inline(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return json.dumps(value)


def _site_input(world, **overrides: object) -> dict:
    base = {"name": "Probe yard", "kind": "PARK", "region": str(world.region_id)}
    return {**base, "lon": 10.75, "lat": 59.91, **overrides}


def _post_raw(client, world, text: str) -> dict:
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    headers["Content-Type"] = "application/json"
    response = client.post("/graphql", content=text, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("literal", "value"), [('"x"', "x"), ("1.5", 1.5), ("1099511627776", 2**40)]
)
def test_a_page_size_of_the_wrong_type_is_a_validation_error_when_inline_or_a_variable(
    gql, literal, value
):
    """`first: "x"`, `1.5` or beyond 32 bits is GRAPHQL_VALIDATION_FAILED, never INTERNAL."""
    inline = gql("admin", f"{{ sites(first: {literal}) {{ nodes {{ id }} }} }}")
    assert error_codes(inline) == [VALIDATION]
    assert error_codes(gql("admin", SITES_PAGE, n=value)) == [VALIDATION]


def test_an_impossible_date_is_a_validation_error_when_inline_or_a_variable(gql):
    """February 30th is refused with the same code in a literal and in a variable."""
    inline = gql("crew", '{ myRoute(date: "2026-02-30") { id } }')
    assert error_codes(inline) == [VALIDATION]
    variable = gql("crew", "query($d: Date!) { myRoute(date: $d) { id } }", d="2026-02-30")
    assert error_codes(variable) == [VALIDATION]
    assert "day is out of range" in variable["errors"][0]["message"]
    due = "query($d: Date) { jobs(filter: {dueBefore: $d}) { nodes { id } } }"
    assert error_codes(gql("admin", due, d="not a date")) == [VALIDATION]


def test_an_unknown_enum_value_is_a_validation_error_when_inline_or_a_variable(gql):
    """An enum value the schema does not have is refused by name, not masked."""
    inline = gql("admin", "{ sites(filter: {kind: CASTLE}) { nodes { id } } }")
    assert error_codes(inline) == [VALIDATION]
    query = "query($k: SiteKind) { sites(filter: {kind: $k}) { nodes { id } } }"
    variable = gql("admin", query, k="CASTLE")
    assert error_codes(variable) == [VALIDATION]
    assert "CASTLE" in variable["errors"][0]["message"]


def test_non_finite_coordinates_are_refused_when_inline_or_a_variable(client, api_world, gql):
    """NaN and Infinity (as JSON tokens or strings) and 1e999 never reach a query."""
    viewport = "query($b: BBoxInput!) { viewport(layer: SITES, bbox: $b) }"
    for token in ("NaN", "Infinity", "-Infinity", '"NaN"'):
        text = f'{{"query": "{viewport}", "variables": {{"b": {{"west": {token}, '
        text += '"south": 59.9, "east": 10.8, "north": 59.95}}}'
        assert error_codes(_post_raw(client, api_world, text)) == [VALIDATION], token
    inline = "{ viewport(layer: SITES, bbox: {west: 1e999, south: 59.9, east: 10.8, north: 60}) }"
    assert error_codes(gql("admin", inline)) == ["INVALID_INPUT"]
    near = "{ sites(filter: {near: {lon: 10.7, lat: -1e999, meters: 10}}) { nodes { id } } }"
    assert error_codes(gql("admin", near)) == ["INVALID_INPUT"]


def test_a_cursor_beyond_any_key_is_a_bad_cursor_when_inline_or_a_variable(gql):
    """A well-formed cursor naming a key past 32 bits is BAD_CURSOR (it was a database error)."""
    inline = gql("admin", f'{{ sites(first: 1, after: "{HUGE_CURSOR}") {{ nodes {{ id }} }} }}')
    assert error_codes(inline) == ["BAD_CURSOR"]
    for cursor in (HUGE_CURSOR, encode_cursor(0), "c2M6" + "OTk5" * 40, "é" * 10):
        assert error_codes(gql("admin", SITES_AFTER, a=cursor)) == ["BAD_CURSOR"], cursor


def test_an_id_of_the_wrong_type_is_refused_when_inline_or_a_variable(gql):
    """A fractional id is GRAPHQL_VALIDATION_FAILED; text that is no number is INVALID_INPUT."""
    assert error_codes(gql("admin", "{ site(id: 1.5) { id } }")) == [VALIDATION]
    query = "query($i: ID!) { site(id: $i) { id } }"
    assert error_codes(gql("admin", query, i=1.5)) == [VALIDATION]
    assert error_codes(gql("admin", query, i="1 OR 1=1")) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    ("name", "geometry"),
    [
        ("unclosed ring", _polygon(SQUARE[:-1])),
        ("ring of three", _polygon([SQUARE[0], SQUARE[1], SQUARE[0]])),
        ("longitude out of range", _polygon([[200, 0], [201, 0], [201, 1], [200, 0]])),
        ("altitude", _polygon([[*position, 5.0] for position in SQUARE])),
        ("text coordinate", _polygon([SQUARE[0], ["10.8", "NaN"], *SQUARE[2:]])),
        ("boolean coordinate", _polygon([SQUARE[0], [True, 59.9], *SQUARE[2:]])),
        ("unknown member", {**_polygon(SQUARE), "crs": {"type": "name"}}),
        ("geometry collection", {"type": "GeometryCollection", "geometries": []}),
        ("type that is an object", {"type": {"type": "Polygon"}, "coordinates": [[SQUARE]]}),
        ("type that is a list", {"type": ["Polygon"], "coordinates": [[SQUARE]]}),
    ],
)
def test_a_malformed_polygon_is_invalid_input_when_inline_or_a_variable(gql, name, geometry):
    """Rings must be closed, positions two finite numbers in range (shapely would close it)."""
    inline = f"{{ sites(first: 5, filter: {{within: {_inline(geometry)}}}) {{ nodes {{ id }} }} }}"
    assert error_codes(gql("admin", inline)) == ["INVALID_INPUT"], name
    assert error_codes(gql("admin", SITES_WITHIN, w=geometry)) == ["INVALID_INPUT"], name


def test_infinite_polygon_coordinates_are_invalid_input(client, api_world):
    """JSON's non-standard Infinity and NaN tokens inside a polygon are refused too."""
    for token in ("Infinity", "NaN", "1e999"):
        ring = f"[[10.7, 59.9], [10.8, {token}], [10.8, 59.95], [10.7, 59.9]]"
        variables = f'{{"w": {{"type": "Polygon", "coordinates": [{ring}]}}}}'
        text = f'{{"query": {json.dumps(SITES_WITHIN)}, "variables": {variables}}}'
        assert error_codes(_post_raw(client, api_world, text)) == ["INVALID_INPUT"], token


def test_a_polygon_with_more_vertices_than_the_cap_is_invalid_input(gql, api_world):
    """A within filter or a site area past the vertex cap is refused before any query runs."""
    steps = AREA_VERTICES_MAX + 1
    ring = [[10.7 + 0.1 * i / steps, 59.9 + 0.0001 * (i % 2)] for i in range(steps)]
    ring += [[10.8, 59.95], ring[0]]
    body = gql("admin", SITES_WITHIN, w=_polygon(ring))
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "vertices" in body["errors"][0]["message"]
    created = gql("admin", CREATE_SITE, input=_site_input(api_world, area=_polygon(ring)))
    assert error_codes(created) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "n" * (NAME_MAX + 1)),
        ("name", "Yard\x00"),
        ("name", "Yard\nsecond line"),
        ("address", "a" * 301),
        ("accessNotes", "door code 1234 " * (NOTES_MAX // 10)),
        ("accessNotes", "x" * 900_000),  # under the 1 MB body limit, far over the cap
        ("accessNotes", "code\x00"),
    ],
)
def test_over_long_or_unstorable_site_text_is_invalid_input(gql, api_world, field, value):
    """Names fit String(200), addresses String(300), notes a few thousand characters, no NUL."""
    payload = gql("admin", CREATE_SITE, input=_site_input(api_world, **{field: value}))
    assert payload["data"]["createSite"]["code"] == "INVALID_INPUT", field


def test_an_over_long_site_name_is_invalid_input_when_inline(gql, api_world):
    """The same limit holds for a name written into the document."""
    name = "n" * (NAME_MAX + 1)
    document = f"""mutation {{ createSite(input: {{name: "{name}", kind: PARK,
      region: "{api_world.region_id}", lon: 10.75, lat: 59.91}}) {{ {SITE_PAYLOAD} }} }}"""
    assert gql("admin", document)["data"]["createSite"]["code"] == "INVALID_INPUT"


@pytest.fixture
def targets(gql):
    """A site, its first furniture item and that item's model, as the admin sees them."""
    query = "{ sites(first: 50) { nodes { id furniture { id model { id } } } } }"
    sites = gql.data("admin", query)["sites"]["nodes"]
    site = next(site for site in sites if site["furniture"])
    item = site["furniture"][0]
    return {"site": site["id"], "furniture": item["id"], "model": item["model"]["id"]}


def test_over_long_notes_and_serials_are_invalid_input_in_every_mutation(gql, api_world, targets):
    """Job, appointment and maintenance notes and furniture serials are capped where parsed."""
    notes = "n" * (NOTES_MAX + 1)
    calls = {
        "createJob": (
            "CreateJobInput",
            {
                "kind": "OIL",
                "region": str(api_world.region_id),
                "siteId": targets["site"],
                "notes": notes,
            },
        ),
        "bookAppointment": (
            "BookAppointmentInput",
            {
                "jobId": str(api_world.route_job_id),
                "notes": notes,
                "windowStart": "2030-06-02T08:00:00+02:00",
                "windowEnd": "2030-06-02T09:00:00+02:00",
            },
        ),
        "recordMaintenance": (
            "RecordMaintenanceInput",
            {
                "furnitureId": targets["furniture"],
                "performedOn": "2026-06-01",
                "action": "OILED",
                "notes": notes,
            },
        ),
        "createFurniture": (
            "CreateFurnitureInput",
            {
                "siteId": targets["site"],
                "modelId": targets["model"],
                "serial": "S" * 65,
                "lon": 10.75,
                "lat": 59.91,
            },
        ),
    }
    for mutation, (input_type, value) in calls.items():
        document = f"""mutation($input: {input_type}!) {{
          {mutation}(input: $input) {{ {SITE_PAYLOAD} }} }}"""
        payload = gql("admin", document, input=value)["data"][mutation]
        assert payload["code"] == "INVALID_INPUT", (mutation, payload)


def test_dates_outside_the_plausible_span_are_invalid_input(gql, api_world, targets):
    """A job due on 9999-12-31 or a window in year 1 is refused (it was stored, or overflowed)."""
    job = """mutation($input: CreateJobInput!) { createJob(input: $input) { __typename
      ... on Problem { code } } }"""
    due = {"kind": "OIL", "region": str(api_world.region_id), "siteId": targets["site"]}
    assert gql("admin", job, input={**due, "dueOn": "9999-12-31"})["data"]["createJob"] == {
        "__typename": "InvalidInput",
        "code": "INVALID_INPUT",
    }
    book = """mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {
      __typename ... on Problem { code } } }"""
    window = {"windowStart": "0001-01-01T00:00:00+14:00", "windowEnd": "0001-01-02T00:00:00Z"}
    answer = gql("admin", book, input={"jobId": str(api_world.route_job_id), **window})
    assert answer["data"]["bookAppointment"]["code"] == "INVALID_INPUT"


def _api_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("sitecrew.api", "strawberry"))]


def test_an_expected_client_error_is_one_log_line_when_logged(gql, caplog):
    """A variable of the wrong type is logged once, with code and operation, and no traceback."""
    with caplog.at_level(logging.INFO):
        gql("admin", "query Page($n: Int!) { sites(first: $n) { nodes { id } } }", n="x")
    records = _api_records(caplog)
    assert len(records) == 1, [record.getMessage() for record in records]
    assert (records[0].exc_info, records[0].levelno) == (None, logging.INFO)
    assert "GRAPHQL_VALIDATION_FAILED in Page" in records[0].getMessage()


def test_an_unexpected_error_is_masked_and_logged_with_its_traceback_when_raised(caplog):
    """A bug's exception becomes INTERNAL for the client and keeps its traceback in the log."""
    bug = RuntimeError("SELECT secret FROM tokens")
    errors = [GraphQLError("boom", path=["sites"], original_error=bug)]
    with caplog.at_level(logging.INFO):
        rewrite_errors(errors, "Page")
    assert (errors[0].message, errors[0].extensions) == ("Unexpected error.", {"code": "INTERNAL"})
    (record,) = _api_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[1] is bug


@pytest.mark.parametrize("mutation", ["deleteSite", "deleteFurniture", "publishRoutes"])
def test_a_malformed_id_is_invalid_input_when_a_mutation_has_no_other_input(gql, mutation):
    """Every payload union has InvalidInput: a text id was INTERNAL where the union lacked it."""
    input_type, field = (
        ("PublishRoutesInput", "runId") if mutation == "publishRoutes" else ("DeleteInput", "id")
    )
    document = f"""mutation($input: {input_type}!) {{
      {mutation}(input: $input) {{ {SITE_PAYLOAD} }} }}"""
    for bad in ("-1", "seven", "1.0"):
        payload = gql("admin", document, input={field: bad})["data"][mutation]
        assert payload == {
            "__typename": "InvalidInput",
            "code": "INVALID_INPUT",
            "message": payload["message"],
        }


@pytest.mark.parametrize("meters", [0, -5, 1e9])
def test_a_search_radius_beyond_the_cap_is_invalid_input_when_inline_or_a_variable(gql, meters):
    """A near filter takes 0 < meters <= 200 km (a billion metres scanned every row)."""
    near = f"{{lon: 10.75, lat: 59.91, meters: {meters}}}"
    inline = gql("admin", f"{{ sites(filter: {{near: {near}}}) {{ nodes {{ id }} }} }}")
    assert error_codes(inline) == ["INVALID_INPUT"]
    query = "query($n: NearInput) { sites(filter: {near: $n}) { nodes { id } } }"
    variable = gql("admin", query, n={"lon": 10.75, "lat": 59.91, "meters": meters})
    assert error_codes(variable) == ["INVALID_INPUT"]
