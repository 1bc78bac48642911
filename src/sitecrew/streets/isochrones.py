"""The area reachable by car within a time budget from one point, for expansion planning.

Built from the street network itself (not a hull of reached nodes): every edge, or the part of
it the budget still covers, is buffered and merged, and enclosed blocks are filled. Because the
reached street set only grows with the budget, so does the polygon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.ops import substring

from sitecrew.streets import _validate
from sitecrew.streets.arrays import MS_PER_S
from sitecrew.streets.matrix import anchors_from_points

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import NDArray

    from sitecrew.streets.arrays import StreetArrays
    from sitecrew.streets.engines import DijkstraEngine
    from sitecrew.streets.snap import SnappedPoints

SECONDS_PER_MINUTE = 60


def isochrone(
    engine: DijkstraEngine,
    arrays: StreetArrays,
    origin: SnappedPoints,
    *,
    minutes: float,
    buffer_m: float = 40.0,
) -> shapely.Polygon | shapely.MultiPolygon:
    """Return the WGS84 area within ``minutes`` of free-flow driving from a snapped point.

    Parameters
    ----------
    engine
        Exact Dijkstra over ``arrays.travel_time_ms`` (one-to-all search with a limit).
    arrays
        The edge table the origin was snapped to.
    origin
        One snapped point (the first one is used).
    minutes
        The driving-time budget.
    buffer_m
        Half-width of the band around reached streets, metres: addresses sit beside the
        street, not on its centre line.

    Returns
    -------
    area
        Usually one polygon; a multipolygon only where reached streets are farther apart than
        twice ``buffer_m`` (e.g. a motorway leaving the city).

    Raises
    ------
    InvalidInputError
        When ``minutes`` is not positive.
    """
    _validate.check_minutes(minutes)
    budget = minutes * SECONDS_PER_MINUTE * MS_PER_S
    weights = arrays.travel_time_ms
    start = origin.take([0])
    leave = anchors_from_points(arrays, start, weights, leaving=True)
    reach = engine.reach(leave.nodes[0], limit=budget)
    cost = np.min(reach + leave.cost[0][:, None], axis=0)
    lines = arrays.edge_lines()
    pieces = _reached_pieces(arrays, lines, cost, budget)
    pieces.extend(_origin_pieces(arrays, lines, start, budget))
    # Buffering each piece and merging with a cascaded union is ~8x faster than buffering
    # one multilinestring (measured: 17,000 pieces of a 10-minute regional isochrone).
    bands = shapely.buffer(np.asarray(pieces, dtype=np.object_), buffer_m, quad_segs=4)
    filled = _fill_holes(shapely.union_all(bands))
    return shapely.transform(filled, _lonlat_of(arrays))


def _reached_pieces(
    arrays: StreetArrays, lines: NDArray[np.object_], cost: NDArray[np.float64], budget: float
) -> list[shapely.LineString]:
    """Whole edges whose head is reached in time, and the reachable start of the others."""
    tail_cost = cost[arrays.edge_u]
    share = np.clip((budget - tail_cost) / arrays.travel_time_ms, 0.0, 1.0)
    share[~np.isfinite(tail_cost)] = 0.0
    whole = list(lines[share >= 1.0])
    partial = np.flatnonzero((share > 0.0) & (share < 1.0))
    whole.extend(substring(lines[i], 0.0, float(share[i]), normalized=True) for i in partial)
    return [piece for piece in whole if isinstance(piece, shapely.LineString)]


def _origin_pieces(
    arrays: StreetArrays, lines: NDArray[np.object_], start: SnappedPoints, budget: float
) -> list[shapely.LineString]:
    """Return the stretch of the origin's own edge (and its twin) driven before the first node."""
    edge, t = int(start.edge[0]), float(start.fraction[0])
    twin = int(arrays.edge_twin[edge])
    options = [(edge, t)] + ([(twin, 1.0 - t)] if twin >= 0 else [])
    pieces = []
    for e, position in options:
        end = min(1.0, position + budget / float(arrays.travel_time_ms[e]))
        piece = substring(lines[e], position, end, normalized=True)
        if isinstance(piece, shapely.LineString):
            pieces.append(piece)
    return pieces


def _fill_holes(area: shapely.Geometry) -> shapely.Polygon | shapely.MultiPolygon:
    """Drop interior rings: a block ringed by reached streets is itself reached."""
    parts = shapely.get_parts(area)
    shells = [shapely.Polygon(part.exterior) for part in parts if isinstance(part, shapely.Polygon)]
    merged = shapely.union_all(shells) if len(shells) > 1 else shells[0]
    if isinstance(merged, shapely.Polygon | shapely.MultiPolygon):
        return merged
    return shapely.MultiPolygon(shells)  # pragma: no cover - union of polygons is polygonal


def _lonlat_of(arrays: StreetArrays) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """Return a coordinate function for ``shapely.transform`` from metres to lon/lat."""
    transformer = arrays.to_lonlat()

    def transform(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return transform
