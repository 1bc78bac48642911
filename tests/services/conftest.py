"""Fixtures for the planning service tests: street graph settings and a committed demo copy."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from sitecrew.config import OsmSettings

if TYPE_CHECKING:
    from pathlib import Path

PLAN_DAY = date(2026, 6, 2)
"""The demo's plan day: the first of its booked days (two-hour installation appointments)."""


@pytest.fixture(scope="session")
def planning_osm(osm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> OsmSettings:
    """OSM settings reading the real extracts, with the street-graph cache in a session temp dir."""
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("plan-graphs"))


@pytest.fixture(scope="session")
def committed_demo_url(database_url_factory, osm_dir: Path) -> str:
    """A SpatiaLite file with a small demo world (2,000 flats) that tests may commit to.

    Background runs work in another process, so they only see committed rows: this database is
    for those tests, which must leave it as they found it apart from their own runs and routes.
    """
    from sitecrew.db import migrate
    from sitecrew.db.engine import engine_from_url, session_factory
    from sitecrew.services.demo import load_demo

    url = database_url_factory("spatialite", "planning_runs")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        load_demo(
            session,
            osm_dir / "oslo.osm.pbf",
            region_name="Oslo sentrum",
            plan_day=PLAN_DAY,
            target_flats=2000,
        )
    engine.dispose()
    return url
