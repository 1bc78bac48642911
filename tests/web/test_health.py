"""The health endpoint tells a load balancer whether this instance can serve."""

from __future__ import annotations

from starlette.testclient import TestClient

from sitecrew.config import DatabaseSettings, Settings
from sitecrew.db.engine import engine_from_url
from sitecrew.web.app import create_app


def test_health_is_ok_on_a_migrated_database(engine, backend):
    """A migrated database answers 200 with the backend's name and the head revision."""
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database=DatabaseSettings(url=url)))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == backend
    assert body["revision"] == body["expected_revision"]


def test_health_is_unavailable_when_the_schema_is_missing(tmp_path):
    """An empty database is reported as needing a migration (503), not as healthy."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine_from_url(url).dispose()
    with TestClient(create_app(Settings(database=DatabaseSettings(url=url)))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "migration needed"
