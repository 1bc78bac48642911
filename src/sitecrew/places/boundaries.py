"""District outlines for a region: OSM administrative boundaries, or a GeoJSON file of polygons.

Both readers return named (Multi)Polygons clipped to the region, so the caller stores districts
without caring where they came from. Neither guesses: a level the extract does not map, a file
that is not a FeatureCollection of polygons, or a feature without a name is refused with what
the caller can do instead (the levels that exist; the property names that were read).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import osmium
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from sitecrew.errors import InvalidInputError, NotFoundError, StreetGraphError
from sitecrew.places.boundary_faces import faces_of_cut_boundaries
from sitecrew.places.extract import area_geometry, extract_bounds

if TYPE_CHECKING:
    from pathlib import Path

#: Properties that name a district, in order of preference (English, Norwegian, Swedish).
NAME_PROPERTIES = ("name", "navn", "namn")
#: The property naming the contractor organisation bound to a district.
CONTRACTOR_PROPERTY = "contractor"
#: Clipped pieces smaller than this share of the region are slivers along its edge, not parts.
SLIVER_SHARE = 1e-4


@dataclass(frozen=True)
class DistrictOutline:
    """A named district outline, clipped to the region; ``contractor`` names an organisation."""

    name: str
    area: Polygon | MultiPolygon
    contractor: str | None = None


def admin_levels(path: Path) -> dict[str, int]:
    """Return how many whole administrative areas the extract maps at each ``admin_level``.

    Raises
    ------
    NotFoundError, StreetGraphError
        When the file is missing or cannot be read as OpenStreetMap data.
    """
    counts = Counter(level for level, _, area in _admin_areas(path) if area is not None)
    return dict(sorted(counts.items(), key=_level))


def districts_from_osm(
    path: Path, *, admin_level: int, boundary: Polygon | MultiPolygon
) -> list[DistrictOutline]:
    """Return the named ``boundary=administrative`` areas of ``admin_level``, clipped to the region.

    Areas of one name (a council mapped as several closed ways) become one district; areas
    outside the region, unnamed ones and slivers along its edge are left out. When the extract's
    bbox cut left every boundary of the level open (``oslo.osm.pbf``'s bydeler), they are
    rebuilt inside the extract from the ways that remain (``places.boundary_faces``).

    Raises
    ------
    NotFoundError
        When no named area of that level lies in the region, listing the levels that exist.
    StreetGraphError
        When the file cannot be read.
    """
    pieces: dict[str, list[Polygon | MultiPolygon]] = {}
    found: Counter[str] = Counter()
    broken: Counter[str] = Counter()
    for level, name, area in _admin_areas(path):
        (found if area is not None else broken)[level] += 1
        if level == str(admin_level) and name and area is not None:
            pieces.setdefault(name, []).append(area)
    if not pieces and broken.get(str(admin_level)):  # a bbox cut opened them: close in the box
        box = extract_bounds(path).to_polygon()
        rebuilt = faces_of_cut_boundaries(path, admin_level=admin_level, box=box)
        pieces = {name: [area] for name, area in rebuilt.items()}
    outlines = _clipped(
        [DistrictOutline(n, shapely.union_all(a)) for n, a in pieces.items()], boundary
    )
    if not outlines:
        raise NotFoundError(_none_found(path, admin_level, found, broken))
    return outlines


def _none_found(path: Path, admin_level: int, found: Counter[str], broken: Counter[str]) -> str:
    levels = ", ".join(f"{lvl} ({n} areas)" for lvl, n in sorted(found.items(), key=_level))
    message = (
        f"{path.name} maps no named administrative area of admin_level {admin_level} inside "
        f"the region; levels with whole areas in the extract: {levels or 'none'}"
    )
    if broken:
        cut = ", ".join(f"{lvl} ({n})" for lvl, n in sorted(broken.items(), key=_level))
        message += f"; levels whose boundaries the extract's edge cut open: {cut}"
    if broken.get(str(admin_level)):
        message += " (none of them could be closed inside the extract)"
    return message + "; or give the districts as a GeoJSON file (--districts)"


def districts_from_geojson(
    path: Path, *, boundary: Polygon | MultiPolygon
) -> list[DistrictOutline]:
    """Return the named (Multi)Polygons of a GeoJSON FeatureCollection, clipped to the region.

    A feature is named by its ``name`` property (else ``navn``, ``namn``, else its first text
    property); ``contractor``, when present, names the organisation that works the district.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When it is not a FeatureCollection of named polygons, or none of them lies in the region.
    """
    if not path.is_file():
        raise NotFoundError(f"districts file {path} does not exist")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInputError(f"cannot read {path.name} as GeoJSON: {error}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInputError(f"{path.name} must hold a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInputError(f"{path.name} holds no features")
    outlines = [_outline(feature, index, path.name) for index, feature in enumerate(features, 1)]
    clipped = _clipped(outlines, boundary)
    if not clipped:
        raise InvalidInputError(f"no district of {path.name} lies inside the region")
    return clipped


def _outline(feature: Any, index: int, file_name: str) -> DistrictOutline:
    where = f"{file_name}, feature {index}"
    if not isinstance(feature, dict):
        raise InvalidInputError(f"{where}: not a GeoJSON feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInputError(f"{where}: properties must be an object")
    name = _name(properties)
    if name is None:
        msg = f"{where}: no name (a text property {', '.join(NAME_PROPERTIES)} or any other)"
        raise InvalidInputError(msg)
    try:
        geometry = shape(feature.get("geometry"))
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        raise InvalidInputError(f"{where} ({name}): geometry is not valid GeoJSON") from None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    polygonal = _polygonal(geometry)
    if polygonal is None:
        msg = f"{where} ({name}): geometry must be a Polygon or MultiPolygon"
        raise InvalidInputError(msg)
    contractor = properties.get(CONTRACTOR_PROPERTY)
    contractor_name = contractor.strip() if isinstance(contractor, str) and contractor else None
    return DistrictOutline(name, polygonal, contractor_name or None)


def _name(properties: dict[str, Any]) -> str | None:
    for key in (*NAME_PROPERTIES, *properties):
        value = properties.get(key)
        if key != CONTRACTOR_PROPERTY and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _clipped(
    outlines: list[DistrictOutline], boundary: Polygon | MultiPolygon
) -> list[DistrictOutline]:
    minimum = boundary.area * SLIVER_SHARE
    result = []
    for outline in outlines:
        if not outline.area.intersects(boundary):
            continue
        area = _polygonal(outline.area.intersection(boundary))
        if area is not None and area.area > minimum:
            result.append(DistrictOutline(outline.name, area, outline.contractor))
    return sorted(result, key=lambda outline: outline.name)


def _polygonal(geometry: Any) -> Polygon | MultiPolygon | None:
    """Return the polygons of ``geometry`` (a clip can leave lines and points behind)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return None if geometry.is_empty else geometry
    parts = [
        part
        for part in getattr(geometry, "geoms", [])
        if isinstance(part, Polygon | MultiPolygon) and not part.is_empty
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if isinstance(merged, Polygon | MultiPolygon) else None


def _admin_areas(path: Path) -> list[tuple[str, str | None, Polygon | MultiPolygon | None]]:
    """Return ``(admin_level, name, area)`` per administrative area.

    ``area`` is ``None`` for a boundary the extract cut open (its rings cannot be closed).
    """
    if not path.is_file():
        raise NotFoundError(f"OSM extract {path} does not exist")
    factory = osmium.geom.WKBFactory()
    areas = []
    try:
        for entity in osmium.FileProcessor(str(path)).with_areas():
            if not isinstance(entity, osmium.osm.Area):
                continue
            tags = entity.tags
            if tags.get("boundary") != "administrative" or "admin_level" not in tags:
                continue
            geometry = area_geometry(entity, factory)
            areas.append((str(tags.get("admin_level") or ""), tags.get("name"), geometry))
    except RuntimeError as error:
        raise StreetGraphError(f"cannot read {path.name}: {error}") from None
    return areas


def _level(item: tuple[str, int]) -> tuple[int, str]:
    level = item[0]
    return (int(level), level) if level.isdigit() else (99, level)
