"""Furniture items and their maintenance history: use cases and the trusted loaders' writers.

Wear reports feed the maker's product development, so who may write one is as strict as who
may move a bench: planners of the item's region, and a crew only for an item its published
route of today targets, on a date that is not in the future.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from shapely.ops import nearest_points
from sqlalchemy import delete, func, or_, select, update

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Role
from sitecrew.domain.geo import METRES_PER_DEGREE
from sitecrew.domain.jobs import MaintenanceAction
from sitecrew.errors import ConflictError, InvalidInputError, InvalidWearCodeError, NotFoundError
from sitecrew.services._persist import check_version, save
from sitecrew.services.scoping import crew_job_ids, get_changeable, get_visible

if TYPE_CHECKING:
    from shapely.geometry import Point
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.jobs import MaintenanceRecord
    from sitecrew.domain.sites import Furniture, FurnitureModel
    from sitecrew.services.sites import Changes

#: How far an item may stand from its site's area (or, without an area, its point): a bench
#: across the street is still the yard's, one in another district is a typo.
MAX_METRES_FROM_SITE = 250.0
#: Actions that are repairs: every repair carries wear codes (issue 17), so these go through
#: ``services.care.inspections_repairs.record_repair`` instead.
CODED_ACTIONS = frozenset({MaintenanceAction.REPAIRED, MaintenanceAction.REPLACED_PART})
#: Maintenance before this date is not history this product can have.
EARLIEST_MAINTENANCE = date(1990, 1, 1)


def create_furniture(session: Session, principal: Principal, item: Furniture) -> Furniture:
    """Register an installed item on a site the caller plans, near that site.

    Raises
    ------
    NotFoundError
        When the site (in the caller's scope) or the model does not exist.
    PermissionDeniedError
        For roles other than admins and the region's planners.
    InvalidInputError
        When the item stands far from its site.
    ConflictError
        When the serial is already registered.
    """
    with transaction(session):
        site = get_changeable(session, principal, m.Site, item.site_id, action="create furniture")
        _require_near_site(site, item.location)
        return add_furniture(session, item)


def update_furniture(session: Session, principal: Principal, changes: Changes) -> Furniture:
    """Change an item's fields if the caller read its current version.

    Raises
    ------
    NotFoundError
        When the item does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``changes.version``, or the serial is taken.
    InvalidInputError
        When the result breaks a rule (e.g. the item moves away from its site).
    """
    with transaction(session):
        row = get_changeable(session, principal, m.Furniture, changes.id, action="update furniture")
        check_version(row, changes.version, what="furniture")
        updated = replace(row.to_domain(), **changes.values)
        _require_near_site(get_or_raise(session, m.Site, row.site_id), updated.location)
        row.serial, row.condition_grade = updated.serial, updated.condition_grade
        row.installed_on, row.location = updated.installed_on, to_db_geometry(updated.location)
        return save(session, row).to_domain()


def delete_furniture(session: Session, principal: Principal, furniture_id: int) -> None:
    """Delete an item without jobs; its maintenance history goes with it.

    Raises
    ------
    NotFoundError
        When the item does not exist or is outside the caller's region.
    ConflictError
        When jobs still refer to it.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Furniture, furniture_id, action="delete furniture"
        )
        if session.scalar(select(func.count()).where(m.Job.furniture_id == furniture_id)):
            raise ConflictError(f"furniture {furniture_id} still has jobs; cancel them first")
        session.execute(
            delete(m.MaintenanceRecord).where(m.MaintenanceRecord.furniture_id == furniture_id)
        )
        session.delete(row)
        session.flush()


def record_maintenance(
    session: Session, principal: Principal, record: MaintenanceRecord
) -> MaintenanceRecord:
    """Record what was done to an item, by a planner of its region or the crew sent there.

    A crew must name a job of its published route of today that targets the item (or its
    site); planners may record with or without a job. The date may not be in the future (in
    the region's time zone) nor before the item was installed. The crew is taken from the
    token, never from the input.

    Raises
    ------
    NotFoundError
        When the item or job does not exist or is outside the caller's scope.
    PermissionDeniedError
        For contractors, and for crews without a job.
    InvalidInputError
        For a job that targets something else, or an impossible date.
    """
    with transaction(session):
        principal.require(Role.ADMIN, Role.PLANNER, Role.CREW, action="record maintenance")
        if record.action in CODED_ACTIONS:
            msg = (
                "a repair is recorded with recordRepair and its wear codes "
                "(part, failure mode, cause, remedy), not as plain maintenance"
            )
            raise InvalidWearCodeError(msg)
        item = _maintained_item(session, principal, record)
        _check_maintenance_date(session, item, record.performed_on)
        crew_id = principal.crew_id if principal.role is Role.CREW else None
        return add_maintenance_record(session, replace(record, crew_id=crew_id))


def _maintained_item(
    session: Session, principal: Principal, record: MaintenanceRecord
) -> m.Furniture:
    if principal.role is not Role.CREW:
        item = get_changeable(
            session, principal, m.Furniture, record.furniture_id, action="record maintenance"
        )
        if record.job_id is not None:
            _require_job_targets(get_visible(session, principal, m.Job, record.job_id), item)
        return item
    if record.job_id is None:
        raise InvalidInputError("a crew records maintenance for a job on its route: give jobId")
    job = session.scalar(
        select(m.Job).where(
            m.Job.id == record.job_id, m.Job.id.in_(crew_job_ids(principal, today_only=True))
        )
    )
    if job is None:
        raise NotFoundError(f"no job with id {record.job_id} on your route of today")
    item = get_or_raise(session, m.Furniture, record.furniture_id)
    _require_job_targets(job, item)
    return item


def _require_job_targets(job: m.Job, item: m.Furniture) -> None:
    if job.furniture_id == item.id or (job.site_id is not None and job.site_id == item.site_id):
        return
    msg = f"job {job.id} is not about furniture {item.id} or its site"
    raise InvalidInputError(msg)


def _check_maintenance_date(session: Session, item: m.Furniture, performed_on: date) -> None:
    site = get_or_raise(session, m.Site, item.site_id)
    region = get_or_raise(session, m.Region, site.region_id)
    today = datetime.now(UTC).astimezone(ZoneInfo(region.timezone)).date()
    if performed_on > today:
        raise InvalidInputError(
            f"maintenance cannot be recorded for a future date ({performed_on})"
        )
    earliest = max(item.installed_on or EARLIEST_MAINTENANCE, EARLIEST_MAINTENANCE)
    if performed_on < earliest:
        msg = f"maintenance on {performed_on} is before {earliest} (installation or 1990)"
        raise InvalidInputError(msg)


def _require_near_site(site: m.Site, location: Point) -> None:
    reference = from_db_geometry(site.area) or from_db_geometry(site.location)
    if reference.covers(location):
        return
    nearest, _ = nearest_points(reference, location)
    east = (location.x - nearest.x) * math.cos(math.radians(location.y))
    metres = math.hypot(east, location.y - nearest.y) * METRES_PER_DEGREE
    if metres > MAX_METRES_FROM_SITE:
        msg = f"the item is {metres:.0f} m from site {site.id} (at most {MAX_METRES_FROM_SITE:.0f})"
        raise InvalidInputError(msg)


def add_furniture_model(session: Session, model: FurnitureModel) -> FurnitureModel:
    """Store a catalogue product (trusted loaders)."""
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


def add_furniture(session: Session, furniture: Furniture) -> Furniture:
    """Store an installed item as given (trusted loaders); its site and model must exist."""
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


def add_maintenance_record(session: Session, record: MaintenanceRecord) -> MaintenanceRecord:
    """Store a record and move the item's last-maintained date forward, together.

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
        _move_last_maintained(session, furniture.id, record.performed_on)
        return row.to_domain()


def _move_last_maintained(session: Session, furniture_id: int, performed_on: date) -> None:
    """Move the item's last-maintained date forward, never back, in one statement.

    A derived date, so it bypasses the item's version: two crews reporting on one bench at once
    both succeed (the later date wins in the database itself), and neither makes a planner's
    pending edit of the item a conflict.
    """
    column = m.Furniture.last_maintained_on
    session.execute(
        update(m.Furniture)
        .where(m.Furniture.id == furniture_id, or_(column.is_(None), column < performed_on))
        .values(last_maintained_on=performed_on)
        .execution_options(synchronize_session=False)
    )
