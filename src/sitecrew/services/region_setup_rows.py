"""The pieces of ``region add``: box checks, the street graph, and bulk rows of places.

Separate from :mod:`sitecrew.services.region_setup` (the use case) so each stays small; the
rows are written with one ``INSERT`` per table (tens of thousands of address points in seconds).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import shapely
from geoalchemy2.elements import WKBElement
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlalchemy import Table, insert, select

from sitecrew.db import models as m
from sitecrew.db.base import Base
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.geo import SRID
from sitecrew.domain.organisations import District, OrganisationKind
from sitecrew.errors import InvalidInputError, NotFoundError, StreetGraphError
from sitecrew.places.extract import extract_bounds
from sitecrew.streets import store
from sitecrew.streets.network import BUILD_STAGES, build_and_save

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.geo import BBox
    from sitecrew.places.addresses import ExtractAddresses
    from sitecrew.places.boundaries import DistrictOutline
    from sitecrew.services.progress import ProgressCallback
    from sitecrew.services.region_setup import RegionSource

#: How far (degrees, ~10 m) a box may reach past the extract's bounds: rounding in a typed box.
BBOX_TOLERANCE = 1e-4


@dataclass(frozen=True)
class StreetGraphFacts:
    """The street graph a region routes on: its size, and whether it came from the cache."""

    nodes: int
    edges: int
    cached: bool
    seconds: float


def no_addresses_warning(slug: str, *, roads_only: bool = False) -> str:
    """Return what a region without address points means for its imports (CLI and importers)."""
    why = " (its extract holds roads only, no buildings)" if roads_only else ""
    return (
        f"region {slug!r} holds no address points{why}: imports of apartments/furniture by "
        "address will be refused; use lon/lat columns"
    )


def check_bbox(extract: Path, bbox: BBox | None) -> Polygon:
    """Return the region's boundary: ``bbox``, checked to lie inside the extract, or its bounds.

    Raises
    ------
    NotFoundError
        When the extract does not exist.
    StreetGraphError
        When it cannot be read as OpenStreetMap data.
    InvalidInputError
        When ``bbox`` reaches outside the extract's bounds (naming them).
    """
    if not extract.is_file():
        raise NotFoundError(f"OSM extract {extract} does not exist")
    try:
        bounds = extract_bounds(extract)
    except RuntimeError as error:
        msg = f"cannot read {extract.name} as OpenStreetMap data: {error}"
        raise StreetGraphError(msg) from None
    whole = bounds.to_polygon()
    if bbox is None:
        return whole
    box = bbox.to_polygon()
    if not whole.buffer(BBOX_TOLERANCE, join_style="mitre").covers(box):
        shown = ",".join(f"{v:.5f}" for v in (bounds.west, bounds.south, bounds.east, bounds.north))
        where = "outside" if not whole.intersects(box) else "partly outside"
        msg = (
            f"--bbox lies {where} the extract {extract.name}, which covers {shown} "
            "(west,south,east,north); choose a box inside it"
        )
        raise InvalidInputError(msg)
    return box


def street_graph_for(
    extract: Path, *, osm: OsmSettings, progress: ProgressCallback
) -> StreetGraphFacts:
    """Build the extract's street graph into the cache (or find it there); return its size.

    Raises
    ------
    StreetGraphError
        When the extract holds no drivable roads (or is no extract).
    """
    started = time.perf_counter()
    stages: list[str] = []

    def report(stage: str) -> None:
        stages.append(stage)
        if stage in BUILD_STAGES:
            progress("Street graph", BUILD_STAGES.index(stage) + 1, len(BUILD_STAGES))

    try:
        folder = build_and_save(
            extract.resolve(),
            cache_directory=osm.cache_directory,
            settings=store.BuildSettings(),
            progress=report,
        )
    except (ValueError, KeyError) as error:  # osmnx finds nothing to build from
        if isinstance(error, StreetGraphError):
            raise
        msg = f"{extract.name} holds no drivable roads, so no region can route on it ({error})"
        raise StreetGraphError(msg) from None
    progress("Street graph", len(BUILD_STAGES), len(BUILD_STAGES))
    meta = json.loads((folder / store.META_FILE).read_text(encoding="utf-8"))
    return StreetGraphFacts(
        nodes=int(meta.get("nodes", 0)),
        edges=int(meta.get("edges", 0)),
        cached="read extract" not in stages,
        seconds=round(time.perf_counter() - started, 2),
    )


def insert_address_points(
    session: Session,
    region_id: int,
    addresses: ExtractAddresses,
    boundary: Polygon | MultiPolygon,
) -> int:
    """Store the extract's address points inside the boundary; return how many."""
    points = [Point(a.lon, a.lat) for a in addresses.addresses]
    kept = [
        (address, point)
        for address, point, keep in zip(
            addresses.addresses, points, shapely.covers(boundary, points), strict=True
        )
        if keep
    ]
    locations = wkb_elements([point for _, point in kept])
    rows = [
        {
            "region_id": region_id,
            "osm_ref": address.osm_ref,
            "street": address.street[:200],
            "housenumber": address.housenumber[:20],
            "postcode": (address.postcode or "")[:12] or None,
            "city": (address.city or "")[:100] or None,
            "building_ref": address.building_ref,
            "location": location,
        }
        for (address, _), location in zip(kept, locations, strict=True)
    ]
    if rows:  # Core, not ORM, bulk insert: the ORM splits rows by which values are None
        session.execute(insert(_table(m.AddressPoint)), rows)
    return len(rows)


def wkb_elements(geometries: list[Point | Polygon | MultiPolygon]) -> list[WKBElement]:
    """Return bindable WKB values for many geometries at once (polygons become multi).

    What ``to_db_geometry`` does for one, vectorised: tens of thousands of rows in milliseconds.
    """
    if not geometries:
        return []
    multi = [MultiPolygon([g]) if isinstance(g, Polygon) else g for g in geometries]
    return [WKBElement(memoryview(blob), srid=SRID) for blob in shapely.to_wkb(multi)]


def insert_place_areas(
    session: Session,
    region_id: int,
    source: RegionSource,
    boundary: Polygon | MultiPolygon,
) -> dict[str, int]:
    """Store building outlines and school/residential/park/playground areas that meet the region.

    One row per OSM object (the table's key): a way that is both a building and a school is
    kept as the school, with the building's levels.
    """
    rows: dict[str, dict[str, object]] = {}
    for building in source.addresses.buildings:
        if boundary.intersects(building.footprint):
            rows[building.osm_ref] = _area_row(
                region_id,
                osm_ref=building.osm_ref,
                kind="building",
                name=None,
                address=building.address,
                levels=building.levels,
                area=building.footprint,
            )
    for area in source.places.areas:
        if boundary.intersects(area.area):
            levels = rows[area.osm_id]["levels"] if area.osm_id in rows else None
            rows[area.osm_id] = _area_row(
                region_id,
                osm_ref=area.osm_id,
                kind=area.kind,
                name=area.name,
                address=area.address,
                levels=levels,
                area=area.area,
            )
    elements = wkb_elements([row.pop("area") for row in rows.values()])
    for row, element in zip(rows.values(), elements, strict=True):
        row["area"] = element
    if rows:
        session.execute(insert(_table(m.PlaceArea)), list(rows.values()))
    counts: dict[str, int] = {}
    for row in rows.values():
        kind = str(row["kind"])
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def insert_districts(
    session: Session, region_id: int, outlines: tuple[DistrictOutline, ...]
) -> tuple[str, ...]:
    """Store the districts (each validated as a domain district); return their names.

    Raises
    ------
    NotFoundError
        When a district names a contractor organisation the database does not hold.
    InvalidInputError
        When that organisation is not a contractor, or an outline is not a valid area.
    """
    for outline in outlines:
        contractor_id = _contractor_id(session, outline) if outline.contractor else None
        district = District(outline.name[:200], region_id, outline.area, contractor_id)
        session.add(
            m.District(
                name=district.name,
                region_id=region_id,
                contractor_id=district.contractor_id,
                area=to_db_geometry(district.area),
            )
        )
    session.flush()
    return tuple(outline.name for outline in outlines)


def _contractor_id(session: Session, outline: DistrictOutline) -> int:
    row = session.execute(
        select(m.Organisation.id, m.Organisation.kind).where(
            m.Organisation.name == outline.contractor
        )
    ).first()
    if row is None:
        msg = (
            f"district {outline.name!r} names contractor {outline.contractor!r}, which is no "
            "organisation in the database; create it first (or drop the property)"
        )
        raise NotFoundError(msg)
    if row.kind != OrganisationKind.CONTRACTOR.value:
        msg = f"district {outline.name!r}: {outline.contractor!r} is a {row.kind}, not a contractor"
        raise InvalidInputError(msg)
    return int(row.id)


def default_timezone(country: str) -> str:
    """Return the main IANA zone of a country (``NO`` -> ``Europe/Oslo``), from the tz database.

    Raises
    ------
    InvalidInputError
        When the tz database names no zone for it (then ``--timezone`` is needed).
    """
    zone = _country_zones().get(country)
    if zone is None:
        raise InvalidInputError(f"no time zone known for country {country!r}; give --timezone")
    return zone


@cache
def _country_zones() -> dict[str, str]:
    """Return the first zone per country of ``zone.tab`` (its main one).

    The table comes from the ``tzdata`` package (a dependency, so every install has it), else
    from the system's time-zone database (``zoneinfo.TZPATH``).
    """
    import importlib.resources  # noqa: PLC0415
    import zoneinfo  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    zones: dict[str, str] = {"NO": "Europe/Oslo", "SE": "Europe/Stockholm"}
    tables = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError):
        tables.insert(
            0, Path(str(importlib.resources.files("tzdata").joinpath("zoneinfo"))) / "zone.tab"
        )
    text = next((table.read_text() for table in tables if table.is_file()), "")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#"):  # noqa: PLR2004 (code, coordinates, zone)
            zones.setdefault(parts[0], parts[2])
    return zones


def _table(model: type[Base]) -> Table:
    """Return a model's table, for Core bulk inserts."""
    return Base.metadata.tables[model.__tablename__]


def _area_row(
    region_id: int,
    *,
    osm_ref: str,
    kind: str,
    name: str | None,
    address: str | None,
    levels: object,
    area: Polygon | MultiPolygon,
) -> dict[str, object]:
    return {
        "region_id": region_id,
        "osm_ref": osm_ref,
        "kind": kind,
        "name": (name or "")[:200] or None,
        "address": (address or "")[:300] or None,
        "levels": levels,
        "area": area,
    }
