"""Sites: the use cases that create, change and delete them, and the trusted loaders' writer.

Each use case takes the caller and checks access, validates and writes in one transaction on
one snapshot (convention 16): the row it checks is the row it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.services._persist import check_version, save
from sitecrew.services.scoping import get_changeable, require_region_planner

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.sites import Site


@dataclass(frozen=True)
class Changes:
    """A partial update of one row: its id, the version the client read, the new values.

    ``values`` uses the domain's field names; omitted fields stay as they are.
    """

    id: int
    version: int
    values: dict[str, Any]


def create_site(session: Session, principal: Principal, site: Site) -> Site:
    """Create a site in a region the caller plans, inside that region's area.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region, district or owner does not exist.
    InvalidInputError
        When the site lies outside its region or its district belongs to another region.
    """
    with transaction(session):
        require_region_planner(principal, site.region_id, action="create sites")
        _check_placement(session, site)
        return add_site(session, site)


def update_site(session: Session, principal: Principal, changes: Changes) -> Site:
    """Change a site's fields if the caller read its current version.

    Raises
    ------
    NotFoundError
        When the site does not exist or is outside the caller's region.
    PermissionDeniedError
        For roles that may not change sites.
    ConflictError
        When the site changed since the caller read ``changes.version``.
    InvalidInputError
        When the result breaks a rule (e.g. the site moves out of its region).
    """
    with transaction(session):
        row = get_changeable(session, principal, m.Site, changes.id, action="update sites")
        check_version(row, changes.version, what="site")
        updated = replace(row.to_domain(), **changes.values)
        _check_placement(session, updated)
        row.name, row.kind, row.address = updated.name, updated.kind.value, updated.address
        row.access_notes = updated.access_notes
        row.location = to_db_geometry(updated.location)
        row.area = to_db_geometry(updated.area)
        return save(session, row).to_domain()


def delete_site(session: Session, principal: Principal, site_id: int) -> None:
    """Delete a site that has no furniture and no jobs left.

    Raises
    ------
    NotFoundError
        When the site does not exist or is outside the caller's region.
    PermissionDeniedError
        For roles that may not delete sites.
    ConflictError
        Naming what still refers to the site.
    """
    with transaction(session):
        row = get_changeable(session, principal, m.Site, site_id, action="delete sites")
        items = session.scalar(select(func.count()).where(m.Furniture.site_id == site_id))
        jobs = session.scalar(select(func.count()).where(m.Job.site_id == site_id))
        if items or jobs:
            msg = (
                f"site {site_id} still has {items} furniture items and {jobs} jobs; move them first"
            )
            raise ConflictError(msg)
        session.delete(row)
        session.flush()


def require_inside_region(
    session: Session, region_id: int, geometry: BaseGeometry, *, what: str
) -> None:
    """Refuse a place outside its region's area (a typo'd coordinate, another city).

    Raises
    ------
    NotFoundError
        When the region does not exist.
    InvalidInputError
        When ``geometry`` is not inside the region's area.
    """
    region = get_or_raise(session, m.Region, region_id)
    area = from_db_geometry(region.area)
    if area is not None and not area.covers(geometry):
        msg = f"{what} lies outside region {region.name!r}; check the coordinates"
        raise InvalidInputError(msg)


def _check_placement(session: Session, site: Site) -> None:
    require_inside_region(session, site.region_id, site.location, what="the site")
    if site.area is not None:
        require_inside_region(session, site.region_id, site.area, what="the site's area")
    if site.district_id is not None:
        district = get_or_raise(session, m.District, site.district_id)
        if district.region_id != site.region_id:
            msg = f"district {district.id} belongs to another region than the site"
            raise InvalidInputError(msg)
    if site.owner_id is not None:
        get_or_raise(session, m.Organisation, site.owner_id)


def add_site(session: Session, site: Site) -> Site:
    """Store a site as given: for trusted loaders (the demo, imports), no caller to check.

    Raises
    ------
    NotFoundError
        When a referenced region, district or owner does not exist.
    """
    get_or_raise(session, m.Region, site.region_id)
    if site.district_id is not None:
        get_or_raise(session, m.District, site.district_id)
    if site.owner_id is not None:
        get_or_raise(session, m.Organisation, site.owner_id)
    row = m.Site(
        name=site.name,
        kind=site.kind.value,
        region_id=site.region_id,
        district_id=site.district_id,
        owner_id=site.owner_id,
        address=site.address,
        access_notes=site.access_notes,
        osm_id=site.osm_id,
        location=to_db_geometry(site.location),
        area=to_db_geometry(site.area),
    )
    return save(session, row).to_domain()
