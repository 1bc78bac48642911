"""One region in full (``sitecrew region show``) and removing a region nobody works in yet.

A region's places (address points, place areas) and districts are what ``region add`` made;
buildings, sites, crews, jobs and the rest are operational data someone imported or planned.
Removal takes the first kind with the region and refuses while any of the second exists, naming
what is there, so a typo in a slug never deletes an operation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.organisations import Region
from sitecrew.errors import ConfigurationError, ConflictError, NotFoundError
from sitecrew.services.regions import get_region_by_ref
from sitecrew.streets import store
from sitecrew.streets.regions import extract_path_for, get_region_or_raise

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.services.regions import RegionRef


@dataclass(frozen=True)
class RegionDetails:
    """What ``sitecrew region show`` prints about one region."""

    region: Region
    address_points: int
    place_areas: dict[str, int]
    #: ``(district name, contractor name or None)``, by name.
    districts: tuple[tuple[str, str | None], ...]
    #: Operational data by kind (``buildings``, ``apartments``, ``crews``, ``sites``, ...).
    holds: dict[str, int]
    #: Where the street graph comes from and whether it is built (one line for people).
    street_graph: str


@dataclass(frozen=True)
class RemovedRegion:
    """What ``remove_region`` deleted with the region."""

    slug: str
    address_points: int
    place_areas: int
    districts: int


def region_details(session: Session, ref: RegionRef, *, osm: OsmSettings) -> RegionDetails:
    """Return a region's names, places, districts, operational data and street-graph status.

    Raises
    ------
    NotFoundError
        When no region has that slug or id (listing the known ones).
    """
    region = get_region_by_ref(session, ref)
    region_id = region.id or 0
    kinds = session.execute(
        select(m.PlaceArea.kind, func.count())
        .where(m.PlaceArea.region_id == region_id)
        .group_by(m.PlaceArea.kind)
        .order_by(m.PlaceArea.kind)
    )
    districts = session.execute(
        select(m.District.name, m.Organisation.name)
        .outerjoin(m.Organisation, m.Organisation.id == m.District.contractor_id)
        .where(m.District.region_id == region_id)
        .order_by(m.District.name)
    )
    return RegionDetails(
        region=region,
        address_points=_count(session, m.AddressPoint, m.AddressPoint.region_id == region_id),
        place_areas={str(kind): int(n) for kind, n in kinds},
        districts=tuple((str(name), contractor) for name, contractor in districts),
        holds=operational_counts(session, region_id),
        street_graph=street_graph_status(region, osm=osm),
    )


def remove_region(session: Session, ref: RegionRef) -> RemovedRegion:
    """Delete a region with its address points, place areas and districts, in one transaction.

    Raises
    ------
    NotFoundError
        When no region has that slug or id.
    ConflictError
        When the region holds operational data (buildings, sites, crews, jobs, ...), naming
        how much of each; nothing is deleted then.
    """
    with transaction(session):
        region = get_region_by_ref(session, ref)
        region_id = region.id or 0
        held = {kind: n for kind, n in operational_counts(session, region_id).items() if n}
        if held:
            listed = ", ".join(f"{n} {kind}" for kind, n in held.items())
            msg = (
                f"region {region.slug!r} holds {listed}; it is removed only while it holds no "
                "operational data (remove those first)"
            )
            raise ConflictError(msg)
        removed = RemovedRegion(
            region.slug,
            _delete(session, m.AddressPoint, m.AddressPoint.region_id == region_id),
            _delete(session, m.PlaceArea, m.PlaceArea.region_id == region_id),
            _delete(session, m.District, m.District.region_id == region_id),
        )
        session.execute(delete(m.Region).where(m.Region.id == region_id))
        session.expire_all()
        return removed


def operational_counts(session: Session, region_id: int) -> dict[str, int]:
    """Return how many buildings, apartments, sites, crews, ... a region holds, by kind."""
    return {
        "buildings": _count(session, m.Building, m.Building.region_id == region_id),
        "apartments": _count(
            session,
            m.Apartment,
            m.Apartment.building_id.in_(
                select(m.Building.id).where(m.Building.region_id == region_id)
            ),
        ),
        "sites": _count(session, m.Site, m.Site.region_id == region_id),
        "crews": _count(session, m.Crew, m.Crew.region_id == region_id),
        "depots": _count(session, m.Depot, m.Depot.region_id == region_id),
        "jobs": _count(session, m.Job, m.Job.region_id == region_id),
        "planning runs": _count(session, m.PlanningRun, m.PlanningRun.region_id == region_id),
        "access tokens": _count(session, m.ApiToken, m.ApiToken.region_id == region_id),
    }


def street_graph_status(region: Region, *, osm: OsmSettings) -> str:
    """Return where a region's street graph comes from and whether it is in the cache."""
    if region.extract_path:
        extract = Path(region.extract_path)
        origin = f"own extract {extract}"
    elif region.street_region:
        origin = f"manifest region {region.street_region!r}"
        try:
            manifest = get_region_or_raise(region.street_region, directory=osm.directory)
            extract = extract_path_for(manifest, directory=osm.directory)
        except (NotFoundError, ConfigurationError) as error:
            return f"{origin}: {error}"
    else:
        return "none (no street_region and no extract: planning is refused)"
    if not extract.is_file():
        return f"{origin}: the extract is missing"
    settings = store.BuildSettings()
    folder = store.cache_path_for(extract, settings, cache_directory=osm.cache_directory)
    if not store.is_cached(folder):
        return f"{origin}: not built yet (built on first use, or by `sitecrew region add`)"
    meta = json.loads((folder / store.META_FILE).read_text(encoding="utf-8"))
    return f"{origin}: cached, {meta.get('nodes', '?')} nodes, {meta.get('edges', '?')} edges"


def _count(session: Session, model: Any, condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _delete(session: Session, model: Any, condition: ColumnElement[bool]) -> int:
    count = _count(session, model, condition)
    session.execute(delete(model).where(condition))
    return count
