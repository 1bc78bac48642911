"""Read the places Sitecrew cares about from a ``.osm.pbf`` extract with pyosmium.

pyosmium assembles closed ways and multipolygon relations into areas in one pass; ways cut by
the extract's bounding box simply do not become areas, so clipped extracts read without errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import osmium
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from sitecrew.domain.geo import BBox
from sitecrew.errors import NotFoundError, StreetGraphError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

#: Tags that make an area one of the kinds Sitecrew loads as sites.
SITE_KINDS = {
    ("amenity", "school"): "school",
    ("landuse", "residential"): "residential",
    ("leisure", "park"): "park",
    ("leisure", "playground"): "playground",
}
#: Half the side of the square used for a school mapped as a node only (degrees, ~40 m).
NODE_SCHOOL_HALF_SIDE = 0.0004


@dataclass(frozen=True)
class OsmBuilding:
    """An apartment building as mapped in OpenStreetMap."""

    osm_id: int
    footprint: Polygon | MultiPolygon
    levels: int | None
    address: str | None
    entrances: tuple[Point, ...]


@dataclass(frozen=True)
class OsmArea:
    """A named area (school, residential area, park, playground)."""

    osm_id: str
    kind: str
    name: str | None
    area: Polygon | MultiPolygon
    address: str | None


@dataclass
class Places:
    """Everything read from one extract, each list sorted by OSM id (for determinism)."""

    bounds: BBox
    buildings: list[OsmBuilding] = field(default_factory=list)
    areas: list[OsmArea] = field(default_factory=list)

    def areas_of(self, kind: str) -> list[OsmArea]:
        """Return the areas of one kind (``school``, ``residential``, ``park``, ``playground``)."""
        return [area for area in self.areas if area.kind == kind]


def places_from_extract(path: Path) -> Places:
    """Read apartment buildings and site-like areas from an extract.

    Parameters
    ----------
    path
        A ``.osm.pbf`` (or ``.osm``/``.osm.bz2``) file.

    Returns
    -------
    Places
        Buildings tagged ``building=apartments`` with levels, address and entrances; schools,
        residential areas, parks and playgrounds; the extract's bounding box.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    StreetGraphError
        When the file cannot be read as OpenStreetMap data.
    """
    if not path.is_file():
        raise NotFoundError(f"OSM extract {path} does not exist")
    places = Places(bounds=extract_bounds(path))
    factory = osmium.geom.WKBFactory()
    # One pass: nodes come first in an extract, so entrances are known before their buildings.
    entrances: dict[int, Point] = {}
    addresses: list[tuple[Point, str]] = []
    try:
        for entity in osmium.FileProcessor(str(path)).with_areas():
            if isinstance(entity, osmium.osm.Node) and entity.location.valid():
                if "entrance" in entity.tags:
                    entrances[entity.id] = Point(entity.location.lon, entity.location.lat)
                if entity.tags.get("amenity") == "school":
                    places.areas.append(_node_school(entity))
                address = _address(entity.tags)
                if address and "addr:housenumber" in entity.tags:
                    addresses.append((Point(entity.location.lon, entity.location.lat), address))
            elif isinstance(entity, osmium.osm.Area):
                _collect(places, entity, factory, entrances)
    except RuntimeError as error:
        raise StreetGraphError(f"cannot read {path.name}: {error}") from None
    places.buildings = sorted(
        _with_addresses(places.buildings, addresses), key=lambda building: building.osm_id
    )
    places.areas.sort(key=lambda area: (area.kind, area.osm_id))
    return places


def _collect(
    places: Places,
    area: osmium.osm.Area,
    factory: osmium.geom.WKBFactory,
    entrances: dict[int, Point],
) -> None:
    tags = area.tags
    kind = next((name for (key, value), name in SITE_KINDS.items() if tags.get(key) == value), None)
    is_apartments = tags.get("building") == "apartments"
    if kind is None and not is_apartments:
        return
    geometry = area_geometry(area, factory)
    if geometry is None:
        return
    osm_kind = "way" if area.from_way() else "relation"
    if is_apartments:
        ring_nodes = (node.ref for ring in area.outer_rings() for node in ring)
        places.buildings.append(
            OsmBuilding(
                osm_id=area.orig_id(),
                footprint=geometry,
                levels=plausible_levels(tags.get("building:levels")),
                address=_address(tags),
                entrances=tuple(dict.fromkeys(entrances[r] for r in ring_nodes if r in entrances)),
            )
        )
    if kind is not None:
        places.areas.append(
            OsmArea(
                f"{osm_kind}/{area.orig_id()}", kind, tags.get("name"), geometry, _address(tags)
            )
        )


def area_geometry(
    area: osmium.osm.Area, factory: osmium.geom.WKBFactory
) -> Polygon | MultiPolygon | None:
    """Return an OSM area as a valid (multi)polygon, or ``None`` when it cannot be built."""
    try:
        geometry = shapely.from_wkb(factory.create_multipolygon(area))
    except RuntimeError:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if isinstance(geometry, MultiPolygon) and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        return None
    return geometry


def _node_school(node: osmium.osm.Node) -> OsmArea:
    lon, lat = node.location.lon, node.location.lat
    half = NODE_SCHOOL_HALF_SIDE
    square = shapely.box(lon - half, lat - half / 2, lon + half, lat + half / 2)
    return OsmArea(f"node/{node.id}", "school", node.tags.get("name"), square, _address(node.tags))


def _with_addresses(
    buildings: list[OsmBuilding], addresses: list[tuple[Point, str]]
) -> list[OsmBuilding]:
    """Give buildings without an address tag the address point mapped inside their footprint.

    In Oslo addresses are mostly mapped as separate nodes (often the entrances), not on the
    building outline; the lowest house number inside the footprint is taken.
    """
    if not addresses:
        return buildings
    tree = shapely.STRtree([point for point, _ in addresses])
    result = []
    for building in buildings:
        if building.address is None:
            hits = tree.query(building.footprint, predicate="covers")
            if len(hits):
                labels = sorted(addresses[i][1] for i in hits)
                building = replace(building, address=labels[0])  # noqa: PLW2901
        result.append(building)
    return result


def extract_bounds(path: Path) -> BBox:
    """Return an extract's bounding box: its header's, else the box of its located nodes."""
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        box = reader.header().box()
    finally:
        reader.close()
    if box.valid():
        return BBox(box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    return _data_bounds(path)


def _data_bounds(path: Path) -> BBox:
    lons: list[float] = []
    lats: list[float] = []
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if isinstance(node, osmium.osm.Node) and node.location.valid():
            lons.append(node.location.lon)
            lats.append(node.location.lat)
    if not lons:
        raise StreetGraphError(f"{path.name} holds no located nodes")
    return BBox(min(lons), min(lats), max(lons), max(lats))


def plausible_levels(raw: str | None) -> int | None:
    """Return a ``building:levels`` tag as a whole number of floors (1-60), else ``None``."""
    try:
        levels = round(float(raw)) if raw else None
    except ValueError:
        return None
    return levels if levels and 1 <= levels <= 60 else None  # noqa: PLR2004 (plausible range)


def _address(tags: Iterable[osmium.osm.Tag] | osmium.osm.TagList) -> str | None:
    lookup = dict(tags) if not isinstance(tags, osmium.osm.TagList) else tags
    street = lookup.get("addr:street")
    if not street:
        return None
    number = lookup.get("addr:housenumber")
    return f"{street} {number}" if number else street
