"""What a scenario's map shows, gathered from its kept result and the region's street graph.

The result holds the depots and each site's point and depot (the first
:data:`~.scenario_compute.MAX_MAPPED_SITES`); the streets and the isochrones come from the
graph. Only the streets inside the map's frame are kept, each two-way street once and joined
into long lines, so the drawing (:mod:`.report_map`) has little to simplify.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from sitecrew.errors import InvalidInputError, StreetGraphError
from sitecrew.services.expansion.report_map import (
    MapArea,
    MapDepot,
    MapFrame,
    ScenarioMap,
    bbox_lonlat,
    frame_around,
    points_of,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.streets.network import StreetNetwork

#: Driving minutes of the isochrones drawn around each depot.
ISOCHRONE_MINUTES = (10.0, 20.0)


def scenario_points(result: dict[str, Any]) -> ScenarioMap:
    """Return the depots and sites of a kept result (no streets or areas yet)."""
    counts = np.zeros(len(result["depots"]), dtype=np.int64)
    sites = np.asarray(result["site_points"], dtype=np.float64).reshape(-1, 3)
    for j in sites[:, 2].astype(np.int64):
        if j >= 0:
            counts[j] += 1
    depots = tuple(
        MapDepot(f"D{n}", str(d["name"]), float(d["lon"]), float(d["lat"]), int(counts[n - 1]))
        for n, d in enumerate(result["depots"], start=1)
    )
    return ScenarioMap(depots, sites, (), ())


def street_lines(network: StreetNetwork, frame: MapFrame) -> tuple[shapely.LineString, ...]:
    """Return the graph's streets inside the frame as lon/lat lines (each street once)."""
    arrays = network.arrays
    west, south, east, north = bbox_lonlat(frame)
    to_metric = arrays.to_metric()
    xs, ys = to_metric.transform([west, east, west, east], [south, south, north, north])
    lines = arrays.edge_lines()
    bounds = shapely.bounds(lines)
    inside = (
        (bounds[:, 2] >= min(xs))
        & (bounds[:, 0] <= max(xs))
        & (bounds[:, 3] >= min(ys))
        & (bounds[:, 1] <= max(ys))
    )
    index = np.arange(len(lines))
    once = (arrays.edge_twin < 0) | (index < arrays.edge_twin)
    chosen = lines[inside & once]
    if len(chosen) == 0:
        return ()
    merged = shapely.line_merge(shapely.multilinestrings(list(chosen)))
    to_lonlat = arrays.to_lonlat()

    def lonlat(coords: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        lon, lat = to_lonlat.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return tuple(shapely.get_parts(shapely.transform(merged, lonlat)))


def depot_areas(
    network: StreetNetwork, depots: Sequence[MapDepot], minutes: Sequence[float]
) -> tuple[MapArea, ...]:
    """Return each depot's isochrones; a depot too far from any street gets none."""
    areas: list[MapArea] = []
    for j, depot in enumerate(depots):
        try:
            origin = network.snap([(depot.lon, depot.lat)])
        except (StreetGraphError, InvalidInputError):
            continue
        areas.extend(MapArea(j, m, network.isochrone(origin, minutes=m)) for m in sorted(minutes))
    return tuple(areas)


def scenario_map(
    network: StreetNetwork,
    result: dict[str, Any],
    *,
    minutes: Sequence[float] = ISOCHRONE_MINUTES,
) -> tuple[ScenarioMap, MapFrame]:
    """Return a kept result's map data over ``network`` and the frame it is drawn in."""
    points = scenario_points(result)
    frame = frame_around(points_of(points))
    return (
        ScenarioMap(
            points.depots,
            points.sites,
            street_lines(network, frame),
            depot_areas(network, points.depots, minutes),
        ),
        frame,
    )
