"""``StreetNetwork``: one region's graph arrays, engines and snap index behind one object.

This is what the planning service holds per region: load (or build and cache) once, then snap
points and ask for matrices and leg geometries as often as needed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sitecrew.errors import StreetGraphError
from sitecrew.streets import _validate, store
from sitecrew.streets.arrays import arrays_from_graph
from sitecrew.streets.build import add_travel_times, graph_from_extract
from sitecrew.streets.engines import CCHEngine, DijkstraEngine, EngineKind, topology_from_arrays
from sitecrew.streets.isochrones import isochrone
from sitecrew.streets.matrix import costs_between, metres_from_cm, seconds_from_ms
from sitecrew.streets.paths import Leg, route_geometry
from sitecrew.streets.regions import extract_path_for, get_region_or_raise
from sitecrew.streets.snap import EdgeIndex, SnappedPoints, nearest_edges_for

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    import networkx as nx
    import pyroutingkit
    import shapely

    from sitecrew.config import OsmSettings
    from sitecrew.streets.arrays import StreetArrays
    from sitecrew.streets.engines import PathEngine


#: Every stage name a load-or-build reports, in order (a cache hit skips the middle ones).
BUILD_STAGES = (
    "hash extract",
    "read extract",
    "create graph",
    "simplify",
    "add travel times",
    "derive arrays",
    "save cache",
    "load cache",
)


@dataclass(frozen=True, eq=False)
class TravelMatrices:
    """Asymmetric matrices between snapped points; row = from, column = to.

    Attributes
    ----------
    seconds
        Fastest free-flow driving time, whole seconds.
    metres
        Shortest driving distance, whole metres (the shortest route, which can differ from
        the fastest one).
    """

    seconds: NDArray[np.int64]
    metres: NDArray[np.int64]


class StreetNetwork:
    """A routable street network of one region.

    Parameters
    ----------
    arrays
        The edge table (from a build or the cache).
    engine
        ``"cch"`` (contraction hierarchy, fast many-to-many) or ``"dijkstra"`` (exact
        reference, no preprocessing); both give identical integer results.
    max_snap_distance_m
        Points farther than this from every street are rejected.
    cache_folder
        Where the networkx graph of this build is cached, for :attr:`graph`.
    """

    def __init__(
        self,
        arrays: StreetArrays,
        *,
        engine: EngineKind = "cch",
        max_snap_distance_m: float = 500.0,
        cache_folder: Path | None = None,
    ) -> None:
        self.arrays = arrays
        self.engine_kind: EngineKind = engine
        self.max_snap_distance_m = max_snap_distance_m
        self.cache_folder = cache_folder

    @cached_property
    def edge_index(self) -> EdgeIndex:
        """The R-tree used for snapping (built on first use)."""
        return EdgeIndex(self.arrays)

    @cached_property
    def topology(self) -> pyroutingkit.CCHTopology:
        """The contraction hierarchy's topology, shared by the time and length metrics.

        Built on first use (nested dissection, the one slow step of the hierarchy) and kept in
        the cache folder, so later loads of the same build skip it.
        """
        if self.cache_folder is not None:
            return store.load_or_save_topology(
                self.cache_folder, build=lambda: topology_from_arrays(self.arrays)
            )
        return topology_from_arrays(self.arrays)

    @cached_property
    def time_engine(self) -> PathEngine:
        """Shortest paths by travel time (milliseconds)."""
        return self._engine(self.arrays.travel_time_ms)

    @cached_property
    def length_engine(self) -> PathEngine:
        """Shortest paths by length (centimetres)."""
        return self._engine(self.arrays.length_cm)

    @cached_property
    def exact_time_engine(self) -> DijkstraEngine:
        """Exact Dijkstra by travel time: isochrones and checking the hierarchy."""
        return DijkstraEngine(self.arrays, self.arrays.travel_time_ms)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph of this build, read from the cache on first use."""
        if self.cache_folder is None:
            msg = "this network was not loaded from a cache folder; its graph is unavailable"
            raise StreetGraphError(msg)
        return store.load_graph(self.cache_folder)

    def snap(self, points: Sequence[tuple[float, float]] | NDArray[np.float64]) -> SnappedPoints:
        """Snap ``(lon, lat)`` points to the nearest streets (see ``nearest_edges_for``)."""
        return nearest_edges_for(self.edge_index, points, max_distance_m=self.max_snap_distance_m)

    def matrices(
        self, sources: SnappedPoints, targets: SnappedPoints | None = None
    ) -> TravelMatrices:
        """Return travel-time and distance matrices from ``sources`` to ``targets``.

        ``targets`` defaults to ``sources`` (the square matrix a route solver needs).
        """
        targets = sources if targets is None else targets
        arrays = self.arrays
        ms = costs_between(self.time_engine, arrays, arrays.travel_time_ms, sources, targets)
        cm = costs_between(self.length_engine, arrays, arrays.length_cm, sources, targets)
        return TravelMatrices(seconds=seconds_from_ms(ms), metres=metres_from_cm(cm))

    def legs(self, stops: SnappedPoints) -> list[Leg]:
        """Return the road-following legs between consecutive stops (see ``route_geometry``)."""
        return route_geometry(self.time_engine, self.arrays, stops)

    def isochrone(
        self, origin: SnappedPoints, *, minutes: float, buffer_m: float = 40.0
    ) -> shapely.Polygon | shapely.MultiPolygon:
        """Return the area within ``minutes`` of driving (see ``isochrones.isochrone``)."""
        return isochrone(
            self.exact_time_engine, self.arrays, origin, minutes=minutes, buffer_m=buffer_m
        )

    def _engine(self, weights: NDArray[np.int64]) -> PathEngine:
        if self.engine_kind == "dijkstra":
            return DijkstraEngine(self.arrays, weights)
        return CCHEngine(self.arrays, weights, topology=self.topology)


def network_from_extract(
    path: Path,
    *,
    cache_directory: Path,
    settings: store.BuildSettings | None = None,
    engine: EngineKind = "cch",
    max_snap_distance_m: float = 500.0,
    progress: Callable[[str], None] | None = None,
    rebuild: bool = False,
) -> StreetNetwork:
    """Load a region's network from the cache, or build it from the extract and cache it.

    Parameters
    ----------
    path
        The OSM extract.
    cache_directory
        Root folder of the graph cache (``OsmSettings.cache_directory``).
    settings
        Build settings; part of the cache key, so changing them rebuilds.
    engine, max_snap_distance_m
        Passed to :class:`StreetNetwork`.
    progress
        Called with each stage name (see ``BUILD_STAGES``).
    rebuild
        Build even when the cache holds this extract and settings.

    Returns
    -------
    network
        Ready to snap and route.

    Raises
    ------
    NotFoundError
        When the extract does not exist.
    StreetGraphError
        When it holds no drivable network.
    """
    settings = settings or store.BuildSettings()
    report = progress or (lambda _stage: None)
    folder = build_and_save(
        path, cache_directory=cache_directory, settings=settings, progress=report, force=rebuild
    )
    report("load cache")
    return StreetNetwork(
        store.load_arrays(folder),
        engine=engine,
        max_snap_distance_m=max_snap_distance_m,
        cache_folder=folder,
    )


def build_and_save(
    path: Path,
    *,
    cache_directory: Path,
    settings: store.BuildSettings,
    progress: Callable[[str], None],
    force: bool = False,
) -> Path:
    """Build the extract into the cache unless an entry for it exists; return its folder."""
    report = progress
    _validate.check_extract_path(path)
    report("hash extract")
    folder = store.cache_path_for(path, settings, cache_directory=cache_directory)
    if store.is_cached(folder) and not force:
        return folder
    started = time.perf_counter()
    G = graph_from_extract(path, network_type=settings.network_type, progress=report)
    report("add travel times")
    G = add_travel_times(
        G, highway_speeds=settings.highway_speeds, fallback_kph=settings.fallback_kph
    )
    report("derive arrays")
    arrays = arrays_from_graph(G)
    report("save cache")
    meta = {
        "extract": path.name,
        "nodes": arrays.node_count,
        "edges": arrays.edge_count,
        "build_s": round(time.perf_counter() - started, 3),
    }
    store.save_graph(G, arrays, folder, meta=meta)
    return folder


def network_from_region(
    name: str,
    *,
    settings: OsmSettings,
    engine: EngineKind = "cch",
    progress: Callable[[str], None] | None = None,
    rebuild: bool = False,
) -> StreetNetwork:
    """Load or build the network of a manifest region (what services call per region).

    Parameters
    ----------
    name
        A region of ``data/osm/regions.toml`` (or of the OSM directory's own manifest).
    settings
        Where extracts and the cache live, and the snap limit.
    engine, progress, rebuild
        See :func:`network_from_extract`.

    Returns
    -------
    network
        Ready to snap and route.

    Raises
    ------
    NotFoundError
        When the region is unknown or its extract is missing (naming where to download it).
    """
    region = get_region_or_raise(name, directory=settings.directory)
    return network_from_extract(
        extract_path_for(region, directory=settings.directory),
        cache_directory=settings.cache_directory,
        engine=engine,
        max_snap_distance_m=settings.max_snap_distance_m,
        progress=progress,
        rebuild=rebuild,
    )
