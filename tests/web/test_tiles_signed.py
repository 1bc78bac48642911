"""Signed tile URLs from TileJSON, and the per-tile feature cap (issue 19), on both backends."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import mapbox_vector_tile
import mercantile
import pytest
from sqlalchemy import delete, func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sitecrew.config import DatabaseSettings, ServerSettings, Settings, TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token, revoke_token
from sitecrew.web.admission import admission_for
from sitecrew.web.auth import BearerAuthenticator
from sitecrew.web.tiles import TileEndpoints

SECRET = "t" * 40


@pytest.fixture(scope="module")
def sessions(api_world):
    engine = engine_from_url(api_world.url)
    yield session_factory(engine)
    engine.dispose()


def _app(api_world, sessions, **options) -> TestClient:
    settings = Settings(
        database=DatabaseSettings(url=api_world.url),
        tenant_links=TenantLinkSettings(secret=SECRET),
    )
    engine = sessions.kw["bind"]
    endpoints = TileEndpoints(
        sessions,
        BearerAuthenticator(sessions),
        admission_for(ServerSettings(), engine),
        settings,
        **options,
    )
    return TestClient(Starlette(routes=endpoints.routes()))


@pytest.fixture(scope="module")
def site_tile(sessions):
    with sessions() as session:
        lon, lat = session.execute(
            select(func.ST_X(m.Site.location), func.ST_Y(m.Site.location))
            .order_by(m.Site.id)
            .limit(1)
        ).one()
    tile = mercantile.tile(lon, lat, 14)
    return tile.z, tile.x, tile.y


def _signed_template(client, api_world, layer="sites", role="planner"):
    response = client.get(
        f"/tiles/{layer}.json", headers={"Authorization": f"Bearer {api_world.tokens[role]}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_tilejson_describes_the_layer_with_a_signed_absolute_template(api_world, sessions):
    with _app(api_world, sessions) as client:
        body = _signed_template(client, api_world)
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"][0].startswith("http://testserver/tiles/sites/{z}/{x}/{y}.mvt?")
    assert body["vector_layers"][0]["id"] == "sites"
    assert "kind" in body["vector_layers"][0]["fields"]
    west, south, east, north = body["bounds"]
    assert 10 < west < east < 11  # Oslo sentrum
    assert 59 < south < north < 60


def test_signed_url_works_without_a_header_then_fails_tampered_expired_or_moved(
    api_world, sessions, site_tile
):
    z, x, y = site_tile
    with _app(api_world, sessions) as client:
        template = _signed_template(client, api_world)["tiles"][0]
        url = template.replace("http://testserver", "").format(z=z, x=x, y=y)
        ok = client.get(url)
        assert ok.status_code == 200
        assert mapbox_vector_tile.decode(ok.content)["sites"]["features"]
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        base = f"/tiles/sites/{z}/{x}/{y}.mvt"
        tampered = dict(query, sig="0" * 64)
        extended = dict(query, exp=str(int(query["exp"]) + 3600))
        expired = client.get(base, params=dict(query, exp="1000"))
        assert expired.status_code == 401
        for params in (tampered, extended):
            response = client.get(base, params=params)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "UNAUTHENTICATED"
        moved = client.get(f"/tiles/furniture/{z}/{x}/{y}.mvt", params=query)
        assert moved.status_code == 401
        other_token = dict(query, tok=str(int(query["tok"]) + 1))
        assert client.get(base, params=other_token).status_code == 401


def test_a_signature_from_another_servers_secret_is_refused(api_world, sessions, site_tile):
    z, x, y = site_tile
    with _app(api_world, sessions) as client:
        template = _signed_template(client, api_world)["tiles"][0]
    other = Settings(database=DatabaseSettings(url=api_world.url))  # no shared secret
    endpoints = TileEndpoints(
        sessions,
        BearerAuthenticator(sessions),
        admission_for(ServerSettings(), sessions.kw["bind"]),
        other,
    )
    with TestClient(Starlette(routes=endpoints.routes())) as client:
        url = template.replace("http://testserver", "").format(z=z, x=x, y=y)
        assert client.get(url).status_code == 401


def test_a_tile_beyond_the_cap_keeps_the_lowest_ids_and_says_it_was_truncated(
    api_world, sessions, site_tile
):
    z, x, y = site_tile
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with _app(api_world, sessions) as client:
        full = client.get(f"/tiles/furniture/{z}/{x}/{y}.mvt", headers=headers)
    ids = sorted(
        int(f["properties"]["id"])
        for f in mapbox_vector_tile.decode(full.content)["furniture"]["features"]
    )
    assert len(ids) > 3
    assert "x-tile-truncated" not in full.headers
    with _app(api_world, sessions, max_features=3) as client:
        capped = client.get(f"/tiles/furniture/{z}/{x}/{y}.mvt", headers=headers)
    assert capped.headers["x-tile-truncated"] == "1"
    kept = sorted(
        int(f["properties"]["id"])
        for f in mapbox_vector_tile.decode(capped.content)["furniture"]["features"]
    )
    assert kept == ids[:3]


def test_a_signed_url_stops_working_when_its_token_is_revoked(api_world, sessions, site_tile):
    z, x, y = site_tile
    with sessions.begin() as session:
        issued = create_token(session, name="tiles revoke", role=Role.PLANNER)
    try:
        with _app(api_world, sessions) as client:
            headers = {"Authorization": f"Bearer {issued.secret}"}
            template = client.get("/tiles/sites.json", headers=headers).json()["tiles"][0]
            url = template.replace("http://testserver", "").format(z=z, x=x, y=y)
            assert client.get(url).status_code == 200
            with sessions.begin() as session:
                revoke_token(session, issued.token.id)
            refused = client.get(url)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    finally:
        with sessions.begin() as session:
            session.execute(delete(m.ApiToken).where(m.ApiToken.id == issued.token.id))


def test_tilejson_needs_a_bearer_token_and_a_known_layer(api_world, sessions):
    with _app(api_world, sessions) as client:
        assert client.get("/tiles/sites.json").status_code == 401
        headers = {"Authorization": f"Bearer {api_world.tokens['planner']}"}
        unknown = client.get("/tiles/tenants.json", headers=headers)
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "NOT_FOUND"
        routes = client.get("/tiles/routes.json?date=2026-06-02", headers=headers).json()
        assert "date=2026-06-02" in routes["tiles"][0]
        bad = client.get("/tiles/routes.json?date=June", headers=headers)
        assert bad.status_code == 400
