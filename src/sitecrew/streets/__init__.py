"""Street graphs from OpenStreetMap: build, cache, snap, matrices, route geometry, isochrones.

Services hold one :class:`StreetNetwork` per region::

    network = network_from_region("oslo", settings=settings.osm)
    stops = network.snap([(10.75, 59.92), (10.76, 59.93)])
    matrices = network.matrices(stops)        # .seconds, .metres (int, asymmetric)
    legs = network.legs(stops)                # road-following LineStrings per leg
"""

from __future__ import annotations

from sitecrew.streets.arrays import StreetArrays, arrays_from_graph
from sitecrew.streets.build import add_travel_times, graph_from_extract
from sitecrew.streets.engines import CCHEngine, DijkstraEngine, PathEngine
from sitecrew.streets.network import (
    StreetNetwork,
    TravelMatrices,
    network_from_extract,
    network_from_region,
)
from sitecrew.streets.paths import Leg, legs_to_geojson, legs_to_gpx, route_geometry
from sitecrew.streets.regions import Region, extract_path_for, get_region_or_raise, load_regions
from sitecrew.streets.snap import SnapDistanceError, SnappedPoints, nearest_edges_for
from sitecrew.streets.store import BuildSettings, load_arrays, load_graph, save_graph

__all__ = [
    "BuildSettings",
    "CCHEngine",
    "DijkstraEngine",
    "Leg",
    "PathEngine",
    "Region",
    "SnapDistanceError",
    "SnappedPoints",
    "StreetArrays",
    "StreetNetwork",
    "TravelMatrices",
    "add_travel_times",
    "arrays_from_graph",
    "extract_path_for",
    "get_region_or_raise",
    "graph_from_extract",
    "legs_to_geojson",
    "legs_to_gpx",
    "load_arrays",
    "load_graph",
    "load_regions",
    "nearest_edges_for",
    "network_from_extract",
    "network_from_region",
    "route_geometry",
    "save_graph",
]
