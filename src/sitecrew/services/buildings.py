"""Apartment buildings and apartments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.buildings import Apartment, Building


def create_building(session: Session, building: Building) -> Building:
    """Store a building; its region and district must exist."""
    get_or_raise(session, m.Region, building.region_id)
    if building.district_id is not None:
        get_or_raise(session, m.District, building.district_id)
    row = m.Building(
        region_id=building.region_id,
        district_id=building.district_id,
        osm_id=building.osm_id,
        address=building.address,
        levels=building.levels,
        entrances=[[point.x, point.y] for point in building.entrances],
        location=to_db_geometry(building.location),
        footprint=to_db_geometry(building.footprint),
    )
    return save(session, row).to_domain()


def create_apartment(session: Session, apartment: Apartment) -> Apartment:
    """Store an apartment at its building's location and district."""
    building = get_or_raise(session, m.Building, apartment.building_id)
    tenant = apartment.tenant
    row = m.Apartment(
        building_id=building.id,
        district_id=building.district_id,
        unit=apartment.unit,
        floor=apartment.floor,
        tenant_name=tenant.name if tenant else None,
        tenant_phone=tenant.phone if tenant else None,
        tenant_email=tenant.email if tenant else None,
        installation_status=apartment.installation_status.value,
        access_notes=apartment.access_notes,
        location=building.location,
    )
    return save(session, row).to_domain()
