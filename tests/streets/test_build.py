"""Building drivable graphs from real extracts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import osmium
import osmnx as ox
import pytest

from sitecrew.errors import NotFoundError, StreetGraphError
from sitecrew.streets import add_travel_times, graph_from_extract
from sitecrew.streets.build import EXCLUDED_HIGHWAYS, _is_drivable

if TYPE_CHECKING:
    from pathlib import Path


def _way_ids(path: Path, key: str) -> set[int]:
    processor = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter(key)
    )
    return {way.id for way in processor}


def _edge_osmids(G: nx.MultiDiGraph) -> set[int]:
    ids: set[int] = set()
    for *_, osmid in G.edges(data="osmid"):
        ids.update(osmid if isinstance(osmid, list) else [osmid])
    return ids


def test_only_drivable_highways_become_edges_when_extract_has_buildings(
    osm_dir: Path, grunerlokka_graph: nx.MultiDiGraph
) -> None:
    """Buildings and footways in a full-tag extract never become edges."""
    path = osm_dir / "oslo-grunerlokka.osm.pbf"
    edge_ids = _edge_osmids(grunerlokka_graph)
    assert edge_ids <= _way_ids(path, "highway")
    assert not edge_ids & _way_ids(path, "building")
    for *_, highway in grunerlokka_graph.edges(data="highway"):
        for value in highway if isinstance(highway, list) else [highway]:
            assert value not in EXCLUDED_HIGHWAYS


def test_graph_is_strongly_connected_when_built(grunerlokka_graph: nx.MultiDiGraph) -> None:
    """Only the largest strongly connected component is kept, so every pair is routable."""
    assert nx.is_strongly_connected(grunerlokka_graph)
    assert len(grunerlokka_graph) > 300


def test_edges_carry_osmnx_attributes_when_travel_times_added(
    uppsala_graph: nx.MultiDiGraph,
) -> None:
    """Nodes have x/y; edges have positive length, speed and travel time that agree."""
    for _, data in uppsala_graph.nodes(data=True):
        assert 17.5 < data["x"] < 17.8
        assert 59.8 < data["y"] < 59.9
    for *_, data in uppsala_graph.edges(data=True):
        assert data["length"] > 0
        assert data["speed_kph"] > 0
        assert data["travel_time"] == pytest.approx(data["length"] / (data["speed_kph"] / 3.6))


def test_speed_follows_maxspeed_when_tagged(grunerlokka_graph: nx.MultiDiGraph) -> None:
    """An edge tagged with a numeric maxspeed drives at exactly that speed."""
    tagged = [
        (data["maxspeed"], data["speed_kph"])
        for *_, data in grunerlokka_graph.edges(data=True)
        if isinstance(data.get("maxspeed"), str) and data["maxspeed"].isdigit()
    ]
    assert len(tagged) > 50
    for maxspeed, speed in tagged:
        assert speed == float(maxspeed)


def test_truncated_extract_loads_when_way_nodes_are_missing(osm_dir: Path, tmp_path: Path) -> None:
    """A clip whose ways reference absent nodes still builds, from the nodes that are there."""
    clipped = tmp_path / "clipped.osm.pbf"
    kept: set[int] = set()
    with osmium.SimpleWriter(str(clipped)) as writer:
        for obj in osmium.FileProcessor(
            str(osm_dir / "oslo-grunerlokka.osm.pbf"), osmium.osm.NODE | osmium.osm.WAY
        ):
            if isinstance(obj, osmium.osm.Node):
                if obj.location.lon < 10.76:  # cut the eastern part of every way away
                    kept.add(obj.id)
                    writer.add_node(obj)
            else:
                writer.add_way(obj)
    G = add_travel_times(graph_from_extract(clipped))
    assert len(G) > 50
    assert set(G.nodes) <= kept


def test_missing_extract_raises_not_found_when_path_absent(tmp_path: Path) -> None:
    """A path that does not exist is a NotFoundError naming it."""
    with pytest.raises(NotFoundError, match=r"nowhere\.osm\.pbf"):
        graph_from_extract(tmp_path / "nowhere.osm.pbf")


def test_corrupt_extract_raises_street_graph_error_when_not_osm(tmp_path: Path) -> None:
    """Bytes that are not OSM data give a typed error, not a stack trace from the parser."""
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"definitely not protobuf" * 20)
    with pytest.raises(StreetGraphError, match="cannot read"):
        graph_from_extract(path)


def test_extract_without_roads_raises_when_no_way_is_drivable(
    osm_dir: Path, tmp_path: Path
) -> None:
    """An extract of buildings only is rejected with a message saying why."""
    buildings = tmp_path / "buildings.osm.pbf"
    with osmium.SimpleWriter(str(buildings)) as writer:
        for obj in osmium.FileProcessor(str(osm_dir / "oslo-grunerlokka.osm.pbf")):
            if isinstance(obj, osmium.osm.Node) or (
                isinstance(obj, osmium.osm.Way) and "building" in obj.tags
            ):
                writer.add(obj)
    with pytest.raises(StreetGraphError, match="no drivable road"):
        graph_from_extract(buildings)


def _write_drivable_xml(source: Path, target: Path) -> None:
    """Write the nodes and the drivable ways of ``source`` as OSM XML (bz2 by suffix)."""
    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
            if isinstance(obj, osmium.osm.Node) or _is_drivable(dict(obj.tags), with_service=False):
                writer.add(obj)


def test_graph_equals_osmnx_xml_graph_when_built_from_the_same_ways(
    osm_dir: Path, tmp_path: Path, uppsala_graph: nx.MultiDiGraph
) -> None:
    """Streaming with pyosmium gives osmnx's own graph_from_xml result, node for node."""
    xml = tmp_path / "uppsala-drivable.osm"
    _write_drivable_xml(osm_dir / "uppsala-central-roads.osm.pbf", xml)
    reference = ox.graph_from_xml(xml, retain_all=True)
    reference = reference.subgraph(max(nx.strongly_connected_components(reference), key=len))
    assert set(reference.nodes) == set(uppsala_graph.nodes)
    assert sorted(reference.edges()) == sorted(uppsala_graph.edges())
    ours = sum(length for *_, length in uppsala_graph.edges(data="length"))
    theirs = sum(length for *_, length in reference.edges(data="length"))
    assert ours == pytest.approx(theirs)


def test_bz2_xml_extract_builds_the_same_graph_as_pbf(
    osm_dir: Path, tmp_path: Path, uppsala_graph: nx.MultiDiGraph
) -> None:
    """``.osm.bz2`` input is read as well as PBF and yields the identical network."""
    compressed = tmp_path / "uppsala.osm.bz2"
    with osmium.SimpleWriter(str(compressed)) as writer:
        for obj in osmium.FileProcessor(str(osm_dir / "uppsala-central-roads.osm.pbf")):
            writer.add(obj)
    G = graph_from_extract(compressed)
    assert set(G.nodes) == set(uppsala_graph.nodes)
    assert sorted(G.edges()) == sorted(uppsala_graph.edges())
