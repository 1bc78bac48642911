"""Snap points to the nearest street edge: the projected point, its position and the distance.

Snapping to the nearest *node* would put a bench in the middle of a block at the far corner
and can cost minutes on one-way streets; snapping to the nearest *edge* keeps the point where
a van would stop, and the matrix then accounts for the partial edge to either end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray

from sitecrew.errors import StreetGraphError
from sitecrew.streets import _validate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.streets.arrays import StreetArrays


class SnapDistanceError(StreetGraphError):
    """Some points lie farther from any street than the configured limit.

    Attributes
    ----------
    indices
        Positions of the offending points in the input.
    distances_m
        Their distances to the nearest street, metres.
    """

    def __init__(self, indices: list[int], distances_m: list[float], *, limit_m: float) -> None:
        self.indices = indices
        self.distances_m = distances_m
        shown = ", ".join(
            f"#{i} ({d:,.0f} m)" for i, d in zip(indices[:10], distances_m[:10], strict=True)
        )
        more = f" and {len(indices) - 10} more" if len(indices) > 10 else ""  # noqa: PLR2004
        super().__init__(
            f"{len(indices)} point(s) lie farther than {limit_m:,.0f} m from any street of the "
            f"graph: {shown}{more}"
        )


@dataclass(frozen=True, eq=False)
class SnappedPoints:
    """Points placed on street edges.

    Attributes
    ----------
    edge
        Index of the edge each point lies on (a two-way street's twin is implied).
    fraction
        Position along that edge from its tail, 0..1, by length.
    distance_m
        Straight-line distance from the input point to the street, metres.
    lon, lat
        The snapped location in WGS84.
    """

    edge: NDArray[np.int64]
    fraction: NDArray[np.float64]
    distance_m: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.edge)

    def take(self, order: Sequence[int] | NDArray[np.int64]) -> SnappedPoints:
        """Return the points at the given positions, in that order."""
        index = np.asarray(order, dtype=np.int64)
        return SnappedPoints(
            edge=self.edge[index],
            fraction=self.fraction[index],
            distance_m=self.distance_m[index],
            lon=self.lon[index],
            lat=self.lat[index],
        )


class EdgeIndex:
    """An R-tree over one geometry per street (twins share one entry), in metres.

    Parameters
    ----------
    arrays
        The street graph's edge table.
    """

    def __init__(self, arrays: StreetArrays) -> None:
        self.arrays = arrays
        twin = arrays.edge_twin
        own = np.arange(arrays.edge_count)
        self.edges = np.flatnonzero((twin < 0) | (own < twin)).astype(np.int64)
        self.lines = arrays.edge_lines()[self.edges]
        self.tree = shapely.STRtree(self.lines)


def nearest_edges_for(
    index: EdgeIndex,
    points: Sequence[tuple[float, float]] | NDArray[np.float64],
    *,
    max_distance_m: float,
) -> SnappedPoints:
    """Snap lon/lat points to their nearest street edges.

    Parameters
    ----------
    index
        The graph's :class:`EdgeIndex`.
    points
        ``(lon, lat)`` pairs in degrees.
    max_distance_m
        Farthest a point may lie from a street; a site farther away is almost always a wrong
        coordinate, and silently routing it from a distant road would hide that.

    Returns
    -------
    snapped
        One snapped location per point, in input order.

    Raises
    ------
    InvalidInputError
        When a coordinate is not a finite lon/lat.
    SnapDistanceError
        Naming every point farther than ``max_distance_m`` from the graph.
    """
    lonlat = _validate.lonlat_array(points)
    x, y = index.arrays.to_metric().transform(lonlat[:, 0], lonlat[:, 1])
    geoms = shapely.points(np.column_stack([x, y]))
    (where, entry), distance = index.tree.query_nearest(
        geoms, return_distance=True, all_matches=False
    )
    order = np.argsort(where, kind="stable")
    entry, distance = entry[order], np.asarray(distance)[order]
    far = np.flatnonzero(distance > max_distance_m)
    if len(far):
        raise SnapDistanceError(
            [int(i) for i in far], [float(d) for d in distance[far]], limit_m=max_distance_m
        )
    lines = index.lines[entry]
    fraction = np.clip(shapely.line_locate_point(lines, geoms, normalized=True), 0.0, 1.0)
    on_street = shapely.get_coordinates(
        shapely.line_interpolate_point(lines, fraction, normalized=True)
    )
    lon, lat = index.arrays.to_lonlat().transform(on_street[:, 0], on_street[:, 1])
    return SnappedPoints(
        edge=index.edges[entry],
        fraction=fraction.astype(np.float64),
        distance_m=distance.astype(np.float64),
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
    )
