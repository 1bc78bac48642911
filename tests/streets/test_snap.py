"""Snapping points to the nearest street edge."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sitecrew.errors import InvalidInputError
from sitecrew.streets import SnapDistanceError, StreetNetwork


def test_snapped_point_lies_on_its_edge_at_the_reported_distance(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Each point lands on its edge, and the distance is the one from input to snapped point."""
    snapped = grunerlokka.snap(street_points)
    arrays = grunerlokka.arrays
    to_metric = arrays.to_metric()
    px, py = to_metric.transform(street_points[:, 0], street_points[:, 1])
    sx, sy = to_metric.transform(snapped.lon, snapped.lat)
    assert np.allclose(np.hypot(px - sx, py - sy), snapped.distance_m, atol=0.01)
    lines = arrays.edge_lines()[snapped.edge]
    assert np.all(shapely.distance(lines, shapely.points(sx, sy)) < 0.01)
    assert np.all((snapped.fraction >= 0) & (snapped.fraction <= 1))


def test_snap_distance_is_zero_when_point_is_a_node(grunerlokka: StreetNetwork) -> None:
    """A point exactly at an intersection snaps onto the street there."""
    arrays = grunerlokka.arrays
    snapped = grunerlokka.snap([(arrays.node_lon[5], arrays.node_lat[5])])
    assert snapped.distance_m[0] < 0.01


def test_far_points_are_rejected_by_index_when_beyond_the_limit(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Points in the fjord and in Bergen are named in the error; near ones are not."""
    far = np.vstack([street_points[:3], [[10.70, 59.88], [5.32, 60.39]]])
    with pytest.raises(SnapDistanceError, match="2 point") as caught:
        grunerlokka.snap(far)
    assert caught.value.indices == [3, 4]
    assert all(d > grunerlokka.max_snap_distance_m for d in caught.value.distances_m)


def test_invalid_coordinates_raise_when_not_lon_lat(grunerlokka: StreetNetwork) -> None:
    """NaN or latitude beyond 90 is invalid input, named by position."""
    with pytest.raises(InvalidInputError, match=r"\[1\]"):
        grunerlokka.snap([(10.75, 59.92), (10.75, 95.0)])
    with pytest.raises(InvalidInputError):
        grunerlokka.snap([(float("nan"), 59.92)])
