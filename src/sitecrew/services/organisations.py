"""Organisations, regions and districts: the who and where that everything else refers to.

Organisations are shared reference data: every planner reads them, only admins change them.
Districts belong to a region and are its planners' to draw and to bind to a contractor, which
decides what that contractor sees. ``register_*``, ``update_*`` and ``delete_*`` are the API's
use cases (caller checked, one transaction); ``create_*`` store what trusted loaders give them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.services._persist import check_version, save
from sitecrew.services._registers import (
    refuse_if_used,
    remove,
    require_overlaps_region,
    require_unique,
)
from sitecrew.services.scoping import get_changeable, require_changer, require_region_planner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.organisations import District, Organisation, Region
    from sitecrew.services.sites import Changes


def create_organisation(session: Session, organisation: Organisation) -> Organisation:
    """Store a new organisation and return it with its id."""
    row = m.Organisation(name=organisation.name, kind=organisation.kind.value)
    return save(session, row).to_domain()


def create_region(session: Session, region: Region) -> Region:
    """Store a new region and return it with its id.

    Raises
    ------
    ConflictError
        When another region has the same slug or title.
    """
    if session.scalar(select(m.Region.id).where(m.Region.slug == region.slug)) is not None:
        raise ConflictError(f"region slug {region.slug!r} is taken; choose another")
    row = m.Region(
        slug=region.slug,
        name=region.name,
        street_region=region.street_region,
        timezone=region.timezone,
        area=to_db_geometry(region.area),
    )
    return save(session, row).to_domain()


def create_district(session: Session, district: District) -> District:
    """Store a new district; its region and contractor must exist.

    Raises
    ------
    NotFoundError
        When the region or contractor does not exist.
    """
    get_or_raise(session, m.Region, district.region_id)
    if district.contractor_id is not None:
        get_or_raise(session, m.Organisation, district.contractor_id)
    row = m.District(
        name=district.name,
        region_id=district.region_id,
        contractor_id=district.contractor_id,
        area=to_db_geometry(district.area),
    )
    return save(session, row).to_domain()


def register_organisation(
    session: Session, principal: Principal, organisation: Organisation
) -> Organisation:
    """Create an organisation (admins only: every region shares them).

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    ConflictError
        When the name is taken.
    """
    with transaction(session):
        require_changer(principal, m.Organisation, action="create organisations")
        name = organisation.name
        require_unique(session, m.Organisation.name, name, row_id=None, what="organisation name")
        return create_organisation(session, organisation)


def update_organisation(session: Session, principal: Principal, changes: Changes) -> Organisation:
    """Rename an organisation or change its kind, if the caller read its current version.

    An organisation stays a contractor while districts are bound to it or contractor tokens
    name it: otherwise those would point at something that is no contractor.

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    NotFoundError
        When it does not exist.
    ConflictError
        When it changed since ``changes.version``, the name is taken, or it is still bound as
        a contractor.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Organisation, changes.id, action="update organisations", lock=True
        )
        check_version(row, changes.version, what="organisation")
        updated = replace(row.to_domain(), **changes.values)
        name = updated.name
        require_unique(session, m.Organisation.name, name, row_id=row.id, what="organisation name")
        if row.kind == OrganisationKind.CONTRACTOR and updated.kind != OrganisationKind.CONTRACTOR:
            uses = {
                "districts": m.District.contractor_id == row.id,
                "contractor tokens": m.ApiToken.organisation_id == row.id,
            }
            refuse_if_used(session, f"contractor {row.id}", uses)
        row.name, row.kind = updated.name, updated.kind.value
        return save(session, row).to_domain()


def delete_organisation(
    session: Session, principal: Principal, organisation_id: int, version: int
) -> None:
    """Delete an organisation nothing refers to.

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    NotFoundError
        When it does not exist.
    ConflictError
        When it changed since ``version``, or sites, districts, crews, furniture models or
        tokens refer to it.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Organisation, organisation_id, action="delete organisations"
        )
        check_version(row, version, what="organisation")
        uses = {
            "sites": m.Site.owner_id == organisation_id,
            "districts": m.District.contractor_id == organisation_id,
            "crews": m.Crew.organisation_id == organisation_id,
            "furniture models": m.FurnitureModel.maker_id == organisation_id,
            "tokens": m.ApiToken.organisation_id == organisation_id,
        }
        refuse_if_used(session, f"organisation {organisation_id}", uses)
        remove(session, row, what=f"organisation {organisation_id}")


def register_district(session: Session, principal: Principal, district: District) -> District:
    """Create a district in a region the caller plans, optionally bound to a contractor.

    Places already registered keep their district; a district drawn over them does not move
    them (edit them to move them).

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region or the contractor does not exist.
    InvalidInputError
        When the area lies outside the region or the organisation is no contractor.
    """
    with transaction(session):
        require_region_planner(principal, district.region_id, action="create districts")
        _check_district(session, district)
        return create_district(session, district)


def update_district(session: Session, principal: Principal, changes: Changes) -> District:
    """Rename, redraw or (un)bind a district to a contractor, from its current version.

    Raises
    ------
    NotFoundError
        When it or the contractor does not exist, or it is outside the caller's region.
    PermissionDeniedError
        For roles that may not change districts.
    ConflictError
        When it changed since ``changes.version``.
    InvalidInputError
        When the area lies outside the region or the organisation is no contractor.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.District, changes.id, action="update districts", lock=True
        )
        check_version(row, changes.version, what="district")
        updated = replace(row.to_domain(), **changes.values)
        _check_district(session, updated)
        row.name, row.contractor_id = updated.name, updated.contractor_id
        row.area = to_db_geometry(updated.area)
        return save(session, row).to_domain()


def delete_district(session: Session, principal: Principal, district_id: int, version: int) -> None:
    """Delete a district no place lies in.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``version``, or buildings, apartments or sites are in it.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.District, district_id, action="delete districts", lock=True
        )
        check_version(row, version, what="district")
        uses = {
            "buildings": m.Building.district_id == district_id,
            "apartments": m.Apartment.district_id == district_id,
            "sites": m.Site.district_id == district_id,
        }
        refuse_if_used(session, f"district {district_id}", uses)
        remove(session, row, what=f"district {district_id}")


def _check_district(session: Session, district: District) -> None:
    require_overlaps_region(session, district.region_id, district.area, what="the district")
    if district.contractor_id is None:
        return
    contractor = get_or_raise(session, m.Organisation, district.contractor_id)
    if contractor.kind != OrganisationKind.CONTRACTOR:
        msg = f"organisation {contractor.id} is a {contractor.kind}, not a contractor"
        raise InvalidInputError(msg)
