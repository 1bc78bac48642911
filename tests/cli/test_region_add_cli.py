"""``sitecrew region add|list|show|remove`` as an operator runs them, on real extracts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from tests.helpers import run_sitecrew

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graph_cache(tmp_path_factory) -> Path:
    """One street-graph cache for the module's commands (each extract is built once)."""
    return tmp_path_factory.mktemp("cli-region-graphs")


def _region(
    tmp_path: Path, osm_dir: Path, cache: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return run_sitecrew(
        "region",
        *args,
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'regions.db'}",
        SITECREW_OSM_DIR=str(osm_dir),
        SITECREW_CACHE_DIR=str(cache),
    )


def test_a_region_is_added_shown_listed_and_removed_when_it_holds_no_work(
    tmp_path, osm_dir, graph_cache
):
    """Add with GeoJSON districts, see its places and graph, list it, remove it."""
    districts = tmp_path / "bydeler.geojson"
    districts.write_text(json.dumps(_two_districts()), encoding="utf-8")
    extract = osm_dir / "oslo-grunerlokka.osm.pbf"
    added = _region(
        tmp_path, osm_dir, graph_cache,
        "add", "lokka", "--extract", str(extract), "--title", "Grünerløkka",
        "--districts", str(districts),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Region 'lokka' (Grünerløkka) added" in added.stdout
    assert "country NO, time zone Europe/Oslo" in added.stdout
    assert "districts: Nord, Sør" in added.stdout
    assert "address points: 4" in added.stdout  # thousands: 4,7xx
    shown = _region(tmp_path, osm_dir, graph_cache, "show", "LOKKA")
    assert shown.returncode == 0, shown.stderr
    assert f"own extract {extract}: cached" in shown.stdout
    assert "building 2" in shown.stdout
    assert "Nord" in shown.stdout
    listed = _region(tmp_path, osm_dir, graph_cache, "list")
    assert "address points" in listed.stdout
    assert "lokka" in listed.stdout
    built = run_sitecrew(
        "osm", "build", "lokka",
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'regions.db'}",
        SITECREW_OSM_DIR=str(osm_dir),
        SITECREW_CACHE_DIR=str(graph_cache),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr  # the added region's own extract, not the manifest
    assert built.stdout.strip().startswith("lokka: ")
    assert "intersections" in built.stdout
    removed = _region(tmp_path, osm_dir, graph_cache, "remove", "lokka", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "removed region 'lokka'" in removed.stdout
    assert "Traceback" not in added.stderr + shown.stderr + listed.stderr + removed.stderr


def test_refusals_say_why_and_exit_non_zero(tmp_path, osm_dir, graph_cache):
    """A taken slug (5), a box outside the extract (3), a missing extract (4): one line each."""
    extract = str(osm_dir / "oslo-grunerlokka.osm.pbf")
    first = _region(tmp_path, osm_dir, graph_cache, "add", "lokka", "--extract", extract)
    assert first.returncode == 0, first.stderr
    cases = [
        (("add", "lokka", "--extract", extract), 5, "sitecrew region remove lokka"),
        (("add", "other", "--extract", extract, "--bbox", "11,60,11.1,60.1"), 3, "outside"),
        (("add", "other", "--extract", str(tmp_path / "none.osm.pbf")), 4, "does not exist"),
        (("add", "other", "--extract", extract, "--country", "XX"), 3, "unknown country"),
    ]
    for args, code, message in cases:
        result = _region(tmp_path, osm_dir, graph_cache, *args)
        assert result.returncode == code, (args, result.stderr)
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_a_roads_only_extract_is_added_with_the_address_warning(tmp_path, osm_dir, graph_cache):
    """Uppsala's roads: routing yes, address matching no, and the command says so."""
    result = _region(
        tmp_path, osm_dir, graph_cache,
        "add", "uppsala", "--extract", str(osm_dir / "uppsala-central-roads.osm.pbf"),
        "--country", "SE",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "time zone Europe/Stockholm" in result.stdout
    assert "warning: region 'uppsala' holds no address points" in result.stderr
    assert "use lon/lat columns" in result.stderr


def test_malta_gets_its_local_councils_as_districts_from_osm(tmp_path, osm_dir, graph_cache):
    """admin_level 8 makes Malta's councils districts; level 9 is refused naming level 8."""
    extract = str(osm_dir / "malta.osm.pbf")
    wrong = _region(
        tmp_path, osm_dir, graph_cache,
        "add", "malta", "--extract", extract, "--country", "MT", "--districts-from-osm", "9",
    )  # fmt: skip
    assert wrong.returncode == 4
    assert "levels with whole areas in the extract: 4 (10 areas), 8 (60 areas)" in wrong.stderr
    added = _region(
        tmp_path, osm_dir, graph_cache,
        "add", "malta", "--extract", extract, "--country", "MT", "--districts-from-osm", "8",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "time zone Europe/Malta" in added.stdout
    assert "Valletta" in added.stdout


def _two_districts() -> dict[str, object]:
    def box(west: float, south: float, east: float, north: float) -> dict[str, object]:
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        return {"type": "Polygon", "coordinates": [ring]}

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"navn": "Sør"},
                "geometry": box(10.7, 59.9, 10.8, 59.926),
            },
            {
                "type": "Feature",
                "properties": {"navn": "Nord"},
                "geometry": box(10.7, 59.926, 10.8, 59.95),
            },
        ],
    }
