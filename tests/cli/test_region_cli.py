"""One region name on the command line: ``region list``, and slugs in any case or ids as input.

Each test runs the real ``sitecrew`` process against a database of each backend that holds two
regions: ``oslo`` (title "Oslo sentrum", routed on the manifest's ``oslo``) and ``lund``
(routed on the tiny ``lund-station`` extract).
"""

from __future__ import annotations

import subprocess  # the CLI is tested as a user runs it: a real process

import pytest
import shapely
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.organisations import Region
from sitecrew.services import organisations

OSLO_BOX = shapely.box(10.72, 59.90, 10.78, 59.94)
LUND_BOX = shapely.box(13.174, 55.701, 13.189, 55.721)


@pytest.fixture(scope="session")
def regions_url(backend, database_url_factory) -> str:
    """A migrated database of ``backend`` holding the regions ``oslo`` and ``lund``."""
    url = database_url_factory(backend, "sitecrew_test_region_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        oslo = organisations.create_region(
            session, Region("Oslo sentrum", OSLO_BOX, "oslo", slug="oslo")
        )
        lund = organisations.create_region(
            session, Region("Lund C", LUND_BOX, "lund-station", slug="lund")
        )
    engine.dispose()
    assert (oslo.id, lund.id) == (1, 2)  # the tests name them by id too
    return url


@pytest.fixture
def sitecrew(regions_url, tmp_path, osm_dir):
    """Run ``sitecrew ARGS`` on the regions database, the real extracts and an empty cache."""
    settings = {
        "DATABASE_URL": regions_url,
        "SITECREW_OSM_DIR": str(osm_dir),
        "SITECREW_CACHE_DIR": str(tmp_path / "cache"),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sitecrew(*args, cwd=tmp_path, **settings)

    return run


def test_region_list_shows_slug_title_clock_and_street_graph(sitecrew):
    """``sitecrew region list`` reads the database: the names a user types, and what they mean."""
    result = sitecrew("region", "list")
    assert result.returncode == 0, result.stderr
    for text in ("oslo", "Oslo sentrum", "Europe/Oslo", "lund", "Lund C", "lund-station"):
        assert text in result.stdout


def test_token_takes_a_region_slug_in_any_case_or_its_id(sitecrew):
    """``--region OSLO``, ``--region oslo`` and ``--region 1`` all scope a planner token."""
    for region in ("OSLO", "oslo", "1"):
        result = sitecrew("token", "create", "--role", "planner", "--region", region)
        assert result.returncode == 0, result.stderr
        assert "(planner, region 1)" in result.stderr


def test_unknown_region_is_exit_code_4_listing_the_slugs(sitecrew):
    """A misspelt region, or its title, is one line naming the known slugs, never a traceback."""
    for args in (
        ("token", "create", "--role", "planner", "--region", "Oslo sentrum"),
        ("plan", "--region", "atlantis", "--date", "2026-06-02"),
    ):
        result = sitecrew(*args)
        assert result.returncode == 4, result.stderr
        assert "known regions: lund (Lund C), oslo (Oslo sentrum)" in result.stderr
        assert "Traceback" not in result.stderr


def test_osm_build_takes_a_database_regions_slug_or_id(sitecrew):
    """``osm build LUND`` (the database region) builds its street graph, ``lund-station``."""
    for region in ("LUND", "2", "Lund-Station"):
        result = sitecrew("osm", "build", region)
        assert result.returncode == 0, result.stderr
        assert result.stdout.lstrip().startswith("lund-station:")
    unknown = sitecrew("osm", "build", "atlantis")
    assert unknown.returncode == 4
    assert "known regions:" in unknown.stderr
