"""Sites, the furniture catalogue, furniture items and their maintenance history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.jobs import MaintenanceRecord
    from sitecrew.domain.sites import Furniture, FurnitureModel, Site


def create_site(session: Session, site: Site) -> Site:
    """Store a new site; its region, district and owner must exist.

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


def create_furniture_model(session: Session, model: FurnitureModel) -> FurnitureModel:
    """Store a catalogue product."""
    if model.maker_id is not None:
        get_or_raise(session, m.Organisation, model.maker_id)
    row = m.FurnitureModel(
        name=model.name,
        category=model.category.value,
        material=model.material,
        maintenance_interval_days=model.maintenance_interval_days,
        maker_id=model.maker_id,
    )
    return save(session, row).to_domain()


def create_furniture(session: Session, furniture: Furniture) -> Furniture:
    """Store an installed furniture item; its site and model must exist."""
    get_or_raise(session, m.Site, furniture.site_id)
    get_or_raise(session, m.FurnitureModel, furniture.model_id)
    row = m.Furniture(
        site_id=furniture.site_id,
        model_id=furniture.model_id,
        serial=furniture.serial,
        installed_on=furniture.installed_on,
        condition_grade=furniture.condition_grade,
        last_maintained_on=furniture.last_maintained_on,
        location=to_db_geometry(furniture.location),
    )
    return save(session, row).to_domain()


def record_maintenance(session: Session, record: MaintenanceRecord) -> MaintenanceRecord:
    """Store what was done to an item and move its last-maintained date forward.

    Both writes happen together or not at all.

    Raises
    ------
    NotFoundError
        When the furniture item, job or crew does not exist.
    """
    with transaction(session):
        furniture = get_or_raise(session, m.Furniture, record.furniture_id)
        if record.job_id is not None:
            get_or_raise(session, m.Job, record.job_id)
        if record.crew_id is not None:
            get_or_raise(session, m.Crew, record.crew_id)
        row = m.MaintenanceRecord(
            furniture_id=record.furniture_id,
            job_id=record.job_id,
            crew_id=record.crew_id,
            performed_on=record.performed_on,
            action=record.action.value,
            wear_type=record.wear_type.value,
            severity=record.severity,
            notes=record.notes,
        )
        save(session, row)
        if (
            furniture.last_maintained_on is None
            or furniture.last_maintained_on < record.performed_on
        ):
            furniture.last_maintained_on = record.performed_on
        return row.to_domain()
