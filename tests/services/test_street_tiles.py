"""The street basemap layer: central Oslo's router graph (the real extract) cut into tiles."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

import mercantile
import pytest
import shapely

from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.tiles.streets import (
    CLASSES,
    MAX_FEATURES,
    MIN_ZOOM,
    StreetSource,
    manifest_street_sources,
    street_layer,
    street_sources_covering,
    street_tile_features,
)

if TYPE_CHECKING:
    from pathlib import Path

    from sitecrew.config import OsmSettings

#: Grünerløkka: Markveien and Thorvald Meyers gate, residential streets of central Oslo.
LOKKA = (10.7575, 59.9275)
#: Lund C, Sweden: the few drivable streets of the tiny ``lund-station`` extract.
LUND = (13.1875, 55.7079)
MAJOR = {"motorway", "trunk", "primary", "secondary"}


def _tile(lon_lat: tuple[float, float], z: int) -> tuple[int, int, int]:
    tile = mercantile.tile(*lon_lat, z)
    return z, tile.x, tile.y


def _copy_osm(directory: Path, extract: Path, planning_osm: OsmSettings) -> OsmSettings:
    """An OSM directory holding one copy of ``extract`` as ``oslo.osm.pbf``, sharing the cache.

    The graph cache is keyed by the extract's bytes, so a copy of Oslo loads the session's
    build instead of building again.
    """
    directory.mkdir()
    shutil.copyfile(extract, directory / "oslo.osm.pbf")
    return replace(planning_osm, directory=directory)


def test_a_central_oslo_tile_at_zoom_15_has_its_named_residential_streets(planning_osm):
    z, x, y = _tile(LOKKA, 15)

    features = street_tile_features(planning_osm, "oslo", z, x, y)

    residential = {f.name for f in features if f.street_class == "residential"}
    assert {"Markveien", "Thorvald Meyers gate"} <= residential
    west, south, east, north = mercantile.bounds(x, y, z)
    tile = shapely.box(west, south, east, north).buffer(0.001)
    assert all(isinstance(f.geometry, shapely.LineString) for f in features)
    assert all(f.geometry.intersects(tile) for f in features)
    assert {f.street_class for f in features} <= set(CLASSES)


def test_a_zoom_11_tile_has_only_the_major_classes(planning_osm):
    features = street_tile_features(planning_osm, "oslo", *_tile(LOKKA, 11))

    assert len(features) > 100
    assert {f.street_class for f in features} <= MAJOR
    assert "Trondheimsveien" in {f.name for f in features}


def test_zooms_12_and_13_add_tertiary_and_residential_but_not_every_class(planning_osm):
    for z in (12, 13):
        classes = {
            f.street_class for f in street_tile_features(planning_osm, "oslo", *_tile(LOKKA, z))
        }

        assert {"tertiary", "residential"} <= classes
        assert classes <= MAJOR | {"tertiary", "residential"}


def test_low_zoom_lines_are_simplified_to_about_a_pixel(planning_osm):
    z, x, y = _tile(LOKKA, 11)
    layer = street_layer(planning_osm, "oslo")

    vertices = sum(
        len(f.geometry.coords) for f in street_tile_features(planning_osm, "oslo", z, x, y)
    )

    unsimplified = sum(
        len(line.coords) for line, rank in zip(layer.lines, layer.ranks, strict=True) if rank <= 3
    )
    assert vertices < 0.8 * unsimplified


def test_a_two_way_street_is_one_line_and_a_one_way_street_is_flagged(planning_osm):
    features = street_tile_features(planning_osm, "oslo", *_tile(LOKKA, 16))

    shapes = [shapely.normalize(f.geometry).wkb for f in features]
    assert len(shapes) == len(set(shapes))
    assert {f.oneway for f in features} == {True, False}
    props = features[0].properties()
    assert set(props) <= {"class", "name", "oneway"}
    assert isinstance(props["oneway"], bool)


def test_a_world_view_draws_no_streets_and_loads_no_graph(planning_osm, osm_dir, tmp_path):
    osm = _copy_osm(tmp_path / "osm", osm_dir / "lund-station.osm.pbf", planning_osm)
    osm = replace(osm, cache_directory=tmp_path / "empty-cache")

    for z in range(MIN_ZOOM):
        assert street_tile_features(osm, None, *_tile(LOKKA, z)) == []
        assert street_tile_features(osm, "oslo", *_tile(LOKKA, z)) == []

    assert not osm.cache_directory.exists()
    street_tile_features(osm, None, *_tile(LOKKA, MIN_ZOOM))
    assert osm.cache_directory.exists()  # from zoom 8 the tile's graphs are loaded


def test_sources_sharing_a_street_graph_give_each_street_once(planning_osm):
    tile = _tile(LOKKA, 15)
    lokka_box = (10.745, 59.917, 10.778, 59.936)
    twice = [StreetSource("oslo", lokka_box), StreetSource("OSLO", (10.0, 59.0, 11.0, 60.0))]

    features = street_tile_features(planning_osm, None, *tile, sources=twice)

    only_oslo = street_tile_features(planning_osm, "oslo", *tile)
    assert [f.geometry.wkb for f in features] == [f.geometry.wkb for f in only_oslo]


def test_a_tile_in_the_pacific_has_no_streets_whether_or_not_a_region_is_named(planning_osm):
    pacific = _tile((-150.0, 0.0), 15)

    assert street_tile_features(planning_osm, "oslo", *pacific) == []
    assert street_tile_features(planning_osm, None, *pacific) == []
    assert street_sources_covering(manifest_street_sources(planning_osm), *pacific) == []


def test_the_cap_keeps_the_most_important_streets_first_and_the_same_ones_every_time(
    planning_osm,
):
    tile = _tile(LOKKA, 15)
    everything = street_tile_features(planning_osm, "oslo", *tile)

    capped = street_tile_features(planning_osm, "oslo", *tile, max_features=20)

    assert len(capped) == 20 < len(everything)
    assert [f.geometry.wkb for f in capped] == [f.geometry.wkb for f in everything[:20]]
    ranks = [CLASSES.index(f.street_class) for f in everything]
    assert ranks == sorted(ranks)
    again = street_tile_features(planning_osm, "oslo", *tile, max_features=20)
    assert [f.geometry.wkb for f in again] == [f.geometry.wkb for f in capped]
    assert street_tile_features(planning_osm, "oslo", *tile, max_features=0) == []
    assert len(street_tile_features(planning_osm, None, *_tile(LOKKA, 13))) <= MAX_FEATURES


def test_without_a_region_overlapping_graphs_give_each_street_once(planning_osm):
    tile = _tile(LOKKA, 16)
    covering = street_sources_covering(manifest_street_sources(planning_osm), *tile)

    features = street_tile_features(planning_osm, None, *tile)

    assert [source.slug for source in covering][:1] == ["oslo"]
    assert len(covering) > 1  # oslo-east and oslo-grunerlokka overlap central Oslo
    only_oslo = street_tile_features(planning_osm, "oslo", *tile)
    assert [f.geometry.wkb for f in features] == [f.geometry.wkb for f in only_oslo]


def test_a_region_added_from_its_own_extract_is_read_from_that_file(planning_osm, osm_dir):
    lokka = StreetSource(
        "lokka-own", (10.745, 59.917, 10.778, 59.936), osm_dir / "oslo-grunerlokka.osm.pbf"
    )

    features = street_tile_features(planning_osm, "LOKKA-OWN", *_tile(LOKKA, 15), sources=[lokka])

    assert "Markveien" in {f.name for f in features}
    assert street_tile_features(planning_osm, None, *_tile(LOKKA, 15), sources=[lokka])


@pytest.mark.parametrize("region", ["atlantis", "../../etc/passwd", "x" * 10_000, ""])
def test_an_unknown_region_is_not_found_when_asked_for_a_tile(planning_osm, region):
    with pytest.raises(NotFoundError) as raised:
        street_tile_features(planning_osm, region, *_tile(LOKKA, 15))

    assert raised.value.code == "NOT_FOUND"
    assert len(str(raised.value)) < 400


def test_a_region_without_its_extract_is_not_found_when_asked_for_a_tile(planning_osm, tmp_path):
    empty = replace(planning_osm, directory=tmp_path)
    own = StreetSource("gone", (10.7, 59.9, 10.8, 60.0), tmp_path / "gone.osm.pbf")

    with pytest.raises(NotFoundError, match=r"oslo\.osm\.pbf"):
        street_tile_features(empty, "oslo", *_tile(LOKKA, 15))
    with pytest.raises(NotFoundError, match="gone"):
        street_tile_features(empty, "gone", *_tile(LOKKA, 15), sources=[own])
    assert manifest_street_sources(empty) == []
    assert street_tile_features(empty, None, *_tile(LOKKA, 15)) == []


@pytest.mark.parametrize(
    "tile", [(-1, 0, 0), (23, 0, 0), (10**9, 0, 0), (3, 8, 0), (3, 0, 8), (3, -1, 0), (3, 0, -1)]
)
def test_a_tile_outside_the_grid_is_invalid_input(planning_osm, tile):
    with pytest.raises(InvalidInputError):
        street_tile_features(planning_osm, "oslo", *tile)
    with pytest.raises(InvalidInputError):
        street_tile_features(planning_osm, None, *tile)


def test_the_layer_is_loaded_once_and_reused(planning_osm):
    first = street_layer(planning_osm, "oslo")

    assert street_layer(planning_osm, "OSLO") is first
    street_tile_features(planning_osm, "oslo", *_tile(LOKKA, 15))
    assert street_layer(planning_osm, " oslo ") is first


def test_the_layer_is_reloaded_when_the_extract_is_replaced(planning_osm, osm_dir, tmp_path):
    osm = _copy_osm(tmp_path / "osm", osm_dir / "oslo.osm.pbf", planning_osm)
    oslo_layer = street_layer(osm, "oslo")
    assert street_tile_features(osm, "oslo", *_tile(LOKKA, 15))

    extract = osm.directory / "oslo.osm.pbf"
    shutil.copyfile(osm_dir / "lund-station.osm.pbf", extract)
    stat = extract.stat()
    os.utime(extract, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert street_layer(osm, "oslo") is not oslo_layer
    assert street_tile_features(osm, "oslo", *_tile(LOKKA, 15)) == []
    assert street_tile_features(osm, "oslo", *_tile(LUND, 16))


def test_the_layer_is_reloaded_when_its_cached_graph_is_rebuilt(planning_osm, osm_dir, tmp_path):
    osm = _copy_osm(tmp_path / "osm", osm_dir / "lund-station.osm.pbf", planning_osm)
    layer = street_layer(osm, "oslo")
    stat = layer.graph_file.stat()

    os.utime(layer.graph_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    reloaded = street_layer(osm, "oslo")
    assert reloaded is not layer
    assert street_layer(osm, "oslo") is reloaded


def test_threads_asking_for_tiles_at_once_share_one_load_and_agree(planning_osm, osm_dir, tmp_path):
    osm = _copy_osm(tmp_path / "osm", osm_dir / "oslo.osm.pbf", planning_osm)
    tiles = [_tile(LOKKA, z) for z in (12, 13, 14, 15, 16)] * 4

    with ThreadPoolExecutor(max_workers=8) as pool:
        layers = list(pool.map(lambda _: street_layer(osm, "oslo"), range(8)))
        results = list(pool.map(lambda tile: street_tile_features(osm, "oslo", *tile), tiles))

    assert all(layer is layers[0] for layer in layers)
    for tile, features in zip(tiles, results, strict=True):
        alone = street_tile_features(osm, "oslo", *tile)
        assert [f.geometry.wkb for f in features] == [f.geometry.wkb for f in alone]
