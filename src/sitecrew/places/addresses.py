"""Read address points and the building outlines around them from a ``.osm.pbf`` extract.

Registers name addresses, not coordinates; these points are what the address matcher
(:mod:`sitecrew.places.matching`) matches register rows to. Oslo maps addresses as separate
nodes (Kartverket's import, often at the entrance); Malta and Sweden also put them on building
outlines. Both kinds are read, each outline address at a point inside the outline, and each
address learns which building covers it. A roads-only extract simply has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import osmium
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from sitecrew.errors import NotFoundError, StreetGraphError
from sitecrew.places.extract import area_geometry, plausible_levels
from sitecrew.places.normalise import natural_key

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class OsmAddress:
    """One address as mapped: a node, or an outline (then at a point inside it)."""

    #: ``node/123``, ``way/456`` or ``relation/789``.
    osm_ref: str
    #: ``addr:street``, else ``addr:place`` (hamlets, squares, much of Malta).
    street: str
    #: As mapped (``12``, ``12B``); ``12;14`` is split into two addresses.
    housenumber: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float
    #: The building outline covering the point (``way/456``), or None.
    building_ref: str | None


@dataclass(frozen=True)
class OsmBuildingOutline:
    """A building that carries or contains an address."""

    osm_ref: str
    footprint: Polygon | MultiPolygon
    #: The ``building=*`` value (``apartments``, ``house``, ``yes``, ``school``, ...).
    building: str
    levels: int | None
    #: ``Street 12B`` from its own tags, else the lowest address point inside it.
    address: str | None


@dataclass
class ExtractAddresses:
    """The addresses of one extract (sorted by ``osm_ref``) and the buildings they belong to."""

    addresses: list[OsmAddress] = field(default_factory=list)
    buildings: list[OsmBuildingOutline] = field(default_factory=list)


@dataclass(frozen=True)
class _Tagged:
    """An address as read, before it learns its building."""

    osm_ref: str
    tags: dict[str, str]
    point: Point


#: Separators between several house numbers on one object (``12;14``); a comma only separates
#: when every part is a number (Malta writes ``37, Prinjola``).
_NUMBER_LIST = re.compile(r"\s*;\s*")
_NUMBER_LIKE = re.compile(r"^\d+\s*[A-Za-z]?$")


def addresses_from_extract(path: Path) -> ExtractAddresses:
    """Read every address and the building outlines that carry or contain one.

    Parameters
    ----------
    path
        A ``.osm.pbf`` (or ``.osm``/``.osm.bz2``) file.

    Returns
    -------
    ExtractAddresses
        Addresses sorted by ``osm_ref`` (nodes first, so a loader that numbers rows in this order
        lets the matcher prefer entrances over outlines); buildings sorted by ``osm_ref``. Both
        are empty for a roads-only extract: whether that is an error is the caller's decision.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    StreetGraphError
        When the file cannot be read as OpenStreetMap data.
    """
    if not path.is_file():
        raise NotFoundError(f"OSM extract {path} does not exist")
    tagged: list[_Tagged] = []
    outlines: list[tuple[str, Polygon | MultiPolygon, dict[str, str]]] = []
    open_ways: dict[int, _Tagged] = {}
    area_ways: set[int] = set()
    factory = osmium.geom.WKBFactory()
    try:
        for entity in osmium.FileProcessor(str(path)).with_areas():
            if isinstance(entity, osmium.osm.Node):
                if _has_address(entity.tags) and entity.location.valid():
                    point = Point(entity.location.lon, entity.location.lat)
                    tagged.append(_Tagged(f"node/{entity.id}", dict(entity.tags), point))
            elif isinstance(entity, osmium.osm.Way):
                if _has_address(entity.tags):
                    way = _way_address(entity)
                    if way is not None:
                        open_ways[entity.id] = way
            elif isinstance(entity, osmium.osm.Area):
                _read_area(entity, factory, tagged, outlines, area_ways)
    except RuntimeError as error:
        raise StreetGraphError(f"cannot read {path.name}: {error}") from None
    tagged.extend(way for way_id, way in open_ways.items() if way_id not in area_ways)
    return _assemble(tagged, outlines)


def _has_address(tags: osmium.osm.TagList) -> bool:
    return "addr:housenumber" in tags and ("addr:street" in tags or "addr:place" in tags)


def _way_address(way: osmium.osm.Way) -> _Tagged | None:
    """Read an address on a way that does not become an area (a closed way usually does)."""
    try:
        coords = [(node.lon, node.lat) for node in way.nodes if node.location.valid()]
    except osmium.InvalidLocationError:
        return None
    if not coords:
        return None
    point = Point(coords[0]) if len(coords) == 1 else _middle(LineString(coords))
    return _Tagged(f"way/{way.id}", dict(way.tags), point)


def _middle(line: LineString) -> Point:
    point = line.interpolate(0.5, normalized=True)
    return Point(point.x, point.y)


def _read_area(
    area: osmium.osm.Area,
    factory: osmium.geom.WKBFactory,
    tagged: list[_Tagged],
    outlines: list[tuple[str, Polygon | MultiPolygon, dict[str, str]]],
    area_ways: set[int],
) -> None:
    tags = area.tags
    building = tags.get("building", "no")
    has_address = _has_address(tags)
    if building == "no" and not has_address:
        return
    geometry = area_geometry(area, factory)
    if geometry is None:
        return
    osm_ref = f"{'way' if area.from_way() else 'relation'}/{area.orig_id()}"
    if area.from_way():
        area_ways.add(area.orig_id())
    plain = dict(tags)
    if has_address:
        inside = geometry.point_on_surface()
        tagged.append(_Tagged(osm_ref, plain, Point(inside.x, inside.y)))
    if building != "no":
        outlines.append((osm_ref, geometry, plain))


def _assemble(
    tagged: list[_Tagged], outlines: list[tuple[str, Polygon | MultiPolygon, dict[str, str]]]
) -> ExtractAddresses:
    """Split multi-number addresses, find each point's building, keep buildings with addresses."""
    covering = _covering_buildings(tagged, outlines)
    addresses = sorted(
        (
            OsmAddress(
                osm_ref=item.osm_ref,
                street=_street(item.tags),
                housenumber=number,
                postcode=item.tags.get("addr:postcode") or None,
                city=item.tags.get("addr:city") or None,
                lon=item.point.x,
                lat=item.point.y,
                building_ref=building_ref,
            )
            for item, building_ref in zip(tagged, covering, strict=True)
            for number in split_housenumbers(item.tags["addr:housenumber"])
        ),
        key=lambda address: (address.osm_ref, natural_key(address.housenumber)),
    )
    lowest: dict[str, OsmAddress] = {}
    for address in addresses:
        if address.building_ref is None:
            continue
        known = lowest.get(address.building_ref)
        if known is None or _address_order(address) < _address_order(known):
            lowest[address.building_ref] = address
    buildings = [
        OsmBuildingOutline(
            osm_ref=osm_ref,
            footprint=footprint,
            building=tags["building"],
            levels=plausible_levels(tags.get("building:levels")),
            address=_label(tags) or _label_of(lowest[osm_ref]),
        )
        for osm_ref, footprint, tags in outlines
        if osm_ref in lowest or _has_address_tags(tags)
    ]
    buildings.sort(key=lambda building: building.osm_ref)
    return ExtractAddresses(addresses=addresses, buildings=buildings)


def _covering_buildings(
    tagged: list[_Tagged], outlines: list[tuple[str, Polygon | MultiPolygon, dict[str, str]]]
) -> list[str | None]:
    """Find the smallest building outline covering each point (an outline covers itself)."""
    result: list[str | None] = [None] * len(tagged)
    if not tagged or not outlines:
        return result
    own = {ref for ref, _, _ in outlines}
    footprints = [footprint for _, footprint, _ in outlines]
    areas = shapely.area(footprints)
    tree = shapely.STRtree(footprints)
    point_index, outline_index = tree.query([item.point for item in tagged], predicate="within")
    best: dict[int, int] = {}
    for point, outline in zip(point_index.tolist(), outline_index.tolist(), strict=True):
        if point not in best or areas[outline] < areas[best[point]]:
            best[point] = outline
    for index, item in enumerate(tagged):
        if item.osm_ref in own and not item.osm_ref.startswith("node/"):
            result[index] = item.osm_ref
        elif index in best:
            result[index] = outlines[best[index]][0]
    return result


def split_housenumbers(raw: str) -> list[str]:
    """Split ``12;14`` (and ``12,14`` when every part is a number) into separate numbers."""
    parts = [part for part in _NUMBER_LIST.split(raw.strip()) if part]
    result: list[str] = []
    for part in parts:
        pieces = [piece.strip() for piece in part.split(",")]
        if len(pieces) > 1 and all(_NUMBER_LIKE.match(piece) for piece in pieces):
            result.extend(pieces)
        else:
            result.append(part)
    return list(dict.fromkeys(result))


def _street(tags: dict[str, str]) -> str:
    return (tags.get("addr:street") or tags["addr:place"]).strip()


def _has_address_tags(tags: dict[str, str]) -> bool:
    return "addr:housenumber" in tags and ("addr:street" in tags or "addr:place" in tags)


def _label(tags: dict[str, str]) -> str | None:
    if not _has_address_tags(tags):
        return None
    return f"{_street(tags)} {split_housenumbers(tags['addr:housenumber'])[0]}"


def _label_of(address: OsmAddress) -> str:
    return f"{address.street} {address.housenumber}"


def _address_order(address: OsmAddress) -> tuple[str, tuple[int, str], str]:
    return (address.street, natural_key(address.housenumber), address.osm_ref)
