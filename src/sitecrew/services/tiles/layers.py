"""The tile layers, what each feature carries, and the limits of one tile.

Properties are named as in the tiles (snake_case, MVT's custom); ids are the GraphQL ids
(``ID`` text). No layer carries tenants' names, phones, e-mail or access notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.tiles.grid import Tile, parse_tile

#: Features kept per layer and tile; beyond it the lowest ids are kept and the tile is marked.
MAX_FEATURES = 5000
#: Below this zoom apartments are one point per building with counts; from it, one per flat.
APARTMENT_DETAIL_ZOOM = 16
#: Crews get colours 0 .. COLOURS - 1 (crew id modulo), stable from day to day.
COLOURS = 12


class TileLayer(StrEnum):
    """A layer served at ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""

    SITES = "sites"
    FURNITURE = "furniture"
    APARTMENTS = "apartments"
    DISTRICTS = "districts"
    ROUTES = "routes"
    STREETS = "streets"


#: Each layer's fields as TileJSON's ``vector_layers`` describe them.
FIELDS: dict[TileLayer, dict[str, str]] = {
    TileLayer.SITES: {
        "id": "Site id (GraphQL ID)",
        "name": "Site name",
        "kind": "yard, schoolyard, park, ...",
        "shape": "point or outline (a site with an outline has both)",
    },
    TileLayer.FURNITURE: {
        "id": "Furniture item id (GraphQL ID)",
        "model": "Catalogue model name",
        "category": "Model category (bench, table, ...)",
        "condition_grade": "NS 3424 grade held by the register: 0 as new .. 3 failed",
        "status": "Maintenance: due (interval passed), ok, or unknown (no date)",
    },
    TileLayer.APARTMENTS: {
        "id": "Apartment id (zoom >= 16) or building id (below)",
        "building_id": "Building id",
        "apartments": "Apartments in the building (below zoom 16)",
        "installation_status": "The flat's status (zoom >= 16)",
        "status": "Below zoom 16: done (all installed), partial or none",
        "not_contacted": "Count per status (below zoom 16)",
        "booked": "Count per status (below zoom 16)",
        "installed": "Count per status (below zoom 16)",
        "no_access": "Count per status (below zoom 16)",
        "declined": "Count per status (below zoom 16)",
    },
    TileLayer.DISTRICTS: {"id": "District id (GraphQL ID)", "name": "District name"},
    TileLayer.ROUTES: {
        "feature": "leg (the line to a stop) or stop",
        "route_id": "Route id",
        "crew_id": "Crew id",
        "crew_name": "Crew name",
        "colour": f"Colour index 0..{COLOURS - 1}, stable per crew",
        "status": "draft or published",
        "sequence": "Stop order in the route",
        "job_id": "Job id of a job stop",
        "kind": "start, job, break or end",
    },
    TileLayer.STREETS: {
        "class": "Street class from the OSM highway tag",
        "name": "Street name, when known",
        "oneway": "Whether the router drives it one way only",
    },
}

DATE_REQUIRED = "the routes layer needs ?date=YYYY-MM-DD (the day whose routes to draw)"


@dataclass(frozen=True)
class TileQuery:
    """What one tile request asks for, checked."""

    layer: TileLayer
    tile: Tile
    day: dt.date | None = None
    region: str | None = None


def parse_layer(name: str) -> TileLayer:
    """Return the layer called ``name``.

    Raises
    ------
    NotFoundError
        When no layer has that name.
    """
    try:
        return TileLayer(name)
    except ValueError:
        known = ", ".join(layer.value for layer in TileLayer)
        raise NotFoundError(f"unknown tile layer {name[:40]!r} (layers: {known})") from None


def parse_day(layer: TileLayer, text: str | None) -> dt.date | None:
    """Return the ``date`` parameter: required for routes, ignored elsewhere.

    Raises
    ------
    InvalidInputError
        For routes without a date or with one that is not ``YYYY-MM-DD``.
    """
    if layer is not TileLayer.ROUTES:
        return None
    if not text:
        raise InvalidInputError(DATE_REQUIRED)
    bad = f"date {text[:20]!r} is not YYYY-MM-DD; {DATE_REQUIRED}"
    if len(text) != len("2026-06-02"):
        raise InvalidInputError(bad)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(bad) from None


def parse_query(
    layer: str, z: str, x: str, y: str, *, date: str | None, region: str | None
) -> TileQuery:
    """Return the checked request for a tile (see :func:`parse_layer`, :func:`parse_tile`)."""
    tile_layer = parse_layer(layer)
    tile = parse_tile(z, x, y)
    if region is not None and not 0 < len(region) <= 100:  # noqa: PLR2004
        raise InvalidInputError("region must be a region's slug (1 to 100 characters)")
    return TileQuery(tile_layer, tile, parse_day(tile_layer, date), region or None)
