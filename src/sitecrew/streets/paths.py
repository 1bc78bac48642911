"""Road-following geometry for an ordered list of stops, with GeoJSON and GPX export.

Each leg starts exactly where its stop was snapped onto the street, follows the fastest path
(the same engine and weights as the travel-time matrix, so a leg's duration equals the matrix
entry) and ends at the next snapped stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.ops import substring

from sitecrew.streets import _validate
from sitecrew.streets.arrays import CM_PER_M, MS_PER_S
from sitecrew.streets.matrix import anchors_from_points, costs_between

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from sitecrew.streets.arrays import StreetArrays
    from sitecrew.streets.engines import PathEngine
    from sitecrew.streets.snap import SnappedPoints


@dataclass(frozen=True)
class Leg:
    """One leg of a route between consecutive stops.

    Attributes
    ----------
    origin, destination
        Positions of the two stops in the input order.
    duration_s
        Free-flow driving time, seconds.
    distance_m
        Length of the driven path, metres (of the fastest path, so it can exceed the
        shortest-distance matrix entry).
    geometry
        The path in WGS84 lon/lat, from the snapped origin to the snapped destination.
    """

    origin: int
    destination: int
    duration_s: float
    distance_m: float
    geometry: shapely.LineString


def route_geometry(engine: PathEngine, arrays: StreetArrays, stops: SnappedPoints) -> list[Leg]:
    """Return one road-following leg per pair of consecutive stops.

    Parameters
    ----------
    engine
        A travel-time engine over ``arrays.travel_time_ms``.
    arrays
        The edge table the stops were snapped to.
    stops
        Snapped stops in visiting order.

    Returns
    -------
    legs
        ``len(stops) - 1`` legs.

    Raises
    ------
    InvalidInputError
        When fewer than two stops are given.
    """
    _validate.check_stop_count(len(stops))
    lines = arrays.edge_lines()
    to_lonlat = arrays.to_lonlat()
    legs = []
    for i in range(len(stops) - 1):
        pair = stops.take([i, i + 1])
        coords, duration_ms, length_cm = _leg_in_metres(engine, arrays, lines, pair)
        lon, lat = to_lonlat.transform(coords[:, 0], coords[:, 1])
        legs.append(
            Leg(
                origin=i,
                destination=i + 1,
                duration_s=duration_ms / MS_PER_S,
                distance_m=length_cm / CM_PER_M,
                geometry=shapely.LineString(np.column_stack([lon, lat])),
            )
        )
    return legs


def legs_to_geojson(legs: list[Leg]) -> dict[str, Any]:
    """Return the legs as a GeoJSON FeatureCollection (one LineString feature per leg)."""
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(leg.geometry),
            "properties": {
                "origin": leg.origin,
                "destination": leg.destination,
                "duration_s": round(leg.duration_s, 3),
                "distance_m": round(leg.distance_m, 2),
            },
        }
        for leg in legs
    ]
    return {"type": "FeatureCollection", "features": features}


def legs_to_gpx(legs: list[Leg], *, name: str = "sitecrew route") -> str:
    """Return the legs as a GPX 1.1 document: the stops as waypoints, one track segment per leg.

    GPX is what drivers' navigation apps import, so a planned day can be followed on a phone.
    """
    points = (
        [legs[0].geometry.coords[0]] + [leg.geometry.coords[-1] for leg in legs] if legs else []
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="sitecrew" xmlns="http://www.topografix.com/GPX/1/1">',
    ]
    lines += [
        f'  <wpt lat="{lat:.7f}" lon="{lon:.7f}"><name>stop {i}</name></wpt>'
        for i, (lon, lat) in enumerate(points)
    ]
    lines.append(f"  <trk><name>{escape(name)}</name>")
    for leg in legs:
        lines.append("    <trkseg>")
        lines += [
            f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}"/>' for lon, lat in leg.geometry.coords
        ]
        lines.append("    </trkseg>")
    lines += ["  </trk>", "</gpx>"]
    return "\n".join(lines) + "\n"


def _leg_in_metres(
    engine: PathEngine,
    arrays: StreetArrays,
    lines: NDArray[np.object_],
    pair: SnappedPoints,
) -> tuple[NDArray[np.float64], float, float]:
    """Return the metric coordinates, milliseconds and centimetres of one leg."""
    weights = arrays.travel_time_ms
    origin, destination = pair.take([0]), pair.take([1])
    best = float(costs_between(engine, arrays, weights, origin, destination)[0, 0])
    direct = _direct_piece(arrays, lines, pair)
    if direct is not None and direct[1] <= best + 1e-6:
        return _clean(shapely.get_coordinates(direct[0])), best, direct[2]
    leave = anchors_from_points(arrays, origin, weights, leaving=True)
    enter = anchors_from_points(arrays, destination, weights, leaving=False)
    a, b, edges = _best_anchor_path(
        engine, leave.nodes[0], leave.cost[0], enter.nodes[0], enter.cost[0]
    )
    first, first_cm = _end_piece(arrays, lines, origin, use_twin=a == 1, leaving=True)
    last, last_cm = _end_piece(arrays, lines, destination, use_twin=b == 1, leaving=False)
    middle = [shapely.get_coordinates(line) for line in lines[edges]]
    coords = np.concatenate([first, *middle, last])
    length_cm = first_cm + float(arrays.length_cm[edges].sum()) + last_cm
    return _clean(coords), best, length_cm


def _best_anchor_path(
    engine: PathEngine,
    out_nodes: NDArray[np.int64],
    out_cost: NDArray[np.float64],
    in_nodes: NDArray[np.int64],
    in_cost: NDArray[np.float64],
) -> tuple[int, int, NDArray[np.int64]]:
    """Pick the cheapest (leave-anchor, enter-anchor) pair and return its edge path."""
    between = engine.costs(out_nodes, in_nodes).astype(np.float64)
    total = out_cost[:, None] + between + in_cost[None, :]
    a, b = np.unravel_index(int(np.argmin(total)), total.shape)
    source, target = int(out_nodes[a]), int(in_nodes[b])
    edges = engine.path(source, target) if source != target else np.empty(0, dtype=np.int64)
    return int(a), int(b), edges


def _end_piece(
    arrays: StreetArrays,
    lines: NDArray[np.object_],
    point: SnappedPoints,
    *,
    use_twin: bool,
    leaving: bool,
) -> tuple[NDArray[np.float64], float]:
    """Cut the snapped edge (or its twin) at the point; return coordinates and centimetres."""
    edge = int(point.edge[0])
    t = float(point.fraction[0])
    if use_twin:
        edge, t = int(arrays.edge_twin[edge]), 1.0 - t
    start, end = (t, 1.0) if leaving else (0.0, t)
    piece = substring(lines[edge], start, end, normalized=True)
    return shapely.get_coordinates(piece), (end - start) * float(arrays.length_cm[edge])


def _direct_piece(
    arrays: StreetArrays, lines: NDArray[np.object_], pair: SnappedPoints
) -> tuple[shapely.Geometry, float, float] | None:
    """Return the piece, ms and cm of driving straight along a shared edge, if possible."""
    if pair.edge[0] != pair.edge[1]:
        return None
    edge, t0, t1 = int(pair.edge[0]), float(pair.fraction[0]), float(pair.fraction[1])
    if t1 < t0:
        edge = int(arrays.edge_twin[edge])
        if edge < 0:
            return None
        t0, t1 = 1.0 - t0, 1.0 - t1
    share = t1 - t0
    piece = substring(lines[edge], t0, t1, normalized=True)
    return piece, share * float(arrays.travel_time_ms[edge]), share * float(arrays.length_cm[edge])


def _clean(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """Drop consecutive duplicate vertices; keep two vertices for a zero-length leg."""
    keep = np.concatenate([[True], np.any(np.diff(coords, axis=0) != 0, axis=1)])
    cleaned = coords[keep]
    return cleaned if len(cleaned) >= 2 else np.vstack([cleaned, cleaned])  # noqa: PLR2004
