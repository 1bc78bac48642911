"""The scenario map's drawing: projection and scale, colours by depot, no outside address."""

from __future__ import annotations

import math
import re

import numpy as np
import pyproj
import pytest
import shapely

from sitecrew.services.expansion.report_map import (
    PALETTE,
    UNREACHABLE,
    LocalPlane,
    MapArea,
    MapDepot,
    ScenarioMap,
    depot_colour,
    frame_around,
    map_svg,
    points_of,
    scale_bar_m,
)

GEOD = pyproj.Geod(ellps="WGS84")


def _km_away(lon: float, lat: float, azimuth: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, 1000.0)
    return lon2, lat2


@pytest.mark.parametrize(("lon", "lat"), [(10.75, 59.92), (14.5, 35.9), (8.5, 49.4)])
@pytest.mark.parametrize("azimuth", [0.0, 45.0, 90.0, 200.0])
def test_two_points_a_km_apart_are_a_km_apart_on_the_plane(lon, lat, azimuth):
    """Equirectangular at the mid-latitude: within 0.5 % of the ellipsoid over a km."""
    lon2, lat2 = _km_away(lon, lat, azimuth)
    plane = LocalPlane((lon + lon2) / 2, (lat + lat2) / 2)
    x, y = plane.metres(np.array([lon, lon2]), np.array([lat, lat2]))
    assert math.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(1000.0, rel=0.005)


def test_the_scale_bar_measures_what_it_says():
    """A km on the ground spans the pixels of a 1 km bar (in both directions)."""
    lon, lat = 10.75, 59.92
    east, north = _km_away(lon, lat, 90.0), _km_away(lon, lat, 0.0)
    frame = frame_around(np.array([[lon, lat], [lon + 0.05, lat + 0.03]]), margin_m=300.0)
    px, py = frame.pixels(np.array([lon, east[0], north[0]]), np.array([lat, east[1], north[1]]))
    across, up = px[1] - px[0], py[0] - py[2]
    assert across == pytest.approx(1000.0 * frame.px_per_m, rel=0.005)
    assert up == pytest.approx(1000.0 * frame.px_per_m, rel=0.005)
    metres = scale_bar_m(frame)
    assert metres in {500.0, 1000.0}  # a fifth of ~3.4 km, rounded down to 1, 2 or 5
    svg = map_svg(_map(), frame)
    bar = re.search(r'class="scale-bar" data-metres="([\d.]+)" data-px="([\d.]+)"', svg)
    assert bar is not None
    assert float(bar.group(2)) == pytest.approx(float(bar.group(1)) * frame.px_per_m, abs=0.1)
    label = "1 km" if metres == 1000.0 else "500 m"
    assert f">{label}</text>" in svg


def _map() -> ScenarioMap:
    depots = (
        MapDepot("D1", "north <yard>", 10.76, 59.93, 2),
        MapDepot("D2", "south", 10.77, 59.925, 1),
    )
    sites = np.array(
        [[10.755, 59.931, 0], [10.762, 59.933, 0], [10.772, 59.924, 1], [10.79, 59.94, -1]]
    )
    streets = (
        shapely.LineString([(10.75, 59.92), (10.80, 59.95)]),
        shapely.LineString([(10.75, 59.95), (10.80, 59.92)]),
    )
    areas = (
        MapArea(0, 10.0, shapely.Point(10.76, 59.93).buffer(0.01)),
        MapArea(1, 20.0, shapely.Point(10.77, 59.925).buffer(0.02)),
    )
    return ScenarioMap(depots, sites, streets, areas)


def test_sites_take_their_depots_colour_and_the_unreachable_are_grey():
    svg = map_svg(_map())
    groups = dict(re.findall(r'class="site-group" data-depot="(-?\d+)" fill="(#\w+)"', svg))
    assert groups == {"0": PALETTE[0], "1": PALETTE[1], "-1": UNREACHABLE}
    assert svg.count("<circle cx=") == 4
    assert len({depot_colour(j) for j in range(len(PALETTE))}) == len(PALETTE)
    assert depot_colour(len(PALETTE)) == PALETTE[0]


def test_the_map_draws_streets_depots_isochrones_and_a_legend_inside_its_box():
    svg = map_svg(_map())
    assert re.search(r'<g class="streets"[^>]*><path d="M[\d. ]+', svg)
    assert svg.count('class="depot"') == 2
    assert 'data-minutes="10"' in svg
    assert 'data-minutes="20"' in svg
    assert "north &lt;yard&gt; (2 sites)" in svg  # names are escaped
    assert "within 10 min driving" in svg
    assert "site no depot reaches" in svg
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    numbers = [float(n) for pair in re.findall(r"M(-?[\d.]+) (-?[\d.]+)", svg) for n in pair]
    assert min(numbers) >= 0
    assert max(numbers) <= max(width, height)


def test_the_map_names_no_outside_address():
    svg = map_svg(_map())
    assert "http" not in svg
    assert "href" not in svg


def test_the_frame_holds_every_point_with_its_margin():
    data = _map()
    frame = frame_around(points_of(data), margin_m=200.0)
    px, py = frame.pixels(points_of(data)[:, 0], points_of(data)[:, 1])
    margin_px = 200.0 * frame.px_per_m
    assert px.min() >= margin_px - 0.5
    assert px.max() <= frame.width_px - margin_px + 0.5
    assert py.min() >= margin_px - 0.5
    assert py.max() <= frame.height_px - margin_px + 0.5
