"""Organisations, regions and districts: the who and where that everything else refers to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.errors import ConflictError
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import District, Organisation, Region


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
