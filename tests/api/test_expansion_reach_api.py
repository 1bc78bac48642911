"""Isochrones and depot reach through GraphQL and the map layers (#18 item 1), both backends.

GraphQL runs on a rolled-back session of the API world with the Grünerløkka reach world added
(convention 20), through variables as clients send them: the polygon holds a point a minute
away and not one beyond the streets; the reach's counts are the street matrix's; crews,
contractors and tenants are FORBIDDEN; bad input has its code. Over HTTP (the real app on the
demo region): the layers are RFC 7946 FeatureCollections, 401 without a token, 403 for a crew,
400 with a JSON error for bad input.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import sessionmaker
from tests.security.schema_calls import SchemaCaller
from tests.services.reach_world import FAR_AWAY, ORIGIN, build_reach_world, lokka_network

from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.db.engine import engine_from_url
from sitecrew.domain.access import Principal, Role

ISOCHRONE = """query I($lon: Float!, $lat: Float!, $minutes: Float!, $departure: DateTime,
                      $regionId: ID) {
  isochrone(lon: $lon, lat: $lat, minutes: $minutes, departure: $departure, regionId: $regionId) {
    geojson regionId region lon lat minutes departure areaKm2 } }"""
REACH = """query R($lon: Float!, $lat: Float!, $minutes: Float!, $regionId: ID) {
  depotReach(lon: $lon, lat: $lat, minutes: $minutes, regionId: $regionId) {
    regionId region minutes siteCount pieceCount buildingCount apartmentCount
    unroutableSites unroutableBuildings sites { id name kind minutes pieces lon lat } } }"""
#: Central Oslo (the demo region), near Oslo S.
OSLO_DEPOT = (10.7522, 59.9111)


@pytest.fixture(scope="module")
def reach_osm(osm_dir, tmp_path_factory) -> OsmSettings:
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("reach-graphs"))


@contextmanager
def _caller(url: str, osm: OsmSettings):
    """A schema caller on a rolled-back connection, with real OSM settings."""
    engine = engine_from_url(url)
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(database=DatabaseSettings(url=url), osm=osm, server=ServerSettings())
    try:
        yield SchemaCaller(sessions, settings)
    finally:
        outer.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def call(api_world, reach_osm):
    with _caller(api_world.url, reach_osm) as caller:
        yield caller


@pytest.fixture
def world(call, reach_osm):
    with call.sessions.begin() as session:
        return build_reach_world(session, reach_osm, name="ApiReach")


def _codes(result) -> list[str]:
    return [error.extensions["code"] for error in result.errors or []]


def _point(point, minutes, **changes) -> dict:
    return {"lon": point[0], "lat": point[1], "minutes": minutes, **changes}


def test_a_planner_draws_the_five_minute_isochrone_through_variables(call, world):
    variables = _point(ORIGIN, 5, regionId=world.slug, departure="2026-06-02T07:30:00+00:00")
    found = call.data(world.planner, ISOCHRONE, **variables)["isochrone"]
    area = shape(found["geojson"])
    assert found["geojson"]["type"] in {"Polygon", "MultiPolygon"}
    assert area.contains(shapely.Point(*world.one_minute))
    assert not area.contains(shapely.Point(*FAR_AWAY))
    assert (found["regionId"], found["region"], found["minutes"]) == (
        str(world.region_id),
        world.slug,
        5.0,
    )
    assert found["departure"] == "2026-06-02T07:30:00+00:00"
    assert found["areaKm2"] > 0


def test_the_region_holding_the_point_is_used_without_a_region_id(call, world):
    """The demo's Oslo sentrum holds Grünerløkka too; the smaller routable region is chosen."""
    found = call.data(Principal(Role.ADMIN), ISOCHRONE, **_point(ORIGIN, 2))["isochrone"]
    assert found["regionId"] == str(world.region_id)
    assert found["departure"] is None


def test_depot_reach_counts_what_the_street_matrix_puts_within_the_budget(call, world, reach_osm):
    found = call.data(world.planner, REACH, **_point(ORIGIN, 3.5, regionId=str(world.region_id)))
    reach = found["depotReach"]
    network = lokka_network(reach_osm)
    seconds = network.matrices(network.snap([ORIGIN]), network.snap(world.site_points)).seconds[0]
    within = [i for i, s in enumerate(seconds) if s <= 210]
    assert 0 < len(within) < len(world.site_ids)
    assert [site["id"] for site in reach["sites"]] == [str(world.site_ids[i]) for i in within]
    assert [(site["lon"], site["lat"]) for site in reach["sites"]] == [
        world.site_points[i] for i in within
    ]
    expected = sum(i + 1 for i in within)
    assert (reach["siteCount"], reach["pieceCount"]) == (len(within), expected)
    assert (reach["buildingCount"], reach["apartmentCount"]) == (len(within), expected)
    assert (reach["unroutableSites"], reach["unroutableBuildings"]) == (1, 1)


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
        Principal(Role.TENANT, apartment_id=1, campaign_id=1),
    ],
    ids=["crew", "contractor", "tenant"],
)
def test_crews_contractors_and_tenants_are_forbidden(call, world, principal):
    variables = _point(ORIGIN, 5, regionId=world.slug)
    assert _codes(call(principal, ISOCHRONE, **variables)) == ["FORBIDDEN"]
    assert _codes(call(principal, REACH, **variables)) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"minutes": 0}, "INVALID_INPUT"),
        ({"minutes": 500}, "INVALID_INPUT"),
        ({"lon": 200.0}, "INVALID_INPUT"),
        ({"lat": -91.0}, "INVALID_INPUT"),
        ({"lon": FAR_AWAY[0], "lat": FAR_AWAY[1]}, "INVALID_INPUT"),  # off the region's streets
        ({"regionId": "atlantis"}, "NOT_FOUND"),
        ({"regionId": "apireach-bergen"}, "INVALID_INPUT"),  # no street graph
        ({"lon": "east"}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_bad_input_has_its_code(call, world, changes, code):
    variables = {**_point(ORIGIN, 5, regionId=world.slug), **changes}
    assert _codes(call(Principal(Role.ADMIN), ISOCHRONE, **variables)) == [code]
    assert _codes(call(Principal(Role.ADMIN), REACH, **variables)) == [code]


def test_another_regions_planner_does_not_find_the_region(call, world):
    result = call(world.other_planner, REACH, **_point(ORIGIN, 5, regionId=world.slug))
    assert _codes(result) == ["NOT_FOUND"]


# --- HTTP map layers -------------------------------------------------------------------------


def _get(client, api_world, path: str, role: str | None = "planner", **params):
    headers = {} if role is None else {"Authorization": f"Bearer {api_world.tokens[role]}"}
    return client.get(path, params=params, headers=headers)


def test_the_isochrone_layer_is_a_geojson_feature_collection(client, api_world):
    lon, lat = OSLO_DEPOT
    params = {"lon": lon, "lat": lat, "minutes": 3, "departure": "2026-06-02T07:30:00+02:00"}
    response = _get(
        client, api_world, "/layers/isochrone", region=str(api_world.region_id), **params
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    [feature] = body["features"]
    assert feature["type"] == "Feature"
    area = shape(feature["geometry"])
    assert area.geom_type in {"Polygon", "MultiPolygon"}
    assert area.is_valid
    assert area.contains(shapely.Point(lon, lat))
    properties = feature["properties"]
    assert (properties["regionId"], properties["minutes"]) == (api_world.region_id, 3.0)
    assert properties["departure"] == "2026-06-02T07:30:00+02:00"
    assert properties["areaKm2"] > 0


def test_the_reach_layer_has_a_point_per_reached_site_and_the_counts(client, api_world):
    lon, lat = OSLO_DEPOT
    response = _get(client, api_world, "/layers/reach", lon=lon, lat=lat, minutes=4)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "FeatureCollection"
    counts = body["properties"]
    assert counts["siteCount"] == len(body["features"]) > 0
    assert counts["pieceCount"] == sum(f["properties"]["pieces"] for f in body["features"])
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])
    minutes = [f["properties"]["minutes"] for f in body["features"]]
    assert minutes == sorted(minutes)
    assert max(minutes) <= 4


def test_the_layers_need_a_token(client, api_world):
    for path in ("/layers/isochrone", "/layers/reach"):
        response = _get(client, api_world, path, role=None, lon=10.75, lat=59.91, minutes=5)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_a_crew_is_refused_the_layers(client, api_world):
    response = _get(
        client, api_world, "/layers/isochrone", role="crew", lon=10.75, lat=59.91, minutes=5
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": 59.91, "minutes": 5}, "lon is required"),
        ({"lon": "east", "lat": 59.91, "minutes": 5}, "lon must be a number"),
        ({"lon": 10.75, "lat": "nan", "minutes": 5}, "lat must be a finite number"),
        ({"lon": 10.75, "lat": 59.91, "minutes": 0}, "minutes must be between 1 and 120"),
        ({"lon": 10.75, "lat": 95, "minutes": 5}, "latitude 95.0 is outside"),
        ({"lon": 10.75, "lat": 59.91, "minutes": 5, "departure": "soon"}, "not an ISO 8601"),
        ({"lon": -40.0, "lat": 10.0, "minutes": 5}, "outside every region"),
    ],
)
def test_bad_layer_input_is_a_400_with_a_json_error(client, api_world, params, message):
    response = _get(client, api_world, "/layers/isochrone", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_INPUT"
    assert message in error["message"]


def test_an_unknown_region_is_a_404(client, api_world):
    response = _get(
        client, api_world, "/layers/reach", lon=10.75, lat=59.91, minutes=5, region="atlantis"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
