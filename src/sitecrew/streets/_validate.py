"""Checks that run first in the public streets functions and raise typed errors."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.errors import InvalidInputError, NotFoundError, StreetGraphError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import networkx as nx
    from numpy.typing import NDArray

EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2")
NETWORK_TYPES = ("drive", "drive_service")


def check_extract_path(path: Path) -> None:
    """Raise unless ``path`` is an existing OSM extract of a format pyosmium reads."""
    if not path.is_file():
        msg = f"OSM extract {path} does not exist"
        raise NotFoundError(msg)
    if not path.name.endswith(EXTRACT_SUFFIXES):
        msg = f"{path.name} is not an OSM extract (expected one of {', '.join(EXTRACT_SUFFIXES)})"
        raise StreetGraphError(msg)


def check_network_type(network_type: str) -> None:
    """Raise unless the network type is one the drivable filter knows."""
    if network_type not in NETWORK_TYPES:
        msg = f"network_type must be one of {NETWORK_TYPES}, got {network_type!r}"
        raise InvalidInputError(msg)


def check_graph(G: nx.MultiDiGraph, *, source: str) -> None:
    """Raise when a built graph is too small to route on (fewer than two intersections)."""
    if G.number_of_nodes() < 2 or G.number_of_edges() < 1:  # noqa: PLR2004
        msg = f"{source} yields no routable street network (largest component is {len(G)} nodes)"
        raise StreetGraphError(msg)


def lonlat_array(
    points: Sequence[tuple[float, float]] | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return points as an ``(n, 2)`` float array of lon/lat, or raise on bad coordinates."""
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:  # noqa: PLR2004
        msg = f"points must be a non-empty sequence of (lon, lat) pairs, got shape {array.shape}"
        raise InvalidInputError(msg)
    bad = ~np.isfinite(array).all(axis=1)
    bad |= (np.abs(array[:, 0]) > 180) | (np.abs(array[:, 1]) > 90)  # noqa: PLR2004
    if bad.any():
        first = [int(i) for i in np.flatnonzero(bad)[:5]]
        msg = f"points {first} are not valid (lon, lat) coordinates in degrees"
        raise InvalidInputError(msg)
    return array


def check_minutes(minutes: float) -> None:
    """Raise unless an isochrone budget is a positive, finite number of minutes."""
    if not (math.isfinite(minutes) and minutes > 0):
        msg = f"minutes must be a positive number, got {minutes!r}"
        raise InvalidInputError(msg)


def check_stop_count(count: int) -> None:
    """Raise unless a route has at least two stops."""
    if count < 2:  # noqa: PLR2004
        msg = f"a route needs at least two stops, got {count}"
        raise InvalidInputError(msg)
