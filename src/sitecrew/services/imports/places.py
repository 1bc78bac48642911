"""A region's OSM places for one import: address points to match, districts to assign.

Everything is read once per import (one query per table) and matched in memory: a register of
22,000 flats must not cost 22,000 queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shapely import STRtree
from shapely.geometry import Point
from shapely.prepared import prep
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.places.matching import (
    AddressIndex,
    AddressMismatch,
    KnownAddress,
    MatchQuality,
    RegisterAddress,
)
from sitecrew.services.imports.report import AddressNote

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import Region

#: Rows per ``IN (...)`` list when loading by keys (well below every driver's parameter cap).
CHUNK = 500


@dataclass(frozen=True)
class AddressPoint:
    """One of the region's OSM address points, as an import uses it."""

    key: int
    street: str
    housenumber: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float
    building_ref: str | None
    #: The OSM object the point was read from: ``node/123``.
    osm_ref: str = ""

    @property
    def label(self) -> str:
        """Return the address as written on a door: ``"Thorvald Meyers gate 40B"``."""
        return f"{self.street} {self.housenumber}"

    @property
    def full_label(self) -> str:
        """Return the address with its postcode and city: ``"Markveien 9, 0554 Oslo"``."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return f"{self.label}, {town}" if town else self.label

    @property
    def point(self) -> Point:
        """Return the point (the entrance a crew walks to)."""
        return Point(self.lon, self.lat)


@dataclass(frozen=True)
class Matched:
    """A register address matched to an address point, and how surely."""

    point: AddressPoint
    quality: MatchQuality
    postcode_differs: bool
    #: Similarity of the street names, 0 to 100.
    score: float = 100.0

    @property
    def note(self) -> AddressNote:
        """Return the match as the report file shows it."""
        return AddressNote(
            self.quality.value,
            self.score,
            self.point.full_label,
            self.point.osm_ref,
            postcode_differs=self.postcode_differs,
        )


class RegionAddresses:
    """The address points of one region, indexed for matching register rows."""

    def __init__(self, region: Region, points: list[AddressPoint]) -> None:
        self.region = region
        self.points = {point.key: point for point in points}
        known = (
            KnownAddress(p.key, p.street, p.housenumber, p.postcode, p.city, p.lon, p.lat)
            for p in points
        )
        self._index = AddressIndex(known) if points else None

    def match(self, address: RegisterAddress) -> Matched | str:
        """Return the address point ``address`` means, or the reason there is none."""
        if self._index is None:
            return (
                f"region {self.region.slug!r} has no OSM address points (its extract holds "
                "roads only), so addresses cannot be matched there"
            )
        found = self._index.match(address)
        if isinstance(found, AddressMismatch):
            return found.reason
        point = self.points[found.address.key]
        return Matched(point, found.quality, found.postcode_differs, found.score)


def load_region_addresses(session: Session, region: Region) -> RegionAddresses:
    """Read every address point of ``region`` (one query)."""
    point = m.AddressPoint
    query = select(
        point.id,
        point.street,
        point.housenumber,
        point.postcode,
        point.city,
        func.ST_X(point.location),
        func.ST_Y(point.location),
        point.building_ref,
        point.osm_ref,
    ).where(point.region_id == region.id)
    return RegionAddresses(region, [AddressPoint(*row) for row in session.execute(query)])


class DistrictLocator:
    """Which district of a region a point lies in (prepared outlines, tested in memory)."""

    def __init__(self, session: Session, region_id: int) -> None:
        rows = session.execute(
            select(m.District.id, m.District.area).where(m.District.region_id == region_id)
        )
        self._areas = [(district_id, prep(from_db_geometry(area))) for district_id, area in rows]

    def district_of(self, lon: float, lat: float) -> int | None:
        """Return the id of the district covering the point, ``None`` outside every one."""
        location = Point(lon, lat)
        return next((i for i, area in self._areas if area.covers(location)), None)


@dataclass(frozen=True)
class Area:
    """An OSM area of the region (a building outline, school, park ...)."""

    osm_ref: str
    kind: str
    name: str | None
    address: str | None
    levels: int | None
    #: The stored geometry as read (written back unchanged when it becomes a footprint).
    stored: object


def load_areas_by_ref(session: Session, region_id: int, refs: set[str]) -> dict[str, Area]:
    """Read the areas of ``region_id`` whose OSM refs are in ``refs`` (in chunks)."""
    found: dict[str, Area] = {}
    ordered = sorted(refs)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for row in session.execute(_area_query(region_id).where(m.PlaceArea.osm_ref.in_(chunk))):
            found[row[0]] = Area(*row)
    return found


def load_areas_of_kinds(session: Session, region_id: int, kinds: tuple[str, ...]) -> list[Area]:
    """Read every area of the given kinds in ``region_id``."""
    query = _area_query(region_id).where(m.PlaceArea.kind.in_(kinds))
    return [Area(*row) for row in session.execute(query.order_by(m.PlaceArea.osm_ref))]


def _area_query(region_id: int) -> Select[tuple[str, str, str | None, str | None, int | None, Any]]:
    area = m.PlaceArea
    return select(area.osm_ref, area.kind, area.name, area.address, area.levels, area.area).where(
        area.region_id == region_id
    )


class AreaFinder:
    """The areas covering a point, from an in-memory tree of outlines."""

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self._shapes = [from_db_geometry(area.stored) for area in areas]
        self._tree = STRtree(self._shapes)

    def covering(self, lon: float, lat: float) -> list[tuple[Area, Any]]:
        """Return the areas covering the point with their shapely outlines."""
        location = Point(lon, lat)
        hits = self._tree.query(location, predicate="covered_by")
        return [(self.areas[int(i)], self._shapes[int(i)]) for i in hits]
