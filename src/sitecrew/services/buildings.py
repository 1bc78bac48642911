"""Apartment buildings and apartments: the API's use cases and the trusted loaders' writers.

``register_*``, ``update_*`` and ``delete_*`` take the caller and check access (admins, and
planners of the building's region), validate and write in one transaction, like sites do;
``create_building`` and ``create_apartment`` store what trusted loaders (the demo) give them.
An apartment stands at its own point (an entrance) or its building's, and its district follows
from that point: the district decides which contractor may see the flat and its jobs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.errors import ConflictError
from sitecrew.services._persist import check_version, save
from sitecrew.services._registers import district_at, refuse_if_used, remove, require_unique
from sitecrew.services.personal_data import api_actor, record_personal_data_event
from sitecrew.services.scoping import get_changeable, get_in_region, require_region_planner
from sitecrew.services.sites import require_inside_region

if TYPE_CHECKING:
    from shapely.geometry import Point
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.buildings import Apartment, Building, TenantContact
    from sitecrew.services.sites import Changes


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


def create_apartment(
    session: Session, apartment: Apartment, *, district_id: int | None = None
) -> Apartment:
    """Store an apartment at its own point (else its building's), in ``district_id`` if given.

    Without ``district_id`` it takes its building's district.
    """
    building = get_or_raise(session, m.Building, apartment.building_id)
    location = apartment.location or from_db_geometry(building.location)
    row = m.Apartment(district_id=district_id if district_id is not None else building.district_id)
    _write_apartment(row, replace(apartment, location=location))
    return save(session, row).to_domain()


def register_building(session: Session, principal: Principal, building: Building) -> Building:
    """Create a building in a region the caller plans, inside that region.

    Its district is the one named (of the same region) or, when none is, the one its point
    lies in.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region or district does not exist or is outside the caller's scope.
    InvalidInputError
        When the building lies outside its region or its district belongs to another.
    ConflictError
        When its OSM id is already registered.
    """
    with transaction(session):
        require_region_planner(principal, building.region_id, action="create buildings")
        placed = _placed_building(session, principal, building)
        require_unique(session, m.Building.osm_id, placed.osm_id, row_id=None, what="OSM id")
        return create_building(session, placed)


def update_building(session: Session, principal: Principal, changes: Changes) -> Building:
    """Change a building's fields if the caller read its current version.

    Raises
    ------
    NotFoundError
        When it (or a district named) does not exist or is outside the caller's region.
    PermissionDeniedError
        For roles that may not change buildings.
    ConflictError
        When it changed since ``changes.version``.
    InvalidInputError
        When it would move out of its region or name another region's district.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Building, changes.id, action="update buildings", lock=True
        )
        check_version(row, changes.version, what="building")
        values = dict(changes.values)
        if "location" in values and "district_id" not in values:
            values["district_id"] = None  # follows the new point
        before = row.to_domain()
        updated = _placed_building(session, principal, replace(before, **values))
        if not updated.location.equals(before.location):
            _move_apartments_along(session, updated, before.location)
        row.address, row.levels, row.district_id = (
            updated.address,
            updated.levels,
            updated.district_id,
        )
        row.location = to_db_geometry(updated.location)
        row.footprint = to_db_geometry(updated.footprint)
        row.entrances = [[point.x, point.y] for point in updated.entrances]
        return save(session, row).to_domain()


def _move_apartments_along(session: Session, building: Building, old: Point) -> None:
    """Move the apartments that stood at the building's old point to its new one.

    Correcting a building's misplaced point corrects its flats too (they took the building's
    point when they had none of their own); flats at an entrance of their own stay. Their
    districts follow the new point (else the building's), and their versions move on.
    """
    found = district_at(session, building.region_id, building.location)
    district_id = found if found is not None else building.district_id
    apartments = session.scalars(select(m.Apartment).where(m.Apartment.building_id == building.id))
    for apartment in apartments:
        if from_db_geometry(apartment.location).equals(old):
            apartment.location = to_db_geometry(building.location)
            apartment.district_id = district_id


def delete_building(session: Session, principal: Principal, building_id: int, version: int) -> None:
    """Delete a building without apartments.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``version`` or still has apartments.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Building, building_id, action="delete buildings", lock=True
        )
        check_version(row, version, what="building")
        uses = {"apartments": m.Apartment.building_id == building_id}
        refuse_if_used(session, f"building {building_id}", uses)
        remove(session, row, what=f"building {building_id}")


def register_apartment(session: Session, principal: Principal, apartment: Apartment) -> Apartment:
    """Create an apartment in a building the caller plans.

    It stands at its own point when given (inside the region), else at its building's.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and planners.
    NotFoundError
        When the building does not exist or is outside the caller's region.
    InvalidInputError
        When its point lies outside the building's region.
    ConflictError
        When the building already has that unit, or the external ref is taken.
    """
    with transaction(session):
        building = get_changeable(
            session, principal, m.Building, apartment.building_id, action="create apartments"
        )
        placed = _placed_apartment(session, building, apartment)
        _require_unique_apartment(session, placed, row_id=None)
        district_id = _apartment_district(session, building, placed)
        stored = create_apartment(session, placed, district_id=district_id)
        _log_tenant_change(session, principal, stored.id, None, stored.tenant)
        return stored


def update_apartment(session: Session, principal: Principal, changes: Changes) -> Apartment:
    """Change an apartment (its tenant contact too) if the caller read its current version.

    Moving it to another building takes that building's point unless a point is given; the
    building must be one the caller may change.

    Raises
    ------
    NotFoundError
        When it or the new building does not exist or is outside the caller's region.
    PermissionDeniedError
        For roles that may not change apartments.
    ConflictError
        When it changed since ``changes.version``, or the unit or external ref is taken.
    InvalidInputError
        When the result breaks a rule (a point outside the region).
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Apartment, changes.id, action="update apartments", lock=True
        )
        check_version(row, changes.version, what="apartment")
        values = dict(changes.values)
        building_id = values.get("building_id", row.building_id)
        if building_id != row.building_id and "location" not in values:
            values["location"] = None  # the new building's point
        building = get_changeable(
            session, principal, m.Building, building_id, action="move apartments"
        )
        updated = _placed_apartment(session, building, replace(row.to_domain(), **values))
        _require_unique_apartment(session, updated, row_id=row.id)
        _log_tenant_change(session, principal, row.id, row.to_domain().tenant, updated.tenant)
        _write_apartment(row, updated)
        row.district_id = _apartment_district(session, building, updated)
        return save(session, row).to_domain()


def delete_apartment(
    session: Session, principal: Principal, apartment_id: int, version: int
) -> None:
    """Delete an apartment without jobs (its tenant contact goes with it).

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's region.
    ConflictError
        When it changed since ``version`` or jobs still refer to it.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.Apartment, apartment_id, action="delete apartments", lock=True
        )
        check_version(row, version, what="apartment")
        uses = {"jobs": m.Job.apartment_id == apartment_id}
        refuse_if_used(session, f"apartment {apartment_id}", uses)
        _log_tenant_change(session, principal, apartment_id, row.to_domain().tenant, None)
        remove(session, row, what=f"apartment {apartment_id}")


def _placed_building(session: Session, principal: Principal, building: Building) -> Building:
    """Check the building lies in its region; fill its district from its point if not given."""
    require_inside_region(session, building.region_id, building.location, what="the building")
    if building.district_id is not None:
        get_in_region(
            session,
            principal,
            m.District,
            building.district_id,
            building.region_id,
            what="district",
        )
        return building
    return replace(
        building, district_id=district_at(session, building.region_id, building.location)
    )


def _placed_apartment(session: Session, building: m.Building, apartment: Apartment) -> Apartment:
    location = apartment.location or from_db_geometry(building.location)
    require_inside_region(session, building.region_id, location, what="the apartment")
    return replace(apartment, building_id=building.id, location=location)


def _apartment_district(session: Session, building: m.Building, apartment: Apartment) -> int | None:
    if apartment.location is None:  # pragma: no cover (placed apartments have points)
        return building.district_id
    found = district_at(session, building.region_id, apartment.location)
    return found if found is not None else building.district_id


def _require_unique_apartment(
    session: Session, apartment: Apartment, *, row_id: int | None
) -> None:
    require_unique(
        session,
        m.Apartment.external_ref,
        apartment.external_ref,
        row_id=row_id,
        what="external ref",
    )
    taken = session.scalar(
        select(m.Apartment.id).where(
            m.Apartment.building_id == apartment.building_id,
            m.Apartment.unit == apartment.unit,
            m.Apartment.id != (row_id or 0),
        )
    )
    if taken is not None:
        msg = f"building {apartment.building_id} already has unit {apartment.unit!r}"
        raise ConflictError(msg)


def _write_apartment(row: m.Apartment, apartment: Apartment) -> None:
    tenant = apartment.tenant
    row.building_id, row.unit, row.floor = apartment.building_id, apartment.unit, apartment.floor
    row.tenant_name = tenant.name if tenant else None
    row.tenant_phone = tenant.phone if tenant else None
    row.tenant_email = tenant.email if tenant else None
    row.installation_status = apartment.installation_status.value
    row.access_notes, row.external_ref = apartment.access_notes, apartment.external_ref
    row.location = to_db_geometry(apartment.location)


def _log_tenant_change(
    session: Session,
    principal: Principal,
    apartment_id: int | None,
    before: TenantContact | None,
    after: TenantContact | None,
) -> None:
    """Log which tenant fields a caller wrote or cleared (names of fields only, no values).

    Tenants' contacts are personal data: like imports and erasures, edits through the API
    leave a line in the personal-data log, in the same transaction as the edit.
    """
    fields = ("name", "phone", "email")
    old = [getattr(before, field) if before else None for field in fields]
    new = [getattr(after, field) if after else None for field in fields]
    written = [f for f, was, now in zip(fields, old, new, strict=True) if now and now != was]
    cleared = [f for f, was, now in zip(fields, old, new, strict=True) if was and not now]
    if not (written or cleared):
        return
    record_personal_data_event(
        session,
        actor=api_actor(principal),
        action="edit:tenant",
        subject=f"apartment/{apartment_id}",
        detail={"fields_written": written, "fields_cleared": cleared},
        apartments=[] if apartment_id is None else [apartment_id],
    )
