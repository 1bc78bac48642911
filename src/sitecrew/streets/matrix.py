"""Travel-time and distance matrices between snapped points, including the partial edges.

A point snapped onto edge ``u -> v`` at fraction ``t`` leaves towards ``v`` at cost
``(1 - t) * w`` and is reached from ``u`` at cost ``t * w``; on a two-way street the twin edge
``v -> u`` adds the other direction. Two points on the same edge, in driving order, are joined
directly. So a one-way street is respected down to the point, and the matrix is asymmetric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sitecrew.streets.arrays import CM_PER_M, MS_PER_S

if TYPE_CHECKING:
    from sitecrew.streets.arrays import StreetArrays
    from sitecrew.streets.engines import PathEngine
    from sitecrew.streets.snap import SnappedPoints


@dataclass(frozen=True, eq=False)
class Anchors:
    """Up to two graph nodes per point with the cost of the partial edge to or from each.

    ``nodes`` and ``cost`` are ``(n, 2)``; a missing second anchor (one-way street) has cost
    ``inf`` and repeats the first node.
    """

    nodes: NDArray[np.int64]
    cost: NDArray[np.float64]


def anchors_from_points(
    arrays: StreetArrays, points: SnappedPoints, weights: NDArray[np.int64], *, leaving: bool
) -> Anchors:
    """Return where each point enters the graph (``leaving``) or is entered from it."""
    edge, t = points.edge, points.fraction
    twin = arrays.edge_twin[edge]
    has_twin = twin >= 0
    twin_w = np.where(has_twin, weights[np.maximum(twin, 0)], 0).astype(np.float64)
    own_w = weights[edge].astype(np.float64)
    if leaving:  # forward to the head, or back along the twin to the tail
        first, second = arrays.edge_v[edge], arrays.edge_u[edge]
        cost = np.column_stack([(1 - t) * own_w, np.where(has_twin, t * twin_w, np.inf)])
    else:  # from the tail forward, or from the head along the twin
        first, second = arrays.edge_u[edge], arrays.edge_v[edge]
        cost = np.column_stack([t * own_w, np.where(has_twin, (1 - t) * twin_w, np.inf)])
    nodes = np.column_stack([first, np.where(has_twin, second, first)]).astype(np.int64)
    return Anchors(nodes=nodes, cost=cost)


def costs_between(
    engine: PathEngine,
    arrays: StreetArrays,
    weights: NDArray[np.int64],
    sources: SnappedPoints,
    targets: SnappedPoints,
) -> NDArray[np.float64]:
    """Return the cheapest cost (in the weights' unit) from every source to every target.

    Parameters
    ----------
    engine
        Shortest paths over ``weights``.
    arrays
        The edge table the points were snapped to.
    weights
        The engine's integer edge weights (``travel_time_ms`` or ``length_cm``).
    sources, targets
        Snapped points.

    Returns
    -------
    costs
        ``(len(sources), len(targets))`` floats: integer node-to-node costs plus the
        fractional partial edges at both ends, rounded only by the caller.
    """
    out_anchor = anchors_from_points(arrays, sources, weights, leaving=True)
    in_anchor = anchors_from_points(arrays, targets, weights, leaving=False)
    rows, row_index = np.unique(out_anchor.nodes, return_inverse=True)
    cols, col_index = np.unique(in_anchor.nodes, return_inverse=True)
    between = engine.costs(rows, cols).astype(np.float64)
    row_index, col_index = row_index.reshape(-1, 2), col_index.reshape(-1, 2)
    best = _same_edge_costs(arrays, weights, sources, targets)
    for a in range(2):
        for b in range(2):
            via = between[np.ix_(row_index[:, a], col_index[:, b])]
            candidate = out_anchor.cost[:, a, None] + via + in_anchor.cost[None, :, b]
            np.minimum(best, candidate, out=best)
    return best


def seconds_from_ms(costs: NDArray[np.float64]) -> NDArray[np.int64]:
    """Round millisecond costs to whole seconds (the unit the solver takes)."""
    return np.rint(costs / MS_PER_S).astype(np.int64)


def metres_from_cm(costs: NDArray[np.float64]) -> NDArray[np.int64]:
    """Round centimetre costs to whole metres."""
    return np.rint(costs / CM_PER_M).astype(np.int64)


def _same_edge_costs(
    arrays: StreetArrays,
    weights: NDArray[np.int64],
    sources: SnappedPoints,
    targets: SnappedPoints,
) -> NDArray[np.float64]:
    """Cost of driving straight along a shared edge (forward, or back along its twin)."""
    same = sources.edge[:, None] == targets.edge[None, :]
    ahead = targets.fraction[None, :] - sources.fraction[:, None]
    own = weights[sources.edge].astype(np.float64)[:, None]
    twin = arrays.edge_twin[sources.edge]
    twin_w = np.where(twin >= 0, weights[np.maximum(twin, 0)], 0).astype(np.float64)[:, None]
    result = np.full(same.shape, np.inf)
    forward = same & (ahead >= 0)
    result[forward] = (ahead * own)[forward]
    backward = same & (ahead < 0) & (twin >= 0)[:, None]
    result[backward] = (-ahead * twin_w)[backward]
    return result
