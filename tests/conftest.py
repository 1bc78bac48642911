"""Shared fixtures: where real OSM extracts live, and (below) the two database backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _osm_directory() -> Path:
    configured = os.environ.get("SITECREW_OSM_DIR")
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "osm"


@pytest.fixture(scope="session")
def osm_dir() -> Path:
    """The directory of real OpenStreetMap extracts (``../shared/osm`` unless configured).

    Holds ``oslo.osm.pbf`` (central Oslo, full tags), ``oslo-grunerlokka.osm.pbf`` (a small
    clip for fast tests), ``oslo-east-roads.osm.pbf``, ``uppsala-central-roads.osm.pbf``,
    ``malta.osm.pbf`` and ``rhein-neckar-roads.osm.pbf``; see its SOURCES.md.
    """
    directory = _osm_directory()
    if not (directory / "oslo.osm.pbf").exists():
        if os.environ.get("CI"):
            pytest.fail(f"OSM extracts missing in {directory} (CI must have ../shared/osm)")
        pytest.skip(f"OSM extracts not found in {directory}; set SITECREW_OSM_DIR")
    return directory
