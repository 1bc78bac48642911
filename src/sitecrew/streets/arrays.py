"""The edge table that snapping, matrices, paths and isochrones share, derived once per build.

networkx is convenient for building and checking, but every fast step needs flat arrays:
integer node indices, per-edge integer weights (what both the exact Dijkstra and the contraction
hierarchy run on, so they can agree exactly) and edge geometries in a metric projection (for
snapping and for cutting an edge at a snapped point).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    import networkx as nx

#: Integer units the engines run on: milliseconds and centimetres (see ``StreetArrays``).
MS_PER_S = 1000
CM_PER_M = 100


@dataclass(frozen=True, eq=False)
class StreetArrays:
    """A street graph as arrays; edge ``i`` runs from node ``edge_u[i]`` to ``edge_v[i]``.

    Attributes
    ----------
    node_osmid, node_lon, node_lat
        Per node (index = position): OSM id and WGS84 coordinates.
    edge_u, edge_v, edge_key
        Per edge: tail and head node index, and the key of the edge in the networkx graph.
    travel_time_ms, length_cm
        Per edge, whole milliseconds and centimetres, at least 1: integer weights let the
        contraction hierarchy (which takes uint32) and Dijkstra give identical sums, and a zero
        weight would vanish from a sparse matrix.
    edge_twin
        Index of the edge running the same geometry the other way (two-way street), or -1.
    coords, coord_offsets
        Edge geometries in ``epsg`` (metres): edge ``i`` is ``coords[offsets[i]:offsets[i+1]]``,
        from tail to head.
    epsg
        The UTM zone used for metric work around the graph.
    """

    node_osmid: NDArray[np.int64]
    node_lon: NDArray[np.float64]
    node_lat: NDArray[np.float64]
    edge_u: NDArray[np.int32]
    edge_v: NDArray[np.int32]
    edge_key: NDArray[np.int64]
    travel_time_ms: NDArray[np.int64]
    length_cm: NDArray[np.int64]
    edge_twin: NDArray[np.int32]
    coords: NDArray[np.float64]
    coord_offsets: NDArray[np.int64]
    epsg: int

    @property
    def node_count(self) -> int:
        """Number of nodes (intersections and dead ends)."""
        return len(self.node_osmid)

    @property
    def edge_count(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    def edge_lines(self) -> NDArray[np.object_]:
        """Return every edge geometry as a shapely LineString in the metric projection."""
        return self._lines

    @cached_property
    def _lines(self) -> NDArray[np.object_]:
        """Edge geometries, built once per arrays object (tens of ms on a regional graph)."""
        counts = np.diff(self.coord_offsets)
        lines = shapely.linestrings(self.coords, indices=np.repeat(np.arange(len(counts)), counts))
        return np.asarray(lines, dtype=np.object_)

    def to_lonlat(self) -> pyproj.Transformer:
        """Return the transformer from the metric projection back to WGS84 lon/lat."""
        return pyproj.Transformer.from_crs(self.epsg, 4326, always_xy=True)

    def to_metric(self) -> pyproj.Transformer:
        """Return the transformer from WGS84 lon/lat to the metric projection."""
        return pyproj.Transformer.from_crs(4326, self.epsg, always_xy=True)


def arrays_from_graph(G: nx.MultiDiGraph) -> StreetArrays:
    """Flatten a graph with ``travel_time`` and ``length`` on every edge into arrays.

    Parameters
    ----------
    G
        A graph from ``graph_from_extract`` enriched by ``add_travel_times``.

    Returns
    -------
    arrays
        The shared edge table; node order is the graph's node order.
    """
    osmids = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    lon = np.array([G.nodes[n]["x"] for n in osmids], dtype=np.float64)
    lat = np.array([G.nodes[n]["y"] for n in osmids], dtype=np.float64)
    epsg = utm_epsg_for(float(np.median(lon)), float(np.median(lat)))
    index = {int(n): i for i, n in enumerate(osmids)}
    edges = list(G.edges(keys=True, data=True))
    u = np.array([index[e[0]] for e in edges], dtype=np.int32)
    v = np.array([index[e[1]] for e in edges], dtype=np.int32)
    seconds = np.array([e[3]["travel_time"] for e in edges], dtype=np.float64)
    metres = np.array([e[3]["length"] for e in edges], dtype=np.float64)
    coords, offsets = _edge_coords(edges, lon, lat, u, v, epsg=epsg)
    return StreetArrays(
        node_osmid=osmids,
        node_lon=lon,
        node_lat=lat,
        edge_u=u,
        edge_v=v,
        edge_key=np.array([e[2] for e in edges], dtype=np.int64),
        travel_time_ms=np.maximum(1, np.rint(seconds * MS_PER_S)).astype(np.int64),
        length_cm=np.maximum(1, np.rint(metres * CM_PER_M)).astype(np.int64),
        edge_twin=_twins(coords, offsets),
        coords=coords,
        coord_offsets=offsets,
        epsg=epsg,
    )


def utm_epsg_for(lon: float, lat: float) -> int:
    """Return the EPSG code of the WGS84 UTM zone containing a point."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def _edge_coords(
    edges: list[tuple[Any, Any, Any, dict[str, Any]]],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    u: NDArray[np.int32],
    v: NDArray[np.int32],
    *,
    epsg: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Return all edge vertices, projected, as one ragged array (straight edges get 2 points)."""
    parts: list[NDArray[np.float64]] = []
    for i, (*_, data) in enumerate(edges):
        geometry = data.get("geometry")
        if geometry is None:
            parts.append(np.array([[lon[u[i]], lat[u[i]]], [lon[v[i]], lat[v[i]]]]))
        else:
            parts.append(shapely.get_coordinates(geometry))
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    lonlat = np.concatenate(parts) if parts else np.empty((0, 2))
    transformer = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y]), offsets


def _twins(coords: NDArray[np.float64], offsets: NDArray[np.int64]) -> NDArray[np.int32]:
    """Pair each edge with the edge whose vertices are its own in reverse order, if any.

    osmnx builds both directions of a two-way way from the same nodes, so the twin's vertices
    are bit-identical; hashing the vertex bytes finds it without any geometric tolerance.
    """
    forward: dict[bytes, int] = {}
    for i in range(len(offsets) - 1):
        forward.setdefault(coords[offsets[i] : offsets[i + 1]].tobytes(), i)
    twins = np.full(len(offsets) - 1, -1, dtype=np.int32)
    for i in range(len(offsets) - 1):
        reverse = coords[offsets[i] : offsets[i + 1]][::-1].tobytes()
        j = forward.get(reverse, -1)
        if j != i:
            twins[i] = j
    return twins
