"""A scenario's map as inline SVG: streets, isochrones, depots and sites coloured by depot.

Pure drawing (no graph, no database): :mod:`.report_layers` gathers the street lines and the
isochrones, this module projects lon/lat onto a local metric plane (equirectangular at the
map's mid-latitude: over a region's few tens of km its scale error is well under 1 %),
simplifies to about a pixel, and writes one SVG with a legend, a scale bar and a north arrow.
The same data give the same bytes; nothing is fetched (no tiles, fonts or scripts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

#: The WGS84 mean radius (metres), which the equirectangular plane is scaled by.
EARTH_RADIUS_M = 6_371_008.8
#: Okabe-Ito's colour-blind-safe palette (yellow last: faint on white); depots past 8 reuse it.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")
#: Sites no depot reaches.
UNREACHABLE = "#9e9e9e"
#: Width of the drawn map (pixels) and the least simplification of lines (metres).
MAP_WIDTH_PX = 820.0
MIN_TOLERANCE_M = 10.0
LEGEND_ROW_PX = 18.0
_NICE_STEPS = (1.0, 2.0, 5.0)


@dataclass(frozen=True)
class LocalPlane:
    """Equirectangular metres around ``(lon0, lat0)``: x east, y north."""

    lon0: float
    lat0: float

    def metres(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the plane coordinates (metres) of lon/lat arrays."""
        x = np.radians(lon - self.lon0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))
        y = np.radians(lat - self.lat0) * EARTH_RADIUS_M
        return x, y


@dataclass(frozen=True)
class MapFrame:
    """The metric box drawn (``x0..x1`` east, ``y0..y1`` north) and its pixel size."""

    plane: LocalPlane
    x0: float
    y0: float
    x1: float
    y1: float
    width_px: float = MAP_WIDTH_PX

    @property
    def px_per_m(self) -> float:
        """Pixels per metre, the same across and up (the plane is conformal at lat0)."""
        return self.width_px / (self.x1 - self.x0)

    @property
    def height_px(self) -> float:
        """The drawn map's height in pixels."""
        return (self.y1 - self.y0) * self.px_per_m

    @property
    def tolerance_m(self) -> float:
        """How far a simplified line may stray: about a pixel, at least 10 m."""
        return max(MIN_TOLERANCE_M, 1.0 / self.px_per_m)

    def pixels(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return SVG pixel coordinates (y down) of lon/lat arrays."""
        x, y = self.plane.metres(lon, lat)
        return (x - self.x0) * self.px_per_m, (self.y1 - y) * self.px_per_m

    def to_plane(self, geometry: shapely.Geometry) -> shapely.Geometry:
        """Return a lon/lat geometry in plane metres."""
        return shapely.transform(geometry, self._plane_coords)

    def _plane_coords(self, coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = self.plane.metres(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def box(self) -> shapely.Polygon:
        """Return the drawn box in plane metres."""
        return shapely.box(self.x0, self.y0, self.x1, self.y1)


def frame_around(
    lonlat: NDArray[np.float64], *, margin_m: float = 400.0, width_px: float = MAP_WIDTH_PX
) -> MapFrame:
    """Return the frame holding every point with ``margin_m`` around, at least 1 km square."""
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    plane = LocalPlane(float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2))
    x, y = plane.metres(lon, lat)
    half_w = max(float(x.max() - x.min()) / 2 + margin_m, 500.0)
    half_h = max(float(y.max() - y.min()) / 2 + margin_m, 500.0)
    cx, cy = float(x.max() + x.min()) / 2, float(y.max() + y.min()) / 2
    return MapFrame(plane, cx - half_w, cy - half_h, cx + half_w, cy + half_h, width_px)


def bbox_lonlat(frame: MapFrame) -> tuple[float, float, float, float]:
    """Return the frame's lon/lat box (west, south, east, north)."""
    k = EARTH_RADIUS_M * math.cos(math.radians(frame.plane.lat0))
    return (
        frame.plane.lon0 + math.degrees(frame.x0 / k),
        frame.plane.lat0 + math.degrees(frame.y0 / EARTH_RADIUS_M),
        frame.plane.lon0 + math.degrees(frame.x1 / k),
        frame.plane.lat0 + math.degrees(frame.y1 / EARTH_RADIUS_M),
    )


def scale_bar_m(frame: MapFrame) -> float:
    """Return a round length (1, 2 or 5 times a power of ten metres) near a fifth of the width."""
    target = (frame.x1 - frame.x0) / 5
    power = 10 ** math.floor(math.log10(target))
    return float(max(step * power for step in _NICE_STEPS if step * power <= target))


def depot_colour(depot: int) -> str:
    """Return a depot's colour (grey for ``-1``: no depot reaches the site)."""
    return UNREACHABLE if depot < 0 else PALETTE[depot % len(PALETTE)]


@dataclass(frozen=True)
class MapDepot:
    """An opened depot: its label (``D1``...), name and point."""

    label: str
    name: str
    lon: float
    lat: float
    sites: int


@dataclass(frozen=True)
class MapArea:
    """The area within ``minutes`` of driving from depot ``depot`` (lon/lat)."""

    depot: int
    minutes: float
    area: shapely.Geometry


@dataclass(frozen=True)
class ScenarioMap:
    """What one map shows; ``sites`` rows are ``lon, lat, depot`` (``-1``: unreachable)."""

    depots: tuple[MapDepot, ...]
    sites: NDArray[np.float64]
    streets: tuple[shapely.LineString, ...]
    areas: tuple[MapArea, ...]


def points_of(data: ScenarioMap) -> NDArray[np.float64]:
    """Return every depot and site lon/lat (what the frame must hold)."""
    depots = np.array([[d.lon, d.lat] for d in data.depots], dtype=np.float64).reshape(-1, 2)
    return np.vstack([depots, data.sites[:, :2].reshape(-1, 2)])


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _path_data(geometry: shapely.Geometry, frame: MapFrame) -> str:
    """Return SVG path data of a plane-metre geometry (lines and polygon rings)."""
    parts: list[str] = []
    for ring in _rings(geometry):
        coords = shapely.get_coordinates(ring)
        if len(coords) < 2:  # noqa: PLR2004 - a line needs two points
            continue
        px = (coords[:, 0] - frame.x0) * frame.px_per_m
        py = (frame.y1 - coords[:, 1]) * frame.px_per_m
        points = " ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in zip(px, py, strict=True))
        closed = "Z" if isinstance(ring, shapely.LinearRing) else ""
        parts.append(f"M{points}{closed}")
    return "".join(parts)


def _rings(geometry: shapely.Geometry) -> Iterable[shapely.Geometry]:
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.Polygon):
            yield part.exterior
            yield from part.interiors
        elif isinstance(part, shapely.LineString):
            yield part


def _clip(geometry: shapely.Geometry, frame: MapFrame) -> shapely.Geometry:
    """Project, clip to the frame and simplify to about a pixel."""
    plane = frame.to_plane(geometry)
    clipped = shapely.clip_by_rect(plane, frame.x0, frame.y0, frame.x1, frame.y1)
    return shapely.simplify(clipped, frame.tolerance_m, preserve_topology=True)


def _streets(lines: Sequence[shapely.LineString], frame: MapFrame) -> str:
    if not lines:
        return '<g class="streets"></g>'
    drawn = _clip(shapely.multilinestrings(list(lines)), frame)
    chunks = [
        _path_data(shapely.multilinestrings(list(part)), frame)
        for part in _chunks(list(shapely.get_parts(drawn)), 400)
    ]
    paths = "".join(f'<path d="{d}"/>' for d in chunks if d)
    return (
        '<g class="streets" fill="none" stroke="#a0a0a0" stroke-width="0.8" '
        f'stroke-linecap="round" stroke-linejoin="round">{paths}</g>'
    )


def _chunks(items: list[shapely.Geometry], size: int) -> Iterable[list[shapely.Geometry]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _areas(data: ScenarioMap, frame: MapFrame) -> str:
    """Wider areas first, so each depot's nearer area lies on top of its wider one."""
    out = []
    nearest = min((a.minutes for a in data.areas), default=0.0)
    for area in sorted(data.areas, key=lambda a: (-a.minutes, a.depot)):
        d = _path_data(_clip(area.area, frame), frame)
        if not d:
            continue
        colour = depot_colour(area.depot)
        dash = ' stroke-dasharray="5 3"' if area.minutes != nearest else ""
        out.append(
            f'<path class="isochrone" data-depot="{area.depot}" data-minutes="{_fmt(area.minutes)}"'
            f' d="{d}" fill="{colour}" fill-opacity="0.07" fill-rule="evenodd" stroke="{colour}"'
            f' stroke-opacity="0.8" stroke-width="1.2"{dash}/>'
        )
    return f'<g class="isochrones">{"".join(out)}</g>'


def _sites(data: ScenarioMap, frame: MapFrame) -> str:
    """One group per depot (and the unreachable), each site a small circle."""
    if len(data.sites) == 0:
        return '<g class="sites"></g>'
    px, py = frame.pixels(data.sites[:, 0], data.sites[:, 1])
    depot = data.sites[:, 2].astype(np.int64)
    groups = []
    for j in sorted({int(v) for v in depot}, key=lambda v: (v < 0, v)):
        mask = depot == j
        circles = "".join(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="2.6"/>'
            for x, y in zip(px[mask], py[mask], strict=True)
        )
        groups.append(
            f'<g class="site-group" data-depot="{j}" fill="{depot_colour(j)}" '
            f'stroke="#ffffff" stroke-width="0.5">{circles}</g>'
        )
    return f'<g class="sites">{"".join(groups)}</g>'


def _depots(data: ScenarioMap, frame: MapFrame) -> str:
    """Draw each depot as a square in its colour, outlined in black, labelled D1, D2..."""
    out = []
    for j, depot in enumerate(data.depots):
        px, py = frame.pixels(np.array([depot.lon]), np.array([depot.lat]))
        x, y = float(px[0]), float(py[0])
        out.append(
            f'<g class="depot" data-depot="{j}">'
            f'<rect x="{_fmt(x - 7)}" y="{_fmt(y - 7)}" width="14" height="14" '
            f'fill="{depot_colour(j)}" stroke="#000000" stroke-width="2"/>'
            f'<text x="{_fmt(x + 10)}" y="{_fmt(y - 8)}" class="label">{escape(depot.label)}</text>'
            "</g>"
        )
    return f'<g class="depots">{"".join(out)}</g>'


def _scale_and_north(frame: MapFrame) -> str:
    metres = scale_bar_m(frame)
    length = metres * frame.px_per_m
    text = f"{_fmt(metres / 1000)} km" if metres >= 1000 else f"{_fmt(metres)} m"  # noqa: PLR2004
    x, y = 12.0, frame.height_px - 16
    north_x = frame.width_px - 24
    return (
        f'<g class="scale-bar" data-metres="{_fmt(metres)}" data-px="{_fmt(length)}">'
        f'<rect x="{_fmt(x - 6)}" y="{_fmt(y - 18)}" width="{_fmt(length + 60)}" height="28" '
        'fill="#ffffff" fill-opacity="0.85"/>'
        f'<path d="M{_fmt(x)} {_fmt(y)}h{_fmt(length)}" stroke="#000000" stroke-width="3"/>'
        f'<path d="M{_fmt(x)} {_fmt(y - 5)}v10M{_fmt(x + length)} {_fmt(y - 5)}v10" '
        'stroke="#000000" stroke-width="1.5"/>'
        f'<text x="{_fmt(x + length + 6)}" y="{_fmt(y + 4)}" class="label">{text}</text></g>'
        f'<g class="north-arrow"><path d="M{_fmt(north_x)} 14l7 20h-14z" fill="#000000"/>'
        f'<text x="{_fmt(north_x)}" y="48" text-anchor="middle" class="label">N</text></g>'
        f'<text x="{_fmt(frame.width_px - 6)}" y="{_fmt(frame.height_px - 6)}" '
        'text-anchor="end" class="credit">© OpenStreetMap contributors</text>'
    )


def _legend(data: ScenarioMap, frame: MapFrame) -> tuple[str, float]:
    """Return the legend below the map (three columns) and its height."""
    items: list[tuple[str, str]] = []
    for j, depot in enumerate(data.depots):
        shown = f"{depot.label} {depot.name} ({depot.sites:,} sites)"
        marker = (
            f'<rect x="-6" y="-6" width="12" height="12" fill="{depot_colour(j)}" '
            'stroke="#000000" stroke-width="1.5"/>'
        )
        items.append((marker, shown))
    if (data.sites[:, 2] < 0).any() if len(data.sites) else False:
        items.append((f'<circle r="4" fill="{UNREACHABLE}"/>', "site no depot reaches"))
    items.append(('<circle r="4" fill="#555555"/>', "site, coloured by its depot"))
    minutes = sorted({a.minutes for a in data.areas})
    for n, m in enumerate(minutes):
        dash = ' stroke-dasharray="5 3"' if n else ""
        marker = (
            f'<rect x="-8" y="-6" width="16" height="12" fill="#555555" fill-opacity="0.15" '
            f'stroke="#555555"{dash}/>'
        )
        items.append((marker, f"within {_fmt(m)} min driving"))
    columns = 3
    column_px = frame.width_px / columns
    rows = math.ceil(len(items) / columns)
    out = []
    for n, (marker, text) in enumerate(items):
        x = 16 + (n % columns) * column_px
        y = frame.height_px + 16 + (n // columns) * LEGEND_ROW_PX
        out.append(
            f'<g transform="translate({_fmt(x)} {_fmt(y)})">{marker}'
            f'<text x="14" y="4" class="legend-text">{escape(text[:60])}</text></g>'
        )
    return f'<g class="legend">{"".join(out)}</g>', rows * LEGEND_ROW_PX + 16


def map_svg(data: ScenarioMap, frame: MapFrame | None = None, *, title: str = "") -> str:
    """Return the scenario's map as one inline ``<svg>`` element."""
    frame = frame or frame_around(points_of(data))
    legend, legend_px = _legend(data, frame)
    width, height = frame.width_px, frame.height_px + legend_px
    return (
        f'<svg class="scenario-map" role="img" '
        f'width="{_fmt(width)}" height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}"'
        f' font-family="DejaVu Sans, Arial, sans-serif" font-size="11">'
        f"<title>{escape(title or 'Expansion scenario map')}</title>"
        "<style>.label{font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        ".credit{font-size:9px;fill:#555}.legend-text{font-size:11px}</style>"
        f'<rect class="map-area" width="{_fmt(width)}" height="{_fmt(frame.height_px)}" '
        'fill="#fbfbf8" stroke="#bdbdbd"/>'
        f"{_streets(data.streets, frame)}{_areas(data, frame)}{_sites(data, frame)}"
        f"{_depots(data, frame)}{_scale_and_north(frame)}{legend}</svg>"
    )
