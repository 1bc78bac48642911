"""Create an operating region from any OpenStreetMap extract, the way the CLI and the demo do.

A region is its boundary (a box, or the extract's bounds), its own street graph (built from the
same extract, so planning routes on what the region was read from), the OSM address points and
place areas that registers are matched against, and its districts. Everything is checked and
read before the first row is written, then written in one transaction: a refused or failed
``region add`` leaves the database as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import exists, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.geo import BBox
from sitecrew.domain.organisations import Region, normalise_slug, require_country, require_slug
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.places.addresses import ExtractAddresses, addresses_from_extract
from sitecrew.places.boundaries import DistrictOutline, districts_from_geojson, districts_from_osm
from sitecrew.places.extract import Places, places_from_extract
from sitecrew.services.progress import ProgressCallback, no_progress
from sitecrew.services.region_setup_rows import (
    StreetGraphFacts,
    check_bbox,
    default_timezone,
    insert_address_points,
    insert_districts,
    insert_place_areas,
    no_addresses_warning,
    street_graph_for,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings


@dataclass(frozen=True)
class NewRegion:
    """What ``sitecrew region add`` asks for.

    Attributes
    ----------
    slug
        The region's one name (``oslo``, ``malta``).
    extract
        The ``.osm.pbf`` file the region is read from; stored as an absolute path, and the
        region's street graph is built from it.
    title
        Its name for people; the slug when not given.
    bbox
        The region's boundary inside the extract; the extract's bounds when not given. Address
        points and places outside it are not stored; districts are clipped to it.
    country
        ISO 3166 alpha-2 (public holidays).
    timezone
        IANA zone; the country's main zone when not given.
    districts_file, districts_admin_level
        At most one: a GeoJSON FeatureCollection of named polygons, or the OSM
        ``admin_level`` whose administrative areas become districts.
    street_region
        A manifest region (``data/osm/regions.toml``) whose street graph serves the region
        instead of the extract's own (the demo's ``oslo``): the extract path is then not stored
        and no graph is built here.
    """

    slug: str
    extract: Path
    title: str | None = None
    bbox: BBox | None = None
    country: str = "NO"
    timezone: str | None = None
    districts_file: Path | None = None
    districts_admin_level: int | None = None
    street_region: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slug", normalise_slug(self.slug))
        require_slug(self.slug)
        require_country(self.country)
        if self.districts_file is not None and self.districts_admin_level is not None:
            msg = "give districts either as a GeoJSON file or as an OSM admin level, not both"
            raise InvalidInputError(msg)


@dataclass(frozen=True, eq=False)
class RegionSource:
    """Everything read from the extract for one region, before anything is written."""

    boundary: Polygon | MultiPolygon
    places: Places
    addresses: ExtractAddresses
    districts: tuple[DistrictOutline, ...] = ()

    @property
    def roads_only(self) -> bool:
        """Whether the extract was filtered to roads: no building outline at all.

        Such extracts keep a few stray address nodes on the roads (gates, kiosks); matching a
        register against those would reject nearly every row as unknown, so they are not stored
        and the region is one without addresses.
        """
        return not self.addresses.buildings and not self.places.buildings


@dataclass(frozen=True)
class RegionSetupSummary:
    """What ``add_region_from_extract`` wrote (and the places it read, for the demo)."""

    region: Region
    address_points: int
    place_areas: dict[str, int]
    districts: tuple[str, ...]
    street_graph: StreetGraphFacts | None
    seconds: float
    warnings: tuple[str, ...] = ()
    source: RegionSource | None = field(default=None, repr=False, compare=False)

    @property
    def has_addresses(self) -> bool:
        """Whether registers can be matched by address in this region."""
        return self.address_points > 0


def add_region_from_extract(
    session: Session,
    command: NewRegion,
    *,
    osm: OsmSettings,
    progress: ProgressCallback = no_progress,
) -> RegionSetupSummary:
    """Create a region from an extract: boundary, street graph, places, districts (trusted).

    The street graph is built (or found in ``osm.cache_directory``) first, because an extract
    without drivable roads cannot serve a region at all; a roads-only extract is accepted, with
    a warning that address matching is unavailable.

    Raises
    ------
    NotFoundError
        When the extract (or the districts file) does not exist, or no administrative area of
        the level lies in the region.
    StreetGraphError
        When the extract cannot be read or holds no drivable roads.
    ConflictError
        When the slug (or title) is taken.
    InvalidInputError
        When the box reaches outside the extract, or the districts cannot be used.
    """
    started = time.perf_counter()
    _check_free(session, command)
    boundary = check_bbox(command.extract, command.bbox)  # before the slow work: a typo'd box
    graph = None
    if command.street_region is None:
        graph = street_graph_for(command.extract, osm=osm, progress=progress)
    source = read_region_source(command, boundary=boundary, progress=progress)
    summary = add_region_from_source(session, command, source, progress=progress)
    seconds = time.perf_counter() - started
    return RegionSetupSummary(
        summary.region,
        summary.address_points,
        summary.place_areas,
        summary.districts,
        graph,
        round(seconds, 2),
        summary.warnings,
        source,
    )


def read_region_source(
    command: NewRegion,
    *,
    boundary: Polygon | MultiPolygon | None = None,
    progress: ProgressCallback = no_progress,
) -> RegionSource:
    """Read the region's places, addresses and districts from its extract (no database).

    Raises
    ------
    NotFoundError, StreetGraphError, InvalidInputError
        As :func:`add_region_from_extract`.
    """
    if boundary is None:
        boundary = check_bbox(command.extract, command.bbox)
    step = "Reading OpenStreetMap"
    progress(step, 0, 3)
    places = places_from_extract(command.extract)
    progress(step, 1, 3)
    addresses = addresses_from_extract(command.extract)
    progress(step, 2, 3)
    districts: list[DistrictOutline] = []
    if command.districts_file is not None:
        districts = districts_from_geojson(command.districts_file, boundary=boundary)
    elif command.districts_admin_level is not None:
        districts = districts_from_osm(
            command.extract, admin_level=command.districts_admin_level, boundary=boundary
        )
    progress(step, 3, 3)
    names = [district.name for district in districts]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidInputError(f"district names must be unique; repeated: {', '.join(duplicates)}")
    return RegionSource(boundary, places, addresses, tuple(districts))


def add_region_from_source(
    session: Session,
    command: NewRegion,
    source: RegionSource,
    *,
    progress: ProgressCallback = no_progress,
) -> RegionSetupSummary:
    """Write a region read by :func:`read_region_source`, in one transaction (trusted).

    Raises
    ------
    ConflictError
        When the slug or title is taken.
    NotFoundError, InvalidInputError
        When a district names an organisation that is not a contractor in the database.
    """
    started = time.perf_counter()
    region = _region(command, source)
    with transaction(session):
        _check_free(session, command)
        row = m.Region(
            slug=region.slug,
            name=region.name,
            street_region=region.street_region,
            timezone=region.timezone,
            country=region.country,
            extract_path=region.extract_path,
            area=to_db_geometry(region.area),
        )
        session.add(row)
        session.flush()
        step = "Writing places"
        progress(step, 0, 3)
        points = 0
        if not source.roads_only:
            points = insert_address_points(session, row.id, source.addresses, source.boundary)
        progress(step, 1, 3)
        kinds = insert_place_areas(session, row.id, source, source.boundary)
        progress(step, 2, 3)
        districts = insert_districts(session, row.id, source.districts)
        progress(step, 3, 3)
        stored = row.to_domain()
    warnings = () if points else (no_addresses_warning(stored.slug, roads_only=source.roads_only),)
    seconds = round(time.perf_counter() - started, 2)
    return RegionSetupSummary(stored, points, kinds, districts, None, seconds, warnings)


def region_has_addresses(session: Session, region_id: int) -> bool:
    """Return whether the region holds OSM address points (else imports by address are refused).

    A region added from a roads-only extract routes fine but has nothing to match a register's
    street and house number against; importers ask this first and refuse address rows with
    :func:`no_addresses_warning`'s message rather than reject every row as unknown.
    """
    query = select(exists().where(m.AddressPoint.region_id == region_id))
    return bool(session.scalar(query))


def _region(command: NewRegion, source: RegionSource) -> Region:
    return Region(
        name=command.title or command.slug,
        area=source.boundary,
        street_region=command.street_region or command.slug,
        timezone=command.timezone or default_timezone(command.country),
        slug=command.slug,
        country=command.country,
        extract_path=None if command.street_region else str(command.extract.resolve()),
    )


def _check_free(session: Session, command: NewRegion) -> None:
    if session.scalar(select(m.Region.id).where(m.Region.slug == command.slug)) is not None:
        msg = (
            f"region {command.slug!r} exists already; remove it first (`sitecrew region remove "
            f"{command.slug}`) or choose another name"
        )
        raise ConflictError(msg)
    title = command.title or command.slug
    if session.scalar(select(m.Region.id).where(m.Region.name == title)) is not None:
        raise ConflictError(f"another region is titled {title!r}; choose another --title")
