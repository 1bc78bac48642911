"""Per-region street networks for services: load from the cache (or build once), then reuse.

Loading a cached network takes tens of milliseconds and building one seconds to minutes, while
a planning request needs it at once; so each process keeps the networks it loaded, keyed by
region and directories. Worker processes of background planning runs have their own memo.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sitecrew.streets import network_from_region
from sitecrew.streets.network import BUILD_STAGES

if TYPE_CHECKING:
    from pathlib import Path

    from sitecrew.config import OsmSettings
    from sitecrew.services.progress import ProgressCallback
    from sitecrew.streets import StreetNetwork

_networks: dict[tuple[str, Path, Path, float], StreetNetwork] = {}
_lock = threading.Lock()


def get_network(
    street_region: str, *, settings: OsmSettings, progress: ProgressCallback | None = None
) -> StreetNetwork:
    """Return the street network of a manifest region, loading or building it on first use.

    Parameters
    ----------
    street_region
        A region of the OSM manifest (``Region.street_region`` in the database).
    settings
        Where extracts and the graph cache live, and the snap limit.
    progress
        Called as ``progress("street graph: <stage>", n, total)`` while loading or building.

    Returns
    -------
    StreetNetwork
        Shared by later calls in this process (its contraction hierarchy is built once).

    Raises
    ------
    NotFoundError
        When the region or its extract is unknown.
    StreetGraphError
        When the extract holds no drivable network.
    """
    key = (
        street_region,
        settings.directory.resolve(),
        settings.cache_directory.resolve(),
        settings.max_snap_distance_m,
    )
    with _lock:
        if key not in _networks:

            def report(stage: str) -> None:
                if progress is not None and stage in BUILD_STAGES:
                    done = BUILD_STAGES.index(stage) + 1
                    progress("street graph", done, len(BUILD_STAGES))

            network = network_from_region(street_region, settings=settings, progress=report)
            _ = network.topology  # built (or read from the cache) once, outside any request
            _networks[key] = network
        return _networks[key]


def clear_networks() -> None:
    """Forget every loaded network (tests; or after rebuilding a region's cache)."""
    with _lock:
        _networks.clear()
