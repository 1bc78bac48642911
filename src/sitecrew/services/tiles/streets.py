"""The street basemap layer: the router's own street graph of a region, cut into tiles.

No outside basemap is reachable, so the console draws its background from the same
OpenStreetMap graph the planner routes on: what the map shows is what the crews are routed
over. Each region's graph is turned once per process into one line per street (the two
directions of a two-way street merged) with a class, a name and a one-way flag, and into one
STRtree per zoom band; a tile is then an STRtree query of its box. The layer is keyed by the
extract and the cached graph file, stamped with their modification times and sizes, so a
rebuilt graph (``sitecrew osm build --rebuild``, a new extract) is picked up by the next tile.

This module knows no database: the caller names the street region (a manifest slug, which is
what ``regions.street_region`` holds), or passes the regions it may show as
:class:`StreetSource` (a region added from its own extract is not in the manifest).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import mercantile
import numpy as np
import shapely
from numpy.typing import NDArray

from sitecrew.domain.organisations import normalise_slug
from sitecrew.errors import NotFoundError, StreetGraphError
from sitecrew.services.tiles.grid import Tile
from sitecrew.streets import load_graph, network_from_extract
from sitecrew.streets.regions import (
    extract_path_for,
    get_region_or_raise,
    load_regions,
    manifest_path_for,
)
from sitecrew.streets.store import GRAPH_FILE

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from sitecrew.config import OsmSettings
    from sitecrew.streets import StreetArrays
    from sitecrew.streets.regions import Region

StreetClass = Literal[
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "residential",
    "service",
    "path",
    "other",
]
#: Street classes from the most to the least important (a class's rank is its position).
CLASSES: tuple[StreetClass, ...] = get_args(StreetClass)
_OWN_NAMES: dict[str, StreetClass] = {name: name for name in CLASSES}
#: OSM ``highway`` values and their class (links join their road; minor roads are residential).
_HIGHWAYS: dict[str, StreetClass] = _OWN_NAMES | {
    "motorway_link": "motorway",
    "trunk_link": "trunk",
    "primary_link": "primary",
    "secondary_link": "secondary",
    "tertiary_link": "tertiary",
    "unclassified": "residential",
    "living_street": "residential",
    "minor": "residential",
    "road": "residential",
    "busway": "service",
    "footway": "path",
    "cycleway": "path",
    "pedestrian": "path",
    "track": "path",
    "steps": "path",
    "bridleway": "path",
}
_RANK = {name: rank for rank, name in enumerate(CLASSES)}
#: Least important class drawn below zoom 12 (motorway .. secondary) and at zooms 12-13.
_LOW_ZOOM_LAST = _RANK["secondary"]
_MID_ZOOM_LAST = _RANK["residential"]
#: Below this zoom a city is a few pixels: no streets are drawn and no graph is loaded (so a
#: world view never builds every region's graph).
MIN_ZOOM = 8
#: Zooms from which the mid band and then every class are drawn. A map client draws a tile at
#: 512 pixels (MapLibre's vector tiles), so tile zoom 12 shows around map zoom 13, where a
#: city's residential streets are what a planner finds an address by.
MID_ZOOM = 12
FULL_ZOOM = 14
#: Geometry is simplified to about one pixel of a 256-pixel tile below this zoom.
SIMPLIFY_BELOW_ZOOM = 16
TILE_PIXELS = 256
#: Most features one tile carries; the most important classes are kept first.
MAX_FEATURES = 8000


@dataclass(frozen=True, eq=False)
class StreetFeature:
    """One street line of a tile.

    Attributes
    ----------
    geometry
        The street in lon/lat (EPSG:4326), from its start to its end (a one-way street in its
        direction of travel); simplified to about a pixel below zoom 16, not clipped.
    street_class
        One of :data:`CLASSES`, from the OSM ``highway`` tag.
    name
        The street's name, when OSM knows one.
    oneway
        Whether the router may drive it in one direction only.
    """

    geometry: shapely.LineString
    street_class: StreetClass
    name: str | None
    oneway: bool

    def properties(self) -> dict[str, str | bool]:
        """Return the MVT feature properties: ``class``, ``oneway`` and ``name`` when known."""
        props: dict[str, str | bool] = {"class": self.street_class, "oneway": self.oneway}
        if self.name is not None:
            props["name"] = self.name
        return props


@dataclass(frozen=True)
class StreetSource:
    """A street graph that may serve tiles.

    Attributes
    ----------
    slug
        The street region's slug (a manifest region, or a region added from its own extract).
    bounds
        ``(west, south, east, north)`` in degrees: the area the graph covers.
    extract
        The region's own extract (``regions.extract_path``), or ``None`` for a manifest region.
    """

    slug: str
    bounds: tuple[float, float, float, float]
    extract: Path | None = None


@dataclass(frozen=True, eq=False)
class StreetLayer:
    """One region's streets ready for tile queries (immutable, so shared between threads).

    ``lines[i]`` is street ``i``; ``trees[band]`` indexes the streets drawn in that zoom band
    and ``members[band]`` maps the tree's positions back to street indices.
    """

    lines: NDArray[np.object_]
    ranks: NDArray[np.int8]
    names: tuple[str | None, ...]
    oneway: NDArray[np.bool_]
    midpoints: NDArray[np.float64]
    trees: tuple[shapely.STRtree, ...]
    members: tuple[NDArray[np.int64], ...]
    stamp: tuple[int, ...]
    graph_file: Path


_layers: dict[tuple[str, Path, Path], StreetLayer] = {}
_load_locks: dict[tuple[str, Path, Path], threading.Lock] = {}
_manifests: dict[Path, tuple[tuple[int, ...], dict[str, Region]]] = {}
_registry_lock = threading.Lock()


def street_tile_features(
    osm: OsmSettings,
    region: str | None,
    z: int,
    x: int,
    y: int,
    *,
    sources: Sequence[StreetSource] | None = None,
    max_features: int = MAX_FEATURES,
) -> list[StreetFeature]:
    """Return the streets of tile ``z/x/y`` (the tile and its MVT buffer), most important first.

    Parameters
    ----------
    osm
        Where extracts and the graph cache live (``Settings.osm``).
    region
        A street region's slug, any case; ``None`` for every region of ``sources`` whose
        bounds meet the tile, where earlier sources win the streets of overlapping areas.
    z, x, y
        The XYZ tile.
    sources
        The street graphs the caller may show; ``None`` for the manifest's regions whose
        extract is present. A source whose slug is ``region`` and which has its own extract
        is read from that extract.
    max_features
        Cap on the features returned; ties are cut by class, then by graph order, so the same
        tile of the same graph always keeps the same streets.

    Returns
    -------
    list[StreetFeature]
        Motorway to secondary at zooms 8-11, also tertiary and residential at 12-13, every
        class from 14; empty below zoom 8 and where no graph has streets.

    Raises
    ------
    InvalidInputError
        For a tile outside the grid.
    NotFoundError
        When ``region`` is unknown or its extract is missing.
    StreetGraphError
        When the extract holds no drivable network.
    """
    tile = Tile(z, x, y)
    if tile.z < MIN_ZOOM:
        return []
    if region is not None:
        chosen = [_source_named(osm, region, sources)]
    else:
        candidates = manifest_street_sources(osm) if sources is None else sources
        chosen = _distinct(street_sources_covering(candidates, tile.z, tile.x, tile.y))
    box = tile.search_box()
    query = shapely.box(box.west, box.south, box.east, box.north)
    band = _band(tile.z)
    picked: list[tuple[int, int, int, StreetLayer]] = []
    for position, source in enumerate(chosen):
        layer = street_layer(osm, source.slug, extract=source.extract)
        found = layer.members[band][layer.trees[band].query(query, predicate="intersects")]
        if position > 0:
            found = found[_owned(layer.midpoints[found], source, chosen[:position])]
        picked += [(int(layer.ranks[i]), position, int(i), layer) for i in found]
    picked.sort(key=lambda item: item[:3])
    return _features(picked[: max(0, max_features)], tile)


def street_sources_covering(
    sources: Sequence[StreetSource], z: int, x: int, y: int
) -> list[StreetSource]:
    """Return the sources whose bounds meet tile ``z/x/y``, in the given order.

    Raises
    ------
    InvalidInputError
        For a tile outside the grid.
    """
    box = Tile(z, x, y).search_box()
    return [
        source
        for source in sources
        if source.bounds[0] <= box.east
        and source.bounds[2] >= box.west
        and source.bounds[1] <= box.north
        and source.bounds[3] >= box.south
    ]


def manifest_street_sources(osm: OsmSettings) -> list[StreetSource]:
    """Return the manifest's regions whose extract is in the OSM directory, in manifest order.

    Raises
    ------
    ConfigurationError
        When the manifest cannot be read.
    """
    return [
        StreetSource(region.name, region.bbox)
        for region in _manifest(osm).values()
        if (osm.directory / region.extract).is_file()
    ]


def street_layer(osm: OsmSettings, slug: str, *, extract: Path | None = None) -> StreetLayer:
    """Return a region's street layer, loading it on first use and again after a rebuild.

    A later call returns the same object until the extract or its cached graph changes on
    disk (checked by two ``stat`` calls). Threads loading the same region wait for one load.

    Raises
    ------
    NotFoundError
        When the region is unknown or its extract is missing.
    StreetGraphError
        When the extract holds no drivable network.
    """
    key_slug = normalise_slug(slug)
    if extract is None:
        extract = extract_path_for(_manifest_region(osm, key_slug), directory=osm.directory)
    path = Path(extract).resolve()
    key = (key_slug, path, osm.cache_directory.resolve())
    layer = _layers.get(key)
    if layer is not None and _stamp(path, layer.graph_file) == layer.stamp:
        return layer
    with _registry_lock:
        lock = _load_locks.setdefault(key, threading.Lock())
    with lock:
        layer = _layers.get(key)
        if layer is None or _stamp(path, layer.graph_file) != layer.stamp:
            layer = _load_layer(key_slug, path, osm=osm)
            _layers[key] = layer
        return layer


def clear_street_layers() -> None:
    """Forget every loaded layer (tests)."""
    with _registry_lock:
        _layers.clear()
        _manifests.clear()


def _source_named(
    osm: OsmSettings, region: str, sources: Sequence[StreetSource] | None
) -> StreetSource:
    slug = normalise_slug(region)
    for source in sources or ():
        if normalise_slug(source.slug) == slug and source.extract is not None:
            return source
    found = _manifest_region(osm, slug)
    return StreetSource(found.name, found.bbox)


def _manifest_region(osm: OsmSettings, slug: str) -> Region:
    found = _manifest(osm).get(slug)
    if found is None:  # unknown: the streets package's error, naming the known regions
        return get_region_or_raise(slug, directory=osm.directory)
    return found


def _manifest(osm: OsmSettings) -> dict[str, Region]:
    """Return the manifest's regions, reading the file again only when it changed.

    Parsing the TOML takes about two milliseconds, longer than most tile queries.
    """
    manifest = manifest_path_for(osm.directory)
    stamp = _stamp(manifest, manifest)
    with _registry_lock:
        cached = _manifests.get(manifest)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_regions(manifest))
        with _registry_lock:
            _manifests[manifest] = cached
    return cached[1]


def _distinct(sources: list[StreetSource]) -> list[StreetSource]:
    """Keep the first source of each graph (two database regions may share a street region)."""
    seen: set[tuple[str, Path | None]] = set()
    kept = []
    for source in sources:
        key = (normalise_slug(source.slug), source.extract)
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


def _band(z: int) -> int:
    return 0 if z < MID_ZOOM else 1 if z < FULL_ZOOM else 2


def _owned(
    midpoints: NDArray[np.float64], source: StreetSource, earlier: Sequence[StreetSource]
) -> NDArray[np.bool_]:
    """Keep the streets whose midpoint is in ``source``'s bounds and in no earlier source's."""

    def inside(bounds: tuple[float, float, float, float]) -> NDArray[np.bool_]:
        lon, lat = midpoints[:, 0], midpoints[:, 1]
        return (lon >= bounds[0]) & (lon <= bounds[2]) & (lat >= bounds[1]) & (lat <= bounds[3])

    keep = inside(source.bounds)
    for other in earlier:
        keep &= ~inside(other.bounds)
    return keep


def _features(picked: list[tuple[int, int, int, StreetLayer]], tile: Tile) -> list[StreetFeature]:
    if not picked:
        return []
    lines = np.array([layer.lines[i] for _, _, i, layer in picked], dtype=np.object_)
    if tile.z < SIMPLIFY_BELOW_ZOOM:
        west, south, east, north = mercantile.bounds(tile.x, tile.y, tile.z)
        # a pixel's height in degrees of latitude, the smaller side of a pixel at this latitude
        pixel = (east - west) / TILE_PIXELS * math.cos(math.radians((south + north) / 2))
        lines = shapely.simplify(lines, pixel, preserve_topology=False)
    return [
        StreetFeature(line, CLASSES[rank], layer.names[i], bool(layer.oneway[i]))
        for line, (rank, _, i, layer) in zip(lines, picked, strict=True)
        if not line.is_empty and line.length > 0
    ]


def _stamp(extract: Path, graph_file: Path) -> tuple[int, ...]:
    """Return what changes when the extract or its cached graph is replaced (or vanished)."""
    stamp: list[int] = []
    for path in (extract, graph_file):
        try:
            found = path.stat()
        except OSError:
            stamp += [-1, -1]
        else:
            stamp += [found.st_mtime_ns, found.st_size]
    return tuple(stamp)


def _load_layer(slug: str, extract: Path, *, osm: OsmSettings) -> StreetLayer:
    if not extract.is_file():
        msg = f"the extract of street region {slug!r}, {extract.name}, is missing"
        raise NotFoundError(msg)
    before = extract.stat()  # stamped before reading, so a change during the load reloads
    network = network_from_extract(
        extract,
        cache_directory=osm.cache_directory,
        max_snap_distance_m=osm.max_snap_distance_m,
    )
    if network.cache_folder is None:  # pragma: no cover - network_from_extract always caches
        msg = f"street region {slug!r} has no cached graph"
        raise StreetGraphError(msg)
    graph_file = network.cache_folder / GRAPH_FILE
    after = graph_file.stat()
    stamp = (before.st_mtime_ns, before.st_size, after.st_mtime_ns, after.st_size)
    return _layer_from_graph(load_graph(network.cache_folder), network.arrays, stamp, graph_file)


def _layer_from_graph(
    G: nx.MultiDiGraph, arrays: StreetArrays, stamp: tuple[int, ...], graph_file: Path
) -> StreetLayer:
    """Build the layer: one line per street, the direction of a two-way street dropped."""
    edges = list(G.edges(keys=True, data=True))
    _check_aligned(edges, arrays)
    twin = arrays.edge_twin
    lines: list[shapely.LineString] = []
    ranks: list[int] = []
    names: list[str | None] = []
    oneway: list[bool] = []
    for i, (u, v, _, data) in enumerate(edges):
        if 0 <= twin[i] < i:
            continue  # drawn as its twin
        geometry = data.get("geometry")
        if geometry is None:
            start, end = G.nodes[u], G.nodes[v]
            geometry = shapely.LineString([(start["x"], start["y"]), (end["x"], end["y"])])
        lines.append(geometry)
        ranks.append(_rank_of(data.get("highway")))
        names.append(_first(data.get("name")))
        oneway.append(bool(twin[i] < 0))
    line_array = np.array(lines, dtype=np.object_)
    rank_array = np.array(ranks, dtype=np.int8)
    members = tuple(
        np.flatnonzero(rank_array <= last).astype(np.int64)
        for last in (_LOW_ZOOM_LAST, _MID_ZOOM_LAST, len(CLASSES) - 1)
    )
    midpoints = shapely.get_coordinates(
        shapely.line_interpolate_point(line_array, 0.5, normalized=True)
    ).reshape(-1, 2)
    return StreetLayer(
        lines=line_array,
        ranks=rank_array,
        names=tuple(names),
        oneway=np.array(oneway, dtype=np.bool_),
        midpoints=midpoints,
        trees=tuple(shapely.STRtree(line_array[band]) for band in members),
        members=members,
        stamp=stamp,
        graph_file=graph_file,
    )


def _check_aligned(
    edges: list[tuple[object, object, object, object]], arrays: StreetArrays
) -> None:
    """Raise unless the graph's edges are the arrays' edges in the same order (twins index it)."""
    u = np.array([edge[0] for edge in edges], dtype=np.int64)
    v = np.array([edge[1] for edge in edges], dtype=np.int64)
    if len(edges) != arrays.edge_count or not (
        np.array_equal(arrays.node_osmid[arrays.edge_u], u)
        and np.array_equal(arrays.node_osmid[arrays.edge_v], v)
    ):
        msg = "the cached street graph and its arrays disagree; rebuild the region's graph"
        raise StreetGraphError(msg)


def _rank_of(highway: object) -> int:
    """Return the rank of the most important class among a street's ``highway`` values."""
    values = highway if isinstance(highway, list) else [highway]
    return min(_RANK[_HIGHWAYS.get(str(value), "other")] for value in values)


def _first(value: object) -> str | None:
    """Return a name (a street merged from differently named ways has a list: the first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)
