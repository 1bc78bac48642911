"""Organisations and the districts of the demo region (the region itself is ``region add``'s).

The six districts are a 3 x 2 grid drawn around the homes, not around the map: the column
borders cut the region's flats into thirds from west to east, and each column is cut at the
middle of its flats from south to north, so every district holds about a sixth of the homes.
Real districts are drawn around people too; an equal-area grid over Oslo's centre gave the two
eastern districts 42 % of the flats, which made the contractor (five of fifteen installer
crews in the campaign) the campaign's bottleneck by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.prepared import prep

from sitecrew.domain.organisations import District, Organisation, Region
from sitecrew.services import organisations
from sitecrew.services.demo.catalogue import ORGANISATIONS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from shapely.geometry import Point, Polygon
    from sqlalchemy.orm import Session

#: The districts, as (name, column, row) of a 3 x 2 grid over the region (row 0 is south).
DISTRICT_GRID = (
    ("South-West", 0, 0),
    ("South", 1, 0),
    ("South-East", 2, 0),
    ("North-West", 0, 1),
    ("North", 1, 1),
    ("North-East", 2, 1),
)
#: The district block bound to the contractor: the two eastern districts.
CONTRACTOR_DISTRICTS = frozenset({"South-East", "North-East"})


@dataclass(frozen=True)
class DemoWorld:
    """Ids the later demo steps refer to."""

    organisation_ids: dict[str, int]
    region: Region
    districts: tuple[District, ...]

    def district_of(self, point: Point) -> District | None:
        """Return the district containing ``point`` (None outside every district)."""
        for district in self.districts:
            if district.area.covers(point):
                return district
        return None

    def district_ids_for(self, points: list[Point]) -> list[int | None]:
        """Return the district id of each point (fast: prepared polygons)."""
        prepared = [(prep(district.area), district.id) for district in self.districts]
        return [next((i for area, i in prepared if area.covers(p)), None) for p in points]


def create_world(
    session: Session, *, region: Region, homes: Sequence[tuple[Point, int]] = ()
) -> DemoWorld:
    """Create the organisations and six districts of the region ``region add`` made for the demo.

    ``homes`` are the demo's buildings as (location, flats); the districts split them evenly
    (see the module text). Without homes the grid splits the region's bounding box evenly.
    """
    organisation_ids = {
        key: organisations.create_organisation(session, Organisation(name, kind)).id or 0
        for key, (name, kind) in ORGANISATIONS.items()
    }
    assert region.id is not None  # noqa: S101 (just created)
    districts = []
    for (name, _, _), area in zip(DISTRICT_GRID, district_areas(region.area, homes), strict=True):
        contractor = organisation_ids["contractor"] if name in CONTRACTOR_DISTRICTS else None
        districts.append(
            organisations.create_district(
                session, District(name, region.id, area, contractor_id=contractor)
            )
        )
    return DemoWorld(organisation_ids, region, tuple(districts))


def district_areas(region: Polygon, homes: Sequence[tuple[Point, int]]) -> list[Polygon]:
    """Return the areas of :data:`DISTRICT_GRID`, in its order, each with ~1/6 of the flats."""
    west, south, east, north = region.bounds
    xs = np.array([point.x for point, _ in homes], dtype=float)
    ys = np.array([point.y for point, _ in homes], dtype=float)
    flats = np.array([count for _, count in homes], dtype=float)
    columns = [west, *_weighted_cuts(xs, flats, (1 / 3, 2 / 3), west, east), east]
    areas = {}
    for name, column, row in DISTRICT_GRID:
        left, right = columns[column], columns[column + 1]
        inside = (xs >= left) & ((xs < right) | (right == east))
        (middle,) = _weighted_cuts(ys[inside], flats[inside], (0.5,), south, north)
        bottom, top = (south, middle) if row == 0 else (middle, north)
        areas[name] = shapely.box(left, bottom, right, top)
    return [areas[name] for name, _, _ in DISTRICT_GRID]


def _weighted_cuts(
    values: np.ndarray, weights: np.ndarray, shares: tuple[float, ...], low: float, high: float
) -> list[float]:
    """Return the cuts leaving ``shares`` of the weight below them (even cuts with no weight).

    A cut falls halfway between the two homes it separates, so no home lies on a border.
    """
    if values.size == 0 or weights.sum() <= 0:
        return [low + share * (high - low) for share in shares]
    order = np.argsort(values, kind="stable")
    ordered, cumulative = values[order], np.cumsum(weights[order]) / weights.sum()
    cuts = []
    for share in shares:
        index = min(int(np.searchsorted(cumulative, share)), ordered.size - 1)
        following = ordered[index + 1] if index + 1 < ordered.size else high
        cuts.append(float((ordered[index] + following) / 2))
    return cuts
