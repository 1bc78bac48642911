"""Shortest-path engines on the shared edge table, behind one small interface.

Two engines, one contract: integer edge weights in, integer path costs out, so they can be
checked against each other exactly. ``DijkstraEngine`` (scipy's compiled Dijkstra) is the
exact reference and the one-to-all workhorse for isochrones; ``CCHEngine`` (RoutingKit's
customizable contraction hierarchy via pyroutingkit) answers many-to-many queries one to two
orders of magnitude faster once its topology is built, and its speed-up grows with the graph.
"""

from __future__ import annotations

import threading
from itertools import pairwise
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import pyroutingkit
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from sitecrew.errors import StreetGraphError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from sitecrew.streets.arrays import StreetArrays

#: Cost of an unreachable pair in every engine's output.
UNREACHABLE = np.iinfo(np.int64).max // 4
#: Sources per scipy call: bounds the dense (sources x nodes) block to ~100 MB on 50k nodes.
_DIJKSTRA_BLOCK = 256

EngineKind = Literal["cch", "dijkstra"]


class PathEngine(Protocol):
    """Shortest paths over one integer edge weight (milliseconds or centimetres)."""

    name: str

    def costs(self, sources: NDArray[np.int64], targets: NDArray[np.int64]) -> NDArray[np.int64]:
        """Return the ``(len(sources), len(targets))`` matrix of path costs between nodes."""
        ...

    def path(self, source: int, target: int) -> NDArray[np.int64]:
        """Return the edge indices of one cheapest path from ``source`` to ``target``."""
        ...


def _arcs(arrays: StreetArrays) -> NDArray[np.int64]:
    """Edges that can be on a shortest path: every edge except self-loops."""
    return np.flatnonzero(arrays.edge_u != arrays.edge_v).astype(np.int64)


class DijkstraEngine:
    """Exact shortest paths with scipy's compiled Dijkstra on a CSR matrix.

    Parameters
    ----------
    arrays
        The edge table.
    weights
        One positive integer per edge.
    """

    name = "dijkstra"

    def __init__(self, arrays: StreetArrays, weights: NDArray[np.int64]) -> None:
        arcs = _arcs(arrays)
        # Cheapest of parallel edges first, then keep one arc per (tail, head).
        order = np.lexsort((weights[arcs], arrays.edge_v[arcs], arrays.edge_u[arcs]))
        arcs = arcs[order]
        pairs = arrays.edge_u[arcs].astype(np.int64) * arrays.node_count + arrays.edge_v[arcs]
        first = np.concatenate([[True], pairs[1:] != pairs[:-1]])
        self.arc_edge = arcs[first]
        n = arrays.node_count
        self.matrix = csr_array(
            (
                weights[self.arc_edge].astype(np.float64),
                (arrays.edge_u[self.arc_edge], arrays.edge_v[self.arc_edge]),
            ),
            shape=(n, n),
        )
        self._edge_of = dict(zip(pairs[first].tolist(), self.arc_edge.tolist(), strict=True))
        self._n = n

    def costs(self, sources: NDArray[np.int64], targets: NDArray[np.int64]) -> NDArray[np.int64]:
        """Return path costs, one scipy call per block of sources."""
        out = np.empty((len(sources), len(targets)), dtype=np.int64)
        for start in range(0, len(sources), _DIJKSTRA_BLOCK):
            block = sources[start : start + _DIJKSTRA_BLOCK]
            rows = dijkstra(self.matrix, directed=True, indices=block)[:, targets]
            out[start : start + len(block)] = _to_int(rows)
        return out

    def reach(self, sources: NDArray[np.int64], *, limit: float) -> NDArray[np.float64]:
        """Return the cost from each source to every node, ``inf`` beyond ``limit``."""
        rows = dijkstra(self.matrix, directed=True, indices=sources, limit=limit)
        return np.atleast_2d(rows)

    def path(self, source: int, target: int) -> NDArray[np.int64]:
        """Return the edges of a cheapest path by walking scipy's predecessor tree."""
        _, predecessors = dijkstra(
            self.matrix, directed=True, indices=source, return_predecessors=True
        )
        nodes = [target]
        while nodes[-1] != source:
            previous = int(predecessors[nodes[-1]])
            if previous < 0:
                msg = f"node {target} is unreachable from node {source}"
                raise StreetGraphError(msg)
            nodes.append(previous)
        nodes.reverse()
        keys = [a * self._n + b for a, b in pairwise(nodes)]
        return np.array([self._edge_of[k] for k in keys], dtype=np.int64)


class CCHEngine:
    """Many-to-many queries on RoutingKit's customizable contraction hierarchy.

    Parameters
    ----------
    arrays
        The edge table.
    weights
        One positive integer per edge, below ``pyroutingkit.INF_WEIGHT``.
    topology
        A topology built for these arrays, shared between metrics (time and length); built
        here when not given. Building is the expensive step (nested dissection).
    """

    name = "cch"

    def __init__(
        self,
        arrays: StreetArrays,
        weights: NDArray[np.int64],
        *,
        topology: pyroutingkit.CCHTopology | None = None,
    ) -> None:
        self.arc_edge = _arcs(arrays)
        self.topology = topology or topology_from_arrays(arrays)
        arc_weights = weights[self.arc_edge]
        if len(arc_weights) and int(arc_weights.max()) >= pyroutingkit.INF_WEIGHT:
            msg = "an edge weight exceeds the contraction hierarchy's 31-bit range"
            raise StreetGraphError(msg)
        self.metric = pyroutingkit.CCHMetric(self.topology)
        self.metric.customize(arc_weights.astype(np.uint32))
        # RoutingKit's query objects keep per-query state; one request at a time per metric.
        self._lock = threading.Lock()

    def costs(self, sources: NDArray[np.int64], targets: NDArray[np.int64]) -> NDArray[np.int64]:
        """Return path costs from one many-to-many hierarchy query."""
        with self._lock:
            raw = self.metric.distances_many_to_many(
                sources.astype(np.uint32), targets.astype(np.uint32)
            )
        result = np.asarray(raw, dtype=np.int64).reshape(len(sources), len(targets))
        result[result >= pyroutingkit.INF_WEIGHT] = UNREACHABLE
        return result

    def path(self, source: int, target: int) -> NDArray[np.int64]:
        """Return the edges of a cheapest path (the hierarchy unpacks input arc ids)."""
        with self._lock:
            distance, _, arc_path = self.metric.query(int(source), int(target))
        if distance >= pyroutingkit.INF_WEIGHT:
            msg = f"node {target} is unreachable from node {source}"
            raise StreetGraphError(msg)
        return self.arc_edge[np.asarray(arc_path, dtype=np.int64)]


def topology_from_arrays(arrays: StreetArrays) -> pyroutingkit.CCHTopology:
    """Build the contraction hierarchy's topology (node order by inertial flow cutting)."""
    arcs = _arcs(arrays)
    topology = pyroutingkit.CCHTopology()
    topology.build(
        arrays.edge_u[arcs].astype(np.uint32),
        arrays.edge_v[arcs].astype(np.uint32),
        arrays.node_lat.astype(np.float32),
        arrays.node_lon.astype(np.float32),
        arrays.node_count,
    )
    return topology


def _to_int(rows: NDArray[np.float64]) -> NDArray[np.int64]:
    """Convert scipy's float costs (exact sums of integers) to int64, inf to ``UNREACHABLE``."""
    finite = np.isfinite(rows)
    out = np.full(rows.shape, UNREACHABLE, dtype=np.int64)
    out[finite] = np.rint(rows[finite]).astype(np.int64)
    return out
