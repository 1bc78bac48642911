"""Road-following leg geometry for ordered stops, and its GeoJSON / GPX export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely

from sitecrew.errors import InvalidInputError
from sitecrew.streets import StreetNetwork, legs_to_geojson, legs_to_gpx

GPX = "{http://www.topografix.com/GPX/1/1}"


def test_legs_start_and_end_at_the_snapped_stops(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """Each leg runs from its snapped origin to its snapped destination, within a centimetre."""
    stops = grunerlokka.snap(street_points[:8])
    legs = grunerlokka.legs(stops)
    to_metric = grunerlokka.arrays.to_metric()
    sx, sy = to_metric.transform(stops.lon, stops.lat)
    assert len(legs) == 7
    for leg in legs:
        coords = np.asarray(leg.geometry.coords)
        gx, gy = to_metric.transform(coords[:, 0], coords[:, 1])
        assert np.hypot(gx[0] - sx[leg.origin], gy[0] - sy[leg.origin]) < 0.01
        assert np.hypot(gx[-1] - sx[leg.destination], gy[-1] - sy[leg.destination]) < 0.01


def test_leg_duration_and_length_match_matrix_and_geometry(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """A leg's duration is the matrix entry; its distance is the length of its own line."""
    stops = grunerlokka.snap(street_points[:8])
    seconds = grunerlokka.matrices(stops).seconds
    to_metric = grunerlokka.arrays.to_metric()
    for leg in grunerlokka.legs(stops):
        assert round(leg.duration_s) == seconds[leg.origin, leg.destination]
        metric_line = shapely.transform(
            leg.geometry, lambda c: np.column_stack(to_metric.transform(c[:, 0], c[:, 1]))
        )
        assert metric_line.length == pytest.approx(leg.distance_m, rel=0.01, abs=1.0)


def test_exports_hold_one_line_per_leg_when_written(
    grunerlokka: StreetNetwork, street_points: np.ndarray
) -> None:
    """GeoJSON has one LineString feature per leg; GPX one waypoint per stop and segment per leg."""
    stops = grunerlokka.snap(street_points[:5])
    legs = grunerlokka.legs(stops)
    collection = json.loads(json.dumps(legs_to_geojson(legs)))
    assert [f["geometry"]["type"] for f in collection["features"]] == ["LineString"] * 4
    assert collection["features"][2]["properties"]["origin"] == 2
    root = ET.fromstring(legs_to_gpx(legs, name="Grünerløkka & co"))  # noqa: S314
    assert len(root.findall(f"{GPX}wpt")) == 5
    segments = root.findall(f"{GPX}trk/{GPX}trkseg")
    assert [len(s) for s in segments] == [len(leg.geometry.coords) for leg in legs]
    assert root.find(f"{GPX}trk/{GPX}name").text == "Grünerløkka & co"


def test_route_needs_two_stops_when_one_given(grunerlokka: StreetNetwork) -> None:
    """A single stop is invalid input, not an empty route."""
    arrays = grunerlokka.arrays
    with pytest.raises(InvalidInputError, match="two stops"):
        grunerlokka.legs(grunerlokka.snap([(arrays.node_lon[0], arrays.node_lat[0])]))
