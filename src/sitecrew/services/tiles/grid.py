"""Tile math: a z/x/y address checked once, and its bounds in lon/lat and web mercator.

Tiles are the XYZ scheme of web maps (EPSG:3857, y downwards, ``mercantile``'s convention and
PostGIS's ``ST_TileEnvelope``'s). An address arrives as URL text, so it is parsed strictly here:
ASCII digits only, zoom at most :data:`MAX_ZOOM`, x and y inside the zoom's grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mercantile

from sitecrew.domain.geo import BBox
from sitecrew.errors import InvalidInputError

#: Deepest zoom served (a tile is then under 10 m wide: nothing here is finer).
MAX_ZOOM = 22
#: Tile coordinates run 0 .. 4095 inside a tile (the MVT default).
EXTENT = 4096
#: Geometry kept beyond a tile's edge, in tile units, so lines and outlines join seamlessly.
BUFFER = 64
_DIGITS = re.compile(r"[0-9]{1,7}")


@dataclass(frozen=True)
class Tile:
    """One XYZ tile address (constructing one checks it)."""

    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not 0 <= self.z <= MAX_ZOOM:
            raise InvalidInputError(f"zoom {self.z} is outside 0..{MAX_ZOOM}")
        size = 2**self.z
        if not (0 <= self.x < size and 0 <= self.y < size):
            msg = f"tile {self.x}/{self.y} is outside zoom {self.z}'s grid (0..{size - 1})"
            raise InvalidInputError(msg)

    def mercator_bounds(self) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) in EPSG:3857 metres."""
        box = mercantile.xy_bounds(self.x, self.y, self.z)
        return (box.left, box.bottom, box.right, box.top)

    def search_box(self) -> BBox:
        """Return the lon/lat box to search: the tile and its buffer (clamped to the world)."""
        west, south, east, north = mercantile.bounds(self.x, self.y, self.z)
        pad_x = (east - west) * BUFFER / EXTENT
        pad_y = (north - south) * BUFFER / EXTENT
        return BBox(
            max(west - pad_x, -180.0),
            max(south - pad_y, -85.06),
            min(east + pad_x, 180.0),
            min(north + pad_y, 85.06),
        )

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


def parse_tile(z: str, x: str, y: str) -> Tile:
    """Return the tile that URL segments ``z``, ``x`` and ``y`` name.

    Raises
    ------
    InvalidInputError
        For a segment that is not a whole number in ASCII digits, or a tile outside the grid.
    """
    numbers = []
    for name, text in (("z", z), ("x", x), ("y", y)):
        if not _DIGITS.fullmatch(text):
            raise InvalidInputError(f"tile {name} must be a whole number, not {text[:20]!r}")
        numbers.append(int(text))
    return Tile(*numbers)
