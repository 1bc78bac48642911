"""The graph cache: keyed by extract content and settings, reloaded instead of rebuilt."""

from __future__ import annotations

import dataclasses
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pytest

from sitecrew.errors import StreetGraphError
from sitecrew.streets import BuildSettings, StreetNetwork, load_arrays, network_from_extract
from sitecrew.streets.store import cache_key_for

if TYPE_CHECKING:
    from pathlib import Path


def test_cached_arrays_equal_built_ones_when_loaded_again(
    osm_dir: Path, cache_dir: Path, grunerlokka: StreetNetwork
) -> None:
    """A second load reads the same cache entry and yields identical arrays."""
    stages: list[str] = []
    again = network_from_extract(
        osm_dir / "oslo-grunerlokka.osm.pbf", cache_directory=cache_dir, progress=stages.append
    )
    assert "read extract" not in stages
    assert again.cache_folder == grunerlokka.cache_folder
    for field in dataclasses.fields(again.arrays):
        assert np.array_equal(
            getattr(again.arrays, field.name), getattr(grunerlokka.arrays, field.name)
        )


def test_cache_key_changes_when_settings_or_extract_change(osm_dir: Path, tmp_path: Path) -> None:
    """Other speeds or other bytes give another key, so a stale graph is never reused."""
    path = osm_dir / "lund-station.osm.pbf"
    base = cache_key_for(path, BuildSettings())
    slower = BuildSettings(highway_speeds={"residential": 20.0})
    assert cache_key_for(path, slower) != base
    copy = tmp_path / "lund-station.osm.pbf"
    shutil.copyfile(path, copy)
    assert cache_key_for(copy, BuildSettings()) == base
    with copy.open("ab") as handle:
        handle.write(b"\0")
    assert cache_key_for(copy, BuildSettings()) != base


def test_load_raises_street_graph_error_when_folder_is_empty(tmp_path: Path) -> None:
    """An empty or foreign folder is a typed error, not a numpy traceback."""
    with pytest.raises(StreetGraphError, match="no usable street graph cache"):
        load_arrays(tmp_path)
