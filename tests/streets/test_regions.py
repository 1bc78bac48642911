"""The region manifest and how a region resolves to an extract."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sitecrew.errors import NotFoundError
from sitecrew.streets import extract_path_for, get_region_or_raise, load_regions
from sitecrew.streets.regions import REPOSITORY_MANIFEST

if TYPE_CHECKING:
    from pathlib import Path


def test_every_region_resolves_to_an_extract_in_the_shared_directory(osm_dir: Path) -> None:
    """Each manifest region names a file that exists, with a bbox and a download pointer."""
    regions = load_regions(REPOSITORY_MANIFEST)
    assert {"oslo", "oslo-east", "oslo-grunerlokka", "uppsala", "malta", "rhein-neckar"} <= set(
        regions
    )
    for region in regions.values():
        assert extract_path_for(region, directory=osm_dir).is_file()
        west, south, east, north = region.bbox
        assert west < east
        assert south < north
        assert region.download.startswith("https://")
        assert "OpenStreetMap" in region.licence


def test_missing_extract_error_names_file_and_download_when_absent(tmp_path: Path) -> None:
    """A region whose file is not in the directory says which file and where to get it."""
    region = get_region_or_raise("malta", directory=tmp_path)
    with pytest.raises(NotFoundError, match=r"malta\.osm\.pbf.*geofabrik"):
        extract_path_for(region, directory=tmp_path)


def test_unknown_region_lists_known_ones_when_misspelt(tmp_path: Path) -> None:
    """A typo in a region name lists the names that exist."""
    with pytest.raises(NotFoundError, match=r"known regions: .*oslo"):
        get_region_or_raise("olso", directory=tmp_path)
