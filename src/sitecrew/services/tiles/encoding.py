"""Encode features into a Mapbox Vector Tile (for backends without ``ST_AsMVT``).

Features come in WGS 84; they are projected to web mercator, clipped to the tile plus its
buffer and quantised to the tile's 4096 grid by ``mapbox-vector-tile``, the same grid and
buffer PostGIS uses, so both backends draw the same tile.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mapbox_vector_tile
import numpy as np
import shapely
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid
from shapely import clip_by_rect

from sitecrew.services.tiles.grid import BUFFER, EXTENT

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from sitecrew.services.tiles.grid import Tile

#: Web mercator's sphere (EPSG:3857).
MERCATOR_RADIUS = 6_378_137.0


def _to_mercator(coordinates: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    lon = np.radians(coordinates[:, 0])
    lat = np.radians(np.clip(coordinates[:, 1], -85.06, 85.06))
    x = MERCATOR_RADIUS * lon
    y = MERCATOR_RADIUS * np.log(np.tan(math.pi / 4 + lat / 2))
    return np.column_stack((x, y))


def to_mercator(geometry: BaseGeometry) -> BaseGeometry:
    """Return a lon/lat geometry in EPSG:3857 metres."""
    return shapely.transform(geometry, _to_mercator)


def encode_layer(name: str, features: list[dict[str, Any]], tile: Tile) -> bytes:
    """Return one layer ``name`` as MVT bytes (``b""`` when no feature is left after clipping).

    Each feature is ``{"geometry": <shapely, lon/lat>, "properties": {...}}``; ``None``
    properties are left out (MVT has no null). Geometry is quantised here (the package's own
    quantiser uses a deprecated shapely call) to integer tile units, y upwards.
    """
    west, south, east, north = tile.mercator_bounds()
    pad = (east - west) * BUFFER / EXTENT
    scale_x, scale_y = EXTENT / (east - west), EXTENT / (north - south)

    def to_grid(coordinates: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.column_stack(
            (
                np.round((coordinates[:, 0] - west) * scale_x),
                np.round((coordinates[:, 1] - south) * scale_y),
            )
        )

    # One vectorised pass over every geometry (projection, clip, grid): a city's street tile
    # holds thousands of lines, and a call per line was half of the tile's time.
    shapes = shapely.transform(
        np.array([feature["geometry"] for feature in features], dtype=object), _to_mercator
    )
    shapes = clip_by_rect(shapes, west - pad, south - pad, east + pad, north + pad)
    shapes = shapely.transform(shapes, to_grid)
    kept = [
        {
            "geometry": shape,
            "properties": {k: v for k, v in feature["properties"].items() if v is not None},
        }
        for shape, feature in zip(shapes, features, strict=True)
        if not shape.is_empty
    ]
    if not kept:
        return b""
    options = {"extents": EXTENT, "on_invalid_geometry": on_invalid_geometry_make_valid}
    encoded: bytes = mapbox_vector_tile.encode(
        [{"name": name, "features": kept}], default_options=options
    )
    return encoded
