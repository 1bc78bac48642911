"""``sitecrew osm``: listing regions and building a region's graph from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sitecrew.cli import main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def osm_env(osm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the shared extracts and an empty cache; return the cache directory."""
    monkeypatch.setenv("SITECREW_OSM_DIR", str(osm_dir))
    monkeypatch.setenv("SITECREW_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _exit_code(argv: list[str]) -> int | str | None:
    """Run the command line like the console script does and return its exit code."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return exited.value.code


def test_build_caches_the_region_graph_when_region_exists(
    osm_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Building a region reports its size and leaves a cache entry behind."""
    assert _exit_code(["osm", "build", "lund-station"]) == 0
    assert "lund-station:" in capsys.readouterr().out
    assert [p.name.startswith("lund-station-") for p in osm_env.iterdir()] == [True]


def test_build_exits_with_not_found_when_region_is_unknown(
    osm_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown region is a one-line error and exit code 4, listing the known regions."""
    assert _exit_code(["osm", "build", "atlantis"]) == 4
    assert "known regions" in capsys.readouterr().err


def test_regions_lists_every_manifest_region(
    osm_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The listing names the regions and marks their extracts present."""
    assert _exit_code(["osm", "regions"]) == 0
    out = capsys.readouterr().out
    assert "rhein-neckar" in out
    assert "uppsala" in out
