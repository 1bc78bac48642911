"""Vector tiles of the database layers (issue 19) through the real app, on both backends.

Tiles are decoded with ``mapbox_vector_tile`` and checked against the API world's rows: what a
tile draws, what a far tile does not, per-building counts below zoom 16 and flats from 16,
one day's routes for whom may see them, and refusals as JSON with a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import mapbox_vector_tile
import mercantile
import pytest
import shapely
from sqlalchemy import delete, func, select
from tests.api.conftest import make_client

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token, revoke_token

FAR_DAY = datetime.now(UTC).date() + timedelta(days=40)
TENANT_KEYS = {"tenant_name", "tenant_phone", "tenant_email", "name", "phone", "access_notes"}


@dataclass(frozen=True)
class TileWorld:
    """Rows this module adds to the API world (and removes again)."""

    published_route: int
    draft_route: int
    stop_lon: float
    stop_lat: float
    elsewhere_planner: str
    revoked: str


def _lonlat(session, column, row_id_column, row_id):
    return session.execute(
        select(func.ST_X(column), func.ST_Y(column)).where(row_id_column == row_id)
    ).one()


@pytest.fixture(scope="module")
def tile_world(api_world, world_sessions_module):
    """A published route (world crew) and a draft (other crew) on FAR_DAY with drawn stops."""
    sessions = world_sessions_module
    with sessions.begin() as session:
        lon, lat = _lonlat(
            session, m.Apartment.location, m.Apartment.id, api_world.visited_apartment_id
        )
        start = datetime.now(UTC).replace(microsecond=0)
        ids = []
        for crew, status in ((api_world.crew_id, "published"), (api_world.other_crew_id, "draft")):
            route = m.Route(crew_id=crew, service_date=FAR_DAY, status=status)
            session.add(route)
            session.flush()
            session.add(
                m.RouteStop(
                    route_id=route.id,
                    sequence=1,
                    kind="job",
                    job_id=api_world.route_job_id,
                    arrival_at=start,
                    departure_at=start + timedelta(minutes=30),
                    location=to_db_geometry(shapely.Point(lon, lat)),
                    leg=to_db_geometry(shapely.LineString([(lon - 0.002, lat), (lon, lat)])),
                )
            )
            ids.append(route.id)
        region = m.Region(
            name="Tiles Bergen",
            slug="tiles-bergen",
            area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5)),
        )
        session.add(region)
        session.flush()
        elsewhere = create_token(session, name="bergen", role=Role.PLANNER, region_id=region.id)
        revoked = create_token(session, name="revoked", role=Role.PLANNER)
        region_id = region.id
    with sessions.begin() as session:
        revoke_token(session, revoked.token.id)
    yield TileWorld(ids[0], ids[1], lon, lat, elsewhere.secret, revoked.secret)
    with sessions.begin() as session:
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(ids)))
        session.execute(delete(m.Route).where(m.Route.id.in_(ids)))
        session.execute(
            delete(m.ApiToken).where(m.ApiToken.id.in_([elsewhere.token.id, revoked.token.id]))
        )
        session.execute(delete(m.Region).where(m.Region.id == region_id))


@pytest.fixture(scope="module")
def world_sessions_module(api_world):
    from sitecrew.db.engine import engine_from_url, session_factory

    engine = engine_from_url(api_world.url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def tiles(api_world, tile_world):
    with make_client(api_world) as client:
        yield client


def _get(client, api_world, role_or_secret, path, **headers):
    secret = api_world.tokens.get(role_or_secret, role_or_secret)
    return client.get(path, headers={"Authorization": f"Bearer {secret}", **headers})


def _tile_of(lon, lat, z):
    tile = mercantile.tile(lon, lat, z)
    return tile.z, tile.x, tile.y


def _layer(response, name):
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    return decoded.get(name, {"features": []})["features"]


def _error_code(response):
    return response.json()["error"]["code"]


def test_sites_tile_draws_a_site_inside_it_and_a_far_tile_does_not(
    tiles, api_world, world_sessions_module
):
    with world_sessions_module() as session:
        site = session.scalar(select(m.Site).order_by(m.Site.id).limit(1))
        lon, lat = _lonlat(session, m.Site.location, m.Site.id, site.id)
    z, x, y = _tile_of(lon, lat, 15)
    features = _layer(_get(tiles, api_world, "planner", f"/tiles/sites/{z}/{x}/{y}.mvt"), "sites")
    drawn = [f for f in features if f["properties"]["id"] == str(site.id)]
    assert drawn, "the site is missing from its own tile"
    point = next(f for f in drawn if f["properties"]["shape"] == "point")
    assert point["properties"]["name"] == site.name
    assert point["properties"]["kind"] == site.kind
    assert point["geometry"]["type"] == "Point"
    far = _layer(_get(tiles, api_world, "planner", f"/tiles/sites/{z}/{x + 6}/{y}.mvt"), "sites")
    assert str(site.id) not in {f["properties"]["id"] for f in far}


def test_furniture_tile_carries_model_grade_and_status_when_an_admin_asks(
    tiles, api_world, world_sessions_module
):
    with world_sessions_module() as session:
        item = session.scalar(select(m.Furniture).order_by(m.Furniture.id).limit(1))
        model = session.get(m.FurnitureModel, item.model_id)
        lon, lat = _lonlat(session, m.Furniture.location, m.Furniture.id, item.id)
    z, x, y = _tile_of(lon, lat, 17)
    features = _layer(
        _get(tiles, api_world, "admin", f"/tiles/furniture/{z}/{x}/{y}.mvt"), "furniture"
    )
    props = next(f["properties"] for f in features if f["properties"]["id"] == str(item.id))
    assert props["model"] == model.name
    assert props["category"] == model.category
    assert props["condition_grade"] == item.condition_grade
    assert props["status"] in {"due", "ok", "unknown"}
    assert "interval_days" not in props


def test_apartments_are_counted_per_building_below_zoom_16_and_drawn_per_flat_from_16(
    tiles, api_world, world_sessions_module
):
    with world_sessions_module() as session:
        flat = session.get(m.Apartment, api_world.visited_apartment_id)
        statuses = list(
            session.scalars(
                select(m.Apartment.installation_status).where(
                    m.Apartment.building_id == flat.building_id
                )
            )
        )
        lon, lat = _lonlat(session, m.Apartment.location, m.Apartment.id, flat.id)
    z, x, y = _tile_of(lon, lat, 14)
    low = _layer(
        _get(tiles, api_world, "planner", f"/tiles/apartments/{z}/{x}/{y}.mvt"), "apartments"
    )
    building = next(
        f["properties"] for f in low if f["properties"]["building_id"] == str(flat.building_id)
    )
    assert building["apartments"] == len(statuses)
    assert building["installed"] == statuses.count("installed")
    assert building["not_contacted"] == statuses.count("not_contacted")
    expected = (
        "done"
        if statuses.count("installed") == len(statuses)
        else ("partial" if "installed" in statuses else "none")
    )
    assert building["status"] == expected
    z, x, y = _tile_of(lon, lat, 16)
    high = _layer(
        _get(tiles, api_world, "planner", f"/tiles/apartments/{z}/{x}/{y}.mvt"), "apartments"
    )
    mine = [
        f["properties"] for f in high if f["properties"]["building_id"] == str(flat.building_id)
    ]
    assert len(mine) == len(statuses)
    assert {p["id"] for p in mine} >= {str(flat.id)}
    assert all(TENANT_KEYS.isdisjoint(p) for p in high for p in [p["properties"]])


def test_districts_tile_draws_outlines_and_a_crew_may_not_list_districts(
    tiles, api_world, world_sessions_module
):
    with world_sessions_module() as session:
        district = session.scalar(select(m.District).order_by(m.District.id).limit(1))
        lon, lat = session.execute(
            select(
                func.ST_X(func.ST_Centroid(m.District.area)),
                func.ST_Y(func.ST_Centroid(m.District.area)),
            ).where(m.District.id == district.id)
        ).one()
    z, x, y = _tile_of(lon, lat, 13)
    features = _layer(
        _get(tiles, api_world, "planner", f"/tiles/districts/{z}/{x}/{y}.mvt"), "districts"
    )
    drawn = next(f for f in features if f["properties"]["id"] == str(district.id))
    assert drawn["properties"]["name"] == district.name
    assert drawn["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    refused = _get(tiles, api_world, "crew", f"/tiles/districts/{z}/{x}/{y}.mvt")
    assert refused.status_code == 403
    assert _error_code(refused) == "FORBIDDEN"


def _route_tile(tile_world, z=15):
    return _tile_of(tile_world.stop_lon, tile_world.stop_lat, z)


def test_routes_need_a_date_and_refuse_a_bad_one(tiles, api_world, tile_world):
    z, x, y = _route_tile(tile_world)
    for query in ("", "?date=tomorrow", "?date=2026-13-01", "?date=20260601"):
        response = _get(tiles, api_world, "planner", f"/tiles/routes/{z}/{x}/{y}.mvt{query}")
        assert response.status_code == 400, query
        assert _error_code(response) == "INVALID_INPUT"


def test_planner_sees_the_days_routes_as_legs_and_stops_with_crew_colours(
    tiles, api_world, tile_world
):
    z, x, y = _route_tile(tile_world)
    path = f"/tiles/routes/{z}/{x}/{y}.mvt?date={FAR_DAY.isoformat()}"
    features = _layer(_get(tiles, api_world, "planner", path), "routes")
    routes = {f["properties"]["route_id"] for f in features}
    assert routes == {str(tile_world.published_route), str(tile_world.draft_route)}
    published = [
        f for f in features if f["properties"]["route_id"] == str(tile_world.published_route)
    ]
    assert {f["properties"]["feature"] for f in published} == {"leg", "stop"}
    leg = next(f for f in published if f["properties"]["feature"] == "leg")
    assert leg["geometry"]["type"] == "LineString"
    stop = next(f for f in published if f["properties"]["feature"] == "stop")
    assert stop["properties"]["colour"] == api_world.crew_id % 12
    assert stop["properties"]["crew_id"] == str(api_world.crew_id)
    assert stop["properties"]["status"] == "published"
    assert stop["properties"]["sequence"] == 1
    assert stop["properties"]["job_id"] == str(api_world.route_job_id)
    assert stop["properties"]["kind"] == "job"
    other_day = _get(tiles, api_world, "planner", f"/tiles/routes/{z}/{x}/{y}.mvt?date=2001-01-01")
    assert other_day.status_code == 204


def test_crew_sees_only_its_own_published_route_and_a_contractor_none(tiles, api_world, tile_world):
    z, x, y = _route_tile(tile_world)
    path = f"/tiles/routes/{z}/{x}/{y}.mvt?date={FAR_DAY.isoformat()}"
    own = _layer(_get(tiles, api_world, "crew", path), "routes")
    assert {f["properties"]["route_id"] for f in own} == {str(tile_world.published_route)}
    other = _get(tiles, api_world, "other_crew", path)  # its route is a draft
    assert other.status_code == 204
    contractor = _get(tiles, api_world, "contractor", path)
    assert contractor.status_code == 403


def test_another_regions_planner_sees_nothing_of_this_region(tiles, api_world, tile_world):
    z, x, y = _tile_of(tile_world.stop_lon, tile_world.stop_lat, 14)
    for layer in ("sites", "furniture", "apartments", "districts"):
        response = _get(
            tiles, api_world, tile_world.elsewhere_planner, f"/tiles/{layer}/{z}/{x}/{y}.mvt"
        )
        assert response.status_code == 204, layer
    routes = _get(
        tiles,
        api_world,
        tile_world.elsewhere_planner,
        f"/tiles/routes/{z}/{x}/{y}.mvt?date={FAR_DAY.isoformat()}",
    )
    assert routes.status_code == 204
    tilejson = _get(tiles, api_world, tile_world.elsewhere_planner, "/tiles/sites.json").json()
    assert tilejson["bounds"] == pytest.approx([5.2, 60.3, 5.4, 60.5])


def test_no_token_or_a_revoked_one_is_401_with_a_code(tiles, api_world, tile_world):
    response = tiles.get("/tiles/sites/14/8681/4765.mvt")
    assert response.status_code == 401
    assert _error_code(response) == "UNAUTHENTICATED"
    revoked = _get(tiles, api_world, tile_world.revoked, "/tiles/sites/14/8681/4765.mvt")
    assert revoked.status_code == 401


def test_bad_tile_addresses_are_400_and_unknown_layers_404(tiles, api_world):
    for path in (
        "/tiles/sites/23/0/0.mvt",
        "/tiles/sites/2/4/0.mvt",
        "/tiles/sites/2/0/4.mvt",
        "/tiles/sites/a/0/0.mvt",
        "/tiles/sites/2/1.5/0.mvt",
        "/tiles/sites/2/-1/0.mvt",
        "/tiles/sites/99999999999999999999/0/0.mvt",
    ):
        response = _get(tiles, api_world, "planner", path)
        assert response.status_code == 400, path
        assert _error_code(response) == "INVALID_INPUT"
    unknown = _get(tiles, api_world, "planner", "/tiles/tenants/1/0/0.mvt")
    assert unknown.status_code == 404
    assert _error_code(unknown) == "NOT_FOUND"
    assert (
        _get(
            tiles, api_world, "planner", "/tiles/sites/14/8681/4765.mvt?region=nowhere"
        ).status_code
        == 404
    )


def test_etag_answers_304_without_a_body_and_tiles_are_private(tiles, api_world, tile_world):
    z, x, y = _tile_of(tile_world.stop_lon, tile_world.stop_lat, 14)
    first = _get(tiles, api_world, "planner", f"/tiles/apartments/{z}/{x}/{y}.mvt")
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("private, max-age=")
    again = _get(
        tiles,
        api_world,
        "planner",
        f"/tiles/apartments/{z}/{x}/{y}.mvt",
        **{"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    routes = _get(tiles, api_world, "planner", f"/tiles/routes/{z}/{x}/{y}.mvt?date={FAR_DAY}")
    assert routes.headers["cache-control"] == "private, max-age=30"


def test_streets_layer_is_drawn_from_the_street_graph_for_any_signed_in_role(client, api_world):
    z, x, y = _tile_of(10.75, 59.915, 15)
    features = _layer(_get(client, api_world, "crew", f"/tiles/streets/{z}/{x}/{y}.mvt"), "streets")
    assert features
    assert {f["geometry"]["type"] for f in features} <= {"LineString", "MultiLineString"}
    assert all("class" in f["properties"] for f in features)
    assert client.get(f"/tiles/streets/{z}/{x}/{y}.mvt").status_code == 401


def test_streets_of_a_region_are_read_from_its_street_graph_and_an_unknown_region_is_404(
    client, api_world, world_sessions_module
):
    with world_sessions_module() as session:
        slug = session.scalar(select(m.Region.slug).where(m.Region.id == api_world.region_id))
    z, x, y = _tile_of(10.75, 59.915, 15)
    path = f"/tiles/streets/{z}/{x}/{y}.mvt"
    features = _layer(_get(client, api_world, "planner", f"{path}?region={slug}"), "streets")
    assert features
    assert _get(client, api_world, "planner", f"{path}?region=atlantis").status_code == 404
