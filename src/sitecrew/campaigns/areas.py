"""Where homes lie: buildings in a compact walking order, and contiguous territories per crew.

The sweep never solves one 22,000-stop problem. It orders the buildings once, street by street
(streets ordered along a Hilbert curve, so that consecutive streets are neighbours; a street's
buildings along the street), and then cuts that order into one contiguous stretch per crew. A
contiguous stretch of a locality-preserving order is a compact area, and walking it day by day
keeps neighbours on the same day and a street's buildings in the same week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.domain.campaigns import SweepHome

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

#: Bits per axis of the Hilbert grid: 2**16 cells a side is about 1 m over a 50 km region.
HILBERT_BITS = 16


@dataclass(frozen=True)
class Building:
    """One building's homes in visiting order (entrance, floor, unit) and where it stands."""

    building_id: int
    street: str
    x: float  # metres east of the region's west edge (local projection)
    y: float  # metres north of the region's south edge
    homes: tuple[SweepHome, ...]


def hilbert_index(
    x: NDArray[np.int64], y: NDArray[np.int64], bits: int = HILBERT_BITS
) -> NDArray[np.int64]:
    """Return each cell's position along a Hilbert curve over a ``2**bits`` square grid.

    Vectorised form of the classic rotate-and-flip walk (Hilbert 1891; Wikipedia's ``xy2d``):
    cells close on the curve are close in the plane, so cutting the curve into stretches cuts
    the plane into compact areas.
    """
    x = x.astype(np.int64).copy()
    y = y.astype(np.int64).copy()
    d = np.zeros_like(x)
    n = 1 << bits
    s = n >> 1
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # Rotate the quadrant so that the sub-curve has the standard orientation.
        flip = ~ry
        swap_and_mirror = flip & rx
        x = np.where(swap_and_mirror, n - 1 - x, x)
        y = np.where(swap_and_mirror, n - 1 - y, y)
        x, y = np.where(flip, y, x), np.where(flip, x, y)
        s >>= 1
    return d


class Projection:
    """A local equirectangular projection to metres, and the Hilbert grid over its extent.

    Precise enough to order buildings and measure spreads within one city.
    """

    def __init__(self, lons: Sequence[float], lats: Sequence[float]) -> None:
        self.lon0 = min(lons)
        self.lat0 = min(lats)
        self.kx = 111_320.0 * math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.ky = 110_540.0
        width = (max(lons) - self.lon0) * self.kx
        height = (max(lats) - self.lat0) * self.ky
        self.extent = max(width, height, 1.0)

    def metres(self, lon: float, lat: float) -> tuple[float, float]:
        """Return ``(x, y)`` in metres from the extent's south-west corner."""
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def curve_positions(self, xs: Sequence[float], ys: Sequence[float]) -> NDArray[np.int64]:
        """Return the Hilbert position of each point; points outside the extent are clamped."""
        top = (1 << HILBERT_BITS) - 1
        scale = top / self.extent
        cx = np.clip(np.round(np.asarray(xs, dtype=float) * scale), 0, top).astype(np.int64)
        cy = np.clip(np.round(np.asarray(ys, dtype=float) * scale), 0, top).astype(np.int64)
        return hilbert_index(cx, cy)


def visiting_key(home: SweepHome) -> tuple[int, int, str, int]:
    """Order of homes inside a building: entrance by entrance, floor by floor, unit by unit."""
    floor = home.floor if home.floor is not None else 0
    return home.entrance, floor, home.unit, home.apartment_id


def buildings_of(homes: Sequence[SweepHome], projection: Projection) -> list[Building]:
    """Group homes by building (sorted by building id), each building's homes in visiting order.

    A building's street is its homes' most common street (ties: the first by name), so a corner
    building with addresses on two streets still belongs to one.
    """
    grouped: dict[int, list[SweepHome]] = {}
    for home in sorted(homes, key=lambda h: (h.building_id, visiting_key(h))):
        grouped.setdefault(home.building_id, []).append(home)
    buildings = []
    for building_id, members in grouped.items():
        counts: dict[str, int] = {}
        for home in members:
            counts[home.street] = counts.get(home.street, 0) + 1
        street = min(counts, key=lambda name: (-counts[name], name))
        lon = sum(h.lon for h in members) / len(members)
        lat = sum(h.lat for h in members) / len(members)
        x, y = projection.metres(lon, lat)
        buildings.append(Building(building_id, street, x, y, tuple(members)))
    return buildings


def street_order(buildings: Sequence[Building], projection: Projection) -> list[Building]:
    """Return the buildings street by street, streets along the Hilbert curve.

    Within a street, buildings follow the street's main axis (the principal direction of its
    buildings), so the crew walks the street from one end to the other. A building without a
    street name is a street of its own.
    """
    streets: dict[str, list[Building]] = {}
    for building in buildings:
        key = building.street or f"\x00building {building.building_id}"
        streets.setdefault(key, []).append(building)
    names = sorted(streets)
    centres_x = [float(np.mean([b.x for b in streets[n]])) for n in names]
    centres_y = [float(np.mean([b.y for b in streets[n]])) for n in names]
    positions = projection.curve_positions(centres_x, centres_y)
    ordered: list[Building] = []
    for index in sorted(range(len(names)), key=lambda i: (int(positions[i]), names[i])):
        ordered.extend(_along_street(streets[names[index]]))
    return ordered


def _along_street(buildings: list[Building]) -> list[Building]:
    """Order one street's buildings along its principal axis (ties by building id)."""
    if len(buildings) < 3:  # noqa: PLR2004 - two points need no axis
        return sorted(buildings, key=lambda b: (b.x, b.y, b.building_id))
    points = np.array([[b.x, b.y] for b in buildings])
    centred = points - points.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    axis = axes[0]
    # The sign of a singular vector is arbitrary: fix it so that the order is reproducible.
    if axis[0] < 0 or (axis[0] == 0 and axis[1] < 0):
        axis = -axis
    along = centred @ axis
    return [
        buildings[i]
        for i in sorted(
            range(len(buildings)),
            key=lambda i: (round(float(along[i]), 3), buildings[i].building_id),
        )
    ]


def cut_territories(costs: Sequence[float], shares: Sequence[float]) -> list[tuple[int, int]]:
    """Cut a sequence of items with ``costs`` into contiguous ``[start, end)`` stretches.

    Stretch *k* gets about ``shares[k] / sum(shares)`` of the total cost, so that crews with
    more days get more work and all finish at about the same time. Cuts fall between items
    (an item, here a building, is never split between crews).
    """
    total_share = sum(shares)
    if total_share <= 0:
        shares = [1.0] * len(shares)
        total_share = float(len(shares))
    cumulative = np.cumsum(np.asarray(costs, dtype=float))
    total = float(cumulative[-1]) if len(cumulative) else 0.0
    bounds = [0]
    running = 0.0
    for share in shares[:-1]:
        running += share / total_share
        target = running * total
        # First item whose cumulative cost passes the target half-way closes the stretch.
        centre = cumulative - np.asarray(costs, dtype=float) / 2
        cut = int(np.searchsorted(centre, target, side="left"))
        bounds.append(max(bounds[-1], min(cut, len(costs))))
    bounds.append(len(costs))
    return [(bounds[i], bounds[i + 1]) for i in range(len(shares))]
