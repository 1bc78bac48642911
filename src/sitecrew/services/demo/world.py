"""Organisations and the districts of the demo region (the region itself is ``region add``'s)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely
from shapely.prepared import prep

from sitecrew.domain.organisations import District, Organisation, Region
from sitecrew.services import organisations
from sitecrew.services.demo.catalogue import ORGANISATIONS

if TYPE_CHECKING:
    from shapely.geometry import Point
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


def create_world(session: Session, *, region: Region) -> DemoWorld:
    """Create the organisations and six districts of the region ``region add`` made for the demo."""
    organisation_ids = {
        key: organisations.create_organisation(session, Organisation(name, kind)).id or 0
        for key, (name, kind) in ORGANISATIONS.items()
    }
    west, south, east, north = region.area.bounds
    width = (east - west) / 3
    height = (north - south) / 2
    assert region.id is not None  # noqa: S101 (just created)
    districts = []
    for name, column, row in DISTRICT_GRID:
        left, bottom = west + column * width, south + row * height
        area = shapely.box(left, bottom, left + width, bottom + height)
        contractor = organisation_ids["contractor"] if name in CONTRACTOR_DISTRICTS else None
        districts.append(
            organisations.create_district(
                session, District(name, region.id, area, contractor_id=contractor)
            )
        )
    return DemoWorld(organisation_ids, region, tuple(districts))
