"""Isochrones: the area reachable within a driving-time budget."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pytest
import shapely

from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from sitecrew.streets import StreetNetwork


def test_isochrone_grows_with_the_budget(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """A longer budget covers strictly more area and everything the shorter one covered."""
    origin = grunerlokka.snap(street_points[:1])
    areas = [grunerlokka.isochrone(origin, minutes=m) for m in (0.5, 1.5, 3.0)]
    for smaller, larger in pairwise(areas):
        assert larger.area > smaller.area
        assert smaller.difference(larger).area < 1e-6 * smaller.area


def test_isochrone_contains_its_origin_and_reached_nodes(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """The snapped origin is inside, and so is every node the matrix reaches within budget."""
    origin = grunerlokka.snap(street_points[:1])
    area = grunerlokka.isochrone(origin, minutes=1.0)
    assert area.contains(shapely.Point(origin.lon[0], origin.lat[0]))
    arrays = grunerlokka.arrays
    nodes = grunerlokka.snap(np.column_stack([arrays.node_lon, arrays.node_lat]))
    seconds = grunerlokka.matrices(origin, nodes).seconds[0]
    inside = shapely.contains_xy(area, arrays.node_lon, arrays.node_lat)
    assert inside[seconds <= 59].all()
    assert not inside.all()


def test_isochrone_rejects_budget_when_not_positive(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Zero minutes is invalid input."""
    with pytest.raises(InvalidInputError, match="minutes"):
        grunerlokka.isochrone(grunerlokka.snap(street_points[:1]), minutes=0)
