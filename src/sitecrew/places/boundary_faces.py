"""Administrative areas that a bounding-box cut left open, closed again inside the box.

A "simple" bbox cut (``osmium extract -b``, as ``oslo.osm.pbf`` was made) keeps only the nodes
inside the box, so the boundary relations of city districts lose every way outside it and no
ring closes: pyosmium cannot build their areas. Inside the box the districts still partition
the land along the remaining ways. This module rebuilds them there:

1. the relations' remaining ways, cut to the box, plus the box's outline, are noded and
   polygonized into faces; a way's loose end (where the cut took its continuation) is joined
   straight to the nearest point of the box's edge;
2. a face belongs to the relation that owns the boundary ways along its edge (a way between
   two districts belongs to both: a face along ways of A|B and A|C is A);
3. a face still between two candidates is decided by its neighbour across a way both share
   (if the neighbour is A, it is the other one), until nothing changes.

Faces that stay undecided are left out rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import osmium
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import nearest_points

if TYPE_CHECKING:
    from pathlib import Path

#: Coordinates are noded on this grid (degrees, ~1 cm): cut points meet the box's edge exactly.
GRID = 1e-7
#: A relation owns a face when it owns at least this share of the best-owned edge length.
OWNER_SHARE = 0.9
#: A way between two districts belongs to both relations.
BORDER_OWNERS = 2
#: A face runs along a way when their common length exceeds this (degrees, ~1 m): less is a
#: corner where the way ends.
MIN_SHARED = 1e-5


@dataclass(frozen=True)
class _Relation:
    name: str
    ways: frozenset[int]


def faces_of_cut_boundaries(
    path: Path, *, admin_level: int, box: Polygon
) -> dict[str, Polygon | MultiPolygon]:
    """Return the named areas of ``admin_level`` rebuilt inside ``box`` (the extract's bounds).

    Returns an empty mapping when the extract has no such relations or nothing can be decided.
    """
    relations = _relations(path, str(admin_level))
    if not relations:
        return {}
    lines = _way_lines(path, {way for r in relations.values() for way in r.ways}, box)
    if not lines:
        return {}
    faces = _faces([line for _, line in lines], box)
    owners: dict[int, set[int]] = {}
    for relation_id, relation in relations.items():
        for way in relation.ways:
            owners.setdefault(way, set()).add(relation_id)
    along = [_touching_ways(face, lines) for face in faces]
    candidates = [_likely_owners(lengths, owners, set(relations)) for lengths in along]
    touching = [set(lengths) for lengths in along]
    _decide_by_neighbours(faces, candidates, touching, owners)
    areas: dict[str, list[Polygon]] = {}
    for face, chosen in zip(faces, candidates, strict=True):
        if len(chosen) == 1:
            areas.setdefault(relations[next(iter(chosen))].name, []).append(face)
    result: dict[str, Polygon | MultiPolygon] = {}
    for name, parts in areas.items():
        merged = shapely.union_all(parts)
        if isinstance(merged, Polygon | MultiPolygon) and not merged.is_empty:
            result[name] = merged
    return result


def _relations(path: Path, level: str) -> dict[int, _Relation]:
    relations = {}
    for relation in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if not isinstance(relation, osmium.osm.Relation):
            continue
        tags = relation.tags
        if tags.get("boundary") != "administrative" or tags.get("admin_level") != level:
            continue
        name = tags.get("name")
        ways = frozenset(
            m.ref for m in relation.members if m.type == "w" and m.role in {"outer", "inner", ""}
        )
        if name and ways:
            relations[relation.id] = _Relation(name, ways)
    return relations


def _way_lines(path: Path, wanted: set[int], box: Polygon) -> list[tuple[int, LineString]]:
    """Return ``(way id, line)`` per way part inside the box (a way may leave and re-enter)."""
    lines: list[tuple[int, LineString]] = []
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
    for entity in processor.with_locations():
        if not isinstance(entity, osmium.osm.Way) or entity.id not in wanted:
            continue
        coords = [(n.lon, n.lat) for n in entity.nodes if n.location.valid()]
        if len(coords) < 2:  # noqa: PLR2004 (a line needs two points)
            continue
        inside = LineString(coords).intersection(box)
        lines.extend(
            (entity.id, part)
            for part in shapely.get_parts(inside)
            if isinstance(part, LineString) and part.length > 0
        )
    return lines


def _faces(lines: list[LineString], box: Polygon) -> list[Polygon]:
    """Polygonize the ways and the box's edge, joining loose ends to the edge."""
    ends: dict[tuple[float, float], int] = {}
    for line in lines:
        for x, y in (line.coords[0], line.coords[-1]):
            key = (round(x / GRID), round(y / GRID))
            ends[key] = ends.get(key, 0) + 1
    edge = box.exterior
    connectors = []
    for line in lines:
        for x, y in (line.coords[0], line.coords[-1]):
            point = Point(x, y)
            loose = ends[(round(x / GRID), round(y / GRID))] == 1
            if loose and edge.distance(point) > GRID:
                connectors.append(LineString([point, nearest_points(edge, point)[0]]))
    noded = shapely.union_all([*lines, *connectors, edge], grid_size=GRID)
    pad = box.buffer(GRID * 10, join_style="mitre")
    return [face for face in shapely.polygonize(shapely.get_parts(noded)).geoms if pad.covers(face)]


def _touching_ways(face: Polygon, lines: list[tuple[int, LineString]]) -> dict[int, float]:
    """Return how long the face's edge runs along each way (not ways that only touch a corner)."""
    ring = face.exterior
    near = face.buffer(GRID)
    along: dict[int, float] = {}
    for way, line in lines:
        if line.intersects(near):
            length = ring.intersection(line.buffer(GRID * 5)).length
            if length > MIN_SHARED:
                along[way] = along.get(way, 0.0) + length
    return along


def _likely_owners(
    along: dict[int, float], owners: dict[int, set[int]], everyone: set[int]
) -> set[int]:
    """Return the relations that own (nearly) all of the face's edge along boundary ways.

    Every way along a face's edge belongs to the face's own relation, so it scores the whole
    length; a neighbour scores only its shared stretch. A corner measured as a short stretch
    must not veto the owner, hence "nearly" (``OWNER_SHARE``).
    """
    if not along:
        return set(everyone)
    scores: dict[int, float] = {}
    for way, length in along.items():
        for relation in owners.get(way, ()):
            scores[relation] = scores.get(relation, 0.0) + length
    best = max(scores.values())
    return {relation for relation, score in scores.items() if score >= OWNER_SHARE * best}


def _decide_by_neighbours(
    faces: list[Polygon],
    candidates: list[set[int]],
    touching: list[set[int]],
    owners: dict[int, set[int]],
) -> None:
    """Across a way owned by exactly two relations, a decided face decides its neighbour.

    Two faces are neighbours across a way only when they share a stretch of edge (a face on the
    same side, split off by a joined loose end, shares no edge along the way).
    """
    borders = _borders(faces, touching, owners)
    changed = True
    while changed:
        changed = False
        for (first, second), pair in borders.items():
            for mine, other in ((first, second), (second, first)):
                if len(candidates[mine]) != 1 or len(candidates[other]) < 2:  # noqa: PLR2004
                    continue
                narrowed = candidates[other] & (pair - candidates[mine])
                if narrowed and narrowed != candidates[other]:
                    candidates[other] = narrowed
                    changed = True


def _borders(
    faces: list[Polygon], touching: list[set[int]], owners: dict[int, set[int]]
) -> dict[tuple[int, int], set[int]]:
    """Return ``{(face, face): the two relations of the way between them}``."""
    borders: dict[tuple[int, int], set[int]] = {}
    for first in range(len(faces)):
        for second in range(first + 1, len(faces)):
            shared_ways = touching[first] & touching[second]
            common = [way for way in shared_ways if len(owners.get(way, ())) == BORDER_OWNERS]
            if not common:
                continue
            shared = faces[first].exterior.intersection(faces[second].exterior)
            if shared.length > MIN_SHARED:
                borders[(first, second)] = set(owners[common[0]])
    return borders
