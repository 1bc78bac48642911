"""Build a drivable, travel-time-weighted street graph from an OpenStreetMap extract.

The extract is streamed with pyosmium (PBF, XML or bz2-compressed XML): only ways with a
``highway`` tag that passes the drivable filter are kept, so buildings and footways never become
edges. Measured here, this is about 4x faster and needs a sixth of the memory of converting the
PBF to XML for ``osmnx.graph_from_xml``, and gives the same graph because the ways are handed to
osmnx's own path builder, simplification and speed imputation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain, groupby
from typing import TYPE_CHECKING, Any

import networkx as nx
import osmium
import osmnx as ox

from sitecrew.errors import StreetGraphError
from sitecrew.streets import _validate
from sitecrew.streets.speeds import FALLBACK_SPEED_KPH, HIGHWAY_SPEEDS_KPH

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

#: ``highway`` values that never carry cars (osmnx's "drive" filter, same list).
EXCLUDED_HIGHWAYS = frozenset(
    (
        *("abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway"),
        *("elevator", "escalator", "footway", "no", "path", "pedestrian", "planned"),
        *("platform", "proposed", "raceway", "razed", "rest_area", "services", "steps", "track"),
    )
)
#: ``service`` values osmnx's "drive_service" filter drops (alleys, driveways, parking).
EXCLUDED_SERVICES = frozenset(
    ("alley", "driveway", "emergency_access", "parking", "parking_aisle", "private")
)
#: Temporary edge attribute: the ``(highway, metres)`` of each segment a merged edge is made of.
_HIGHWAY_SPANS = "_highway_spans"


def graph_from_extract(
    path: Path,
    *,
    network_type: str = "drive",
    progress: Callable[[str], None] | None = None,
) -> nx.MultiDiGraph:
    """Return the simplified drivable graph of an extract, largest strongly connected part only.

    Parameters
    ----------
    path
        A ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.
    network_type
        ``"drive"`` (public roads without service ways, osmnx's default for cars) or
        ``"drive_service"`` (also service roads, but no parking aisles or driveways).
    progress
        Called with the name of each stage as it starts, for progress bars.

    Returns
    -------
    G
        An osmnx-convention MultiDiGraph (node ``x``/``y`` in WGS84, edge ``length`` in metres,
        ``geometry`` where simplified) without speeds; see :func:`add_travel_times`. Keeping
        only the largest strongly connected component guarantees every snapped point can reach
        every other one, so a travel-time matrix has no infinite entries.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    StreetGraphError
        When the file cannot be read or holds no drivable road.
    """
    _validate.check_extract_path(path)
    _validate.check_network_type(network_type)
    report = progress or _ignore
    report("read extract")
    nodes, paths = _read_drivable_ways(path, with_service=network_type == "drive_service")
    if not paths:
        msg = f"{path.name} holds no drivable road (no way passes the {network_type!r} filter)"
        raise StreetGraphError(msg)
    report("create graph")
    G = nx.MultiDiGraph(crs=ox.settings.default_crs, network_type=network_type)
    G.add_nodes_from(nodes.items())
    ox.graph._add_paths(G, paths, bidirectional=False)  # noqa: SLF001 - osmnx's own oneway logic
    G = ox.distance.add_edge_lengths(G)
    report("simplify")
    _keep_largest_component(G, components=nx.weakly_connected_components)
    G = _simplify(G)
    _keep_largest_component(G, components=nx.strongly_connected_components)
    _validate.check_graph(G, source=path.name)
    return G


def add_travel_times(
    G: nx.MultiDiGraph,
    *,
    highway_speeds: Mapping[str, float] = HIGHWAY_SPEEDS_KPH,
    fallback_kph: float = FALLBACK_SPEED_KPH,
) -> nx.MultiDiGraph:
    """Add ``speed_kph`` and ``travel_time`` (seconds) to every edge and return the graph.

    Parameters
    ----------
    G
        A graph from :func:`graph_from_extract`.
    highway_speeds
        km/h per ``highway`` value for edges without a usable ``maxspeed``; the defaults fit
        Norway and Sweden (see :mod:`sitecrew.streets.speeds`).
    fallback_kph
        km/h for a highway type neither listed nor observed with a ``maxspeed``.

    Returns
    -------
    G
        The same graph, enriched (osmnx's ``add_edge_speeds`` / ``add_edge_travel_times``).
    """
    G = ox.add_edge_speeds(G, hwy_speeds=dict(highway_speeds), fallback=fallback_kph)
    return ox.add_edge_travel_times(G)


def _read_drivable_ways(
    path: Path, *, with_service: bool
) -> tuple[dict[int, dict[str, float]], list[dict[str, Any]]]:
    """Stream the extract once; return node coordinates and osmnx path dicts.

    A bbox-cut extract can reference nodes that are not in the file. Such a way is split into
    its runs of present nodes (each run of two or more nodes is kept under the way's id), so
    clipping costs the missing stretch only, never the whole way or the build.
    """
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    nodes: dict[int, dict[str, float]] = {}
    paths: list[dict[str, Any]] = []
    useful = tuple(ox.settings.useful_tags_way)
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = dict(way.tags)
            if not _is_drivable(tags, with_service=with_service):
                continue
            present: list[int | None] = []
            for ref in way.nodes:
                if ref.location.valid():
                    nodes[ref.ref] = {"y": ref.lat, "x": ref.lon}
                    present.append(ref.ref)
                else:
                    present.append(None)
            base = {"osmid": way.id} | {k: tags[k] for k in useful if k in tags}
            paths.extend(base | {"nodes": run} for run in _runs_of_present(present))
    except RuntimeError as error:
        msg = f"cannot read {path.name} as OpenStreetMap data: {error}"
        raise StreetGraphError(msg) from error
    return nodes, paths


def _keep_largest_component(
    G: nx.MultiDiGraph, *, components: Callable[[nx.MultiDiGraph], Iterable[set[int]]]
) -> None:
    """Drop every node outside the largest component, in place.

    osmnx's ``largest_component`` copies the subgraph, which costs seconds on a regional graph
    where the largest component is nearly everything; removing the few stray nodes does not.
    """
    largest = max(components(G), key=len)
    if len(largest) < len(G):
        G.remove_nodes_from([node for node in G if node not in largest])


def _simplify(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Merge chains of segments into edges, with attribute lists that do not depend on the process.

    osmnx keeps the distinct values of a merged edge's segments as ``list(set(values))``, whose
    order follows the string hash seed of the process, and ``add_edge_speeds`` takes the first
    ``highway`` of such a list for the edge's speed: so the same extract gave other travel times
    (not distances) in every process, and a cache kept whichever one its builder drew. Here every
    list is sorted, and ``highway`` lists the road class covering the most metres first, so a
    street that is mostly residential drives at the residential speed in both directions.
    """
    for *_, data in G.edges(data=True):
        data[_HIGHWAY_SPANS] = ((data["highway"], data["length"]),)
    G = ox.simplify_graph(G, edge_attr_aggs={"length": sum, _HIGHWAY_SPANS: _joined_spans})
    for *_, data in G.edges(data=True):
        spans = data.pop(_HIGHWAY_SPANS)
        for key, value in data.items():
            if isinstance(value, list):
                data[key] = _sorted_values(value)
        if isinstance(data["highway"], list):
            data["highway"] = _highways_by_length(spans)
    return G


def _joined_spans(
    spans: list[tuple[tuple[str, float], ...]],
) -> tuple[tuple[str, float], ...]:
    """Concatenate the ``(highway, metres)`` spans of the segments of one merged edge."""
    return tuple(chain.from_iterable(spans))


def _highways_by_length(spans: tuple[tuple[str, float], ...]) -> list[str]:
    """Return the distinct highway values, most metres first, ties by name.

    ``math.fsum`` makes the totals independent of the direction the segments were summed in.
    """
    metres: dict[str, list[float]] = defaultdict(list)
    for highway, length in spans:
        metres[highway].append(length)
    totals = {highway: math.fsum(lengths) for highway, lengths in metres.items()}
    return sorted(totals, key=lambda highway: (-totals[highway], highway))


def _sorted_values(values: list[Any]) -> list[Any]:
    """Sort a merged attribute's distinct values (by text when they are of mixed types)."""
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def _runs_of_present(refs: list[int | None]) -> list[list[int]]:
    """Split a node list at missing nodes; drop consecutive duplicates and runs under 2 nodes."""
    runs: list[list[int]] = []
    for is_present, group in groupby(refs, key=lambda ref: ref is not None):
        if is_present:
            run = [ref for ref, _ in groupby(group) if ref is not None]
            if len(run) >= 2:  # noqa: PLR2004 - an edge needs two nodes
                runs.append(run)
    return runs


def _is_drivable(tags: Mapping[str, str], *, with_service: bool) -> bool:
    """Apply osmnx's ``drive`` / ``drive_service`` Overpass filter to one way's tags."""
    highway = tags.get("highway", "")
    if highway in EXCLUDED_HIGHWAYS or (highway == "service" and not with_service):
        return False
    if tags.get("area") == "yes" or tags.get("access") == "private":
        return False
    if tags.get("motor_vehicle") == "no" or tags.get("motorcar") == "no":
        return False
    return tags.get("service") not in EXCLUDED_SERVICES


def _ignore(_stage: str) -> None:
    """Progress sink used when the caller passes none."""
