"""Queries for map clients and planners: geometry, filters, pagination, viewports, errors."""

from __future__ import annotations

import shapely
from strawberry.extensions.validation_cache import _get_validate_cache
from tests.api.conftest import error_codes, make_client

SITES = """
query Sites($filter: SiteFilter, $first: Int!, $after: String) {
  sites(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name kind lon lat location area } }
    pageInfo { hasNextPage endCursor }
  }
}"""

BOX = {"west": 10.745, "south": 59.915, "east": 10.765, "north": 59.925}


def test_unauthenticated_requests_get_nothing_but_health(client):
    """Without a token /graphql answers 401; /healthz still answers."""
    response = client.post("/graphql", json={"query": "{ sites { edges { cursor } } }"})
    assert response.status_code == 401
    assert "authentication required" in response.text
    bad = client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer sc_not-a-real-token"},
    )
    assert bad.status_code == 401
    assert client.get("/healthz").status_code == 200


def test_sites_carry_geojson_and_lon_lat(gql):
    """A site's location is an RFC 7946 Point matching its lon/lat; areas are polygons."""
    data = gql.data("planner", SITES, first=5)
    node = data["sites"]["edges"][0]["node"]
    assert node["location"] == {"type": "Point", "coordinates": [node["lon"], node["lat"]]}
    assert "crs" not in node["location"]
    assert node["area"]["type"] in {"Polygon", "MultiPolygon"}


def test_bbox_filter_returns_only_sites_inside_the_box(gql):
    """Every site returned for a box lies inside it, and at least one does."""
    nodes = [
        e["node"]
        for e in gql.data("planner", SITES, first=200, filter={"bbox": BOX})["sites"]["edges"]
    ]
    assert nodes
    for node in nodes:
        assert BOX["west"] <= node["lon"] <= BOX["east"]
        assert BOX["south"] <= node["lat"] <= BOX["north"]


def test_near_and_within_filters_narrow_furniture(gql):
    """Near (metres) and within (polygon) filters each return a strict, consistent subset."""
    query = """query F($filter: FurnitureFilter) { furniture(filter: $filter, first: 500) {
      nodes { id lon lat } } }"""
    near = gql.data("planner", query, filter={"near": {"lon": 10.755, "lat": 59.92, "meters": 400}})
    polygon = shapely.Point(10.755, 59.92).buffer(0.004)
    within = gql.data("planner", query, filter={"within": shapely.geometry.mapping(polygon)})
    everything = gql.data("planner", query)["furniture"]["nodes"]
    near_ids = {n["id"] for n in near["furniture"]["nodes"]}
    within_nodes = within["furniture"]["nodes"]
    assert 0 < len(near_ids) < len(everything)
    assert all(polygon.covers(shapely.Point(n["lon"], n["lat"])) for n in within_nodes)


def test_cursor_pagination_walks_every_site_once(gql):
    """Following endCursor visits each site exactly once, in id order."""
    seen, after = [], None
    while True:
        page = gql.data("planner", SITES, first=40, after=after)["sites"]
        seen += [int(e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(set(seen))
    assert len(seen) == 162


def test_bad_input_gets_typed_error_codes(gql):
    """Bad cursor, huge page, inverted box, out-of-range point, bow-tie polygon, unknown id."""
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[10.74, 59.91], [10.75, 59.92], [10.75, 59.91], [10.74, 59.92], [10.74, 59.91]]
        ],
    }
    cases = [
        (SITES, {"first": 5, "after": "bm9wZQ=="}, "BAD_CURSOR"),
        (SITES, {"first": 100000}, "PAGE_TOO_LARGE"),
        (SITES, {"first": 5, "filter": {"bbox": {**BOX, "west": 10.8}}}, "INVALID_INPUT"),
        (
            SITES,
            {"first": 5, "filter": {"near": {"lon": 200, "lat": 59.9, "meters": 10}}},
            "INVALID_INPUT",
        ),
        (SITES, {"first": 5, "filter": {"within": bowtie}}, "INVALID_INPUT"),
        ("query { site(id: 999999) { id } }", {}, "NOT_FOUND"),
    ]
    for query, variables, code in cases:
        body = gql("planner", query, **variables)
        assert error_codes(body) == [code], (variables, body)
        assert "Traceback" not in str(body)


def test_ids_that_no_entity_can_have_are_typed_errors(gql):
    """Ids are whole numbers: text is INVALID_INPUT, a number no key can reach is NOT_FOUND.

    In a lookup, in a filter, in a subscription-backed run and in a mutation (as a payload).
    """
    furniture = "query F($f: FurnitureFilter) { furniture(filter: $f) { nodes { id } } }"
    cases = [
        ('query { site(id: "abc") { id } }', {}, "INVALID_INPUT"),
        ('query { site(id: " 7") { id } }', {}, "INVALID_INPUT"),
        ('query { site(id: "1_0") { id } }', {}, "INVALID_INPUT"),
        ('query { site(id: "-3") { id } }', {}, "INVALID_INPUT"),
        (f'query {{ site(id: "{2**40}") {{ id }} }}', {}, "NOT_FOUND"),
        ('query { site(id: "0") { id } }', {}, "NOT_FOUND"),
        (furniture, {"f": {"siteId": "first"}}, "INVALID_INPUT"),
        (furniture, {"f": {"siteId": str(2**33)}}, "NOT_FOUND"),
        ('query { planningRun(id: "x") { id } }', {}, "INVALID_INPUT"),
    ]
    for query, variables, code in cases:
        body = gql("admin", query, **variables)
        assert error_codes(body) == [code], (query, variables, body)
    update = """mutation U($input: UpdateSiteInput!) { updateSite(input: $input) {
      __typename ... on Problem { code message } } }"""
    payload = gql.data("admin", update, input={"id": "site-1", "version": 1, "name": "x"})[
        "updateSite"
    ]
    assert payload == {
        "__typename": "InvalidInput",
        "code": "INVALID_INPUT",
        "message": "id must be a whole number, not 'site-1'",
    }


def test_viewport_returns_a_feature_collection_of_the_box(gql):
    """The apartments viewport is one FeatureCollection with a feature per apartment in the box."""
    query = "query V($box: BBoxInput!) { viewport(layer: APARTMENTS, bbox: $box) }"
    collection = gql.data("planner", query, box=BOX)["viewport"]
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert features
    listed = gql.data(
        "planner",
        """query A($f: ApartmentFilter) { apartments(filter: $f, first: 500) {
      nodes { id } pageInfo { hasNextPage } } }""",
        f={"bbox": BOX},
    )["apartments"]
    assert not listed["pageInfo"]["hasNextPage"]
    assert sorted(f["id"] for f in features) == sorted(int(n["id"]) for n in listed["nodes"])
    first = features[0]
    assert first["geometry"]["type"] == "Point"
    assert set(first["properties"]) >= {"unit", "installation_status", "building_id"}


def test_nested_query_resolves_sites_furniture_models_and_last_maintenance(gql):
    """Sites → furniture → model and last maintenance resolve in one request."""
    query = """{ sites(first: 10) { nodes { name furniture { serial model { name }
      lastMaintenance { performedOn wearType } } } } }"""
    nodes = gql.data("planner", query)["sites"]["nodes"]
    items = [item for node in nodes for item in node["furniture"]]
    assert items
    assert all(item["model"]["name"] for item in items)
    assert any(item["lastMaintenance"] for item in items)


def test_unexpected_errors_are_masked(gql, monkeypatch):
    """An internal failure answers 'Unexpected error.' with code INTERNAL and no details."""
    from sitecrew.services.reading import entities

    def broken(*_args, **_kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(entities, "get_visible", broken)
    body = gql("admin", "{ site(id: 1) { id } }")
    assert error_codes(body) == ["INTERNAL"]
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "SELECT" not in str(body)


def test_depth_alias_and_introspection_limits_hold(gql, api_world):
    """Too deep and too many aliases are refused; introspection only with the setting off."""
    deep = "{ sites { nodes { furniture { site { furniture { site { furniture { site { furniture { site { furniture { site { id } } } } } } } } } } } } }"
    assert gql("admin", deep).get("errors")
    aliases = "{ " + " ".join(f"a{i}: regions {{ nodes {{ id }} }}" for i in range(40)) + " }"
    assert gql("admin", aliases).get("errors")
    introspection = "{ __schema { types { name } } }"
    assert gql.data("planner", introspection)["__schema"]["types"]
    nested = "types { fields { args { name } type { ofType { fields { args { name } } } } } }"
    costly = "{ __schema { " + " ".join(f"a{i}: {nested}" for i in range(5)) + " } }"
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with make_client(api_world, max_cost=10_000) as tight:  # the depth limit skips __ fields
        body = tight.post("/graphql", json={"query": costly}, headers=headers).json()
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]  # weighed by its answer, so bounded
    with make_client(api_world, introspection=False) as closed:
        body = closed.post("/graphql", json={"query": introspection}, headers=headers).json()
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    for _ in range(2):  # refused again when the verdict comes from the validation cache
        assert gql("admin", deep).get("errors")
        assert gql("admin", aliases).get("errors")


def test_a_repeated_operation_is_validated_once(gql):
    """Clients send the same documents again and again; the limits are checked once per text."""
    validate = _get_validate_cache(256)
    operation = "{ regions { nodes { id name } } }"
    gql.data("admin", operation)
    before = validate.cache_info()
    for _ in range(5):
        gql.data("admin", operation)
    after = validate.cache_info()
    assert after.hits - before.hits == 5
    assert after.misses == before.misses
