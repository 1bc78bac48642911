"""The writes of an apartment import: new buildings, new flats and changed flats, in bulk.

Inserts go through executemany (one round trip per batch); updates are one UPDATE statement
run for every changed flat, each bumping the flat's version only if the version read when the
import planned is still the stored one. A flat changed by someone else meanwhile makes the
whole import a Conflict, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point
from sqlalchemy import Table, bindparam, func, insert, select, update

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.errors import ConflictError
from sitecrew.services.imports.places import AddressPoint, load_areas_by_ref
from sitecrew.services.imports.reading import SourceRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.imports.places import Area
    from sitecrew.services.progress import ProgressCallback

#: Coordinates agree when closer than this (degrees; about a millimetre).
SAME_POINT = 1e-8
LEVELS_RANGE = range(1, 201)
#: Core tables: the ORM's bulk insert ran one INSERT per row on PostgreSQL (it fetches server
#: defaults back), Core's executemany sends them in batches of many rows.
_TABLE: Table = m.Apartment.__table__  # type: ignore[assignment]
_BUILDINGS: Table = m.Building.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Flat:
    """An accepted row: the flat as the register has it, at its matched address point."""

    row: SourceRow
    ref: str
    unit: str
    floor: int | None
    #: (name, phone, e-mail), or ``None`` when the file has no tenant columns (kept as stored).
    tenant: tuple[str | None, str | None, str | None] | None
    point: AddressPoint
    building_key: tuple[float, float]
    district_id: int | None
    quality: str
    #: The register's postcode disagreed with OSM's (matched on street and number).
    postcode_differs: bool = False


@dataclass(frozen=True)
class Stored:
    """A flat already in the database under the same ``external_ref``."""

    ref: str
    id: int
    building_id: int
    unit: str
    floor: int | None
    tenant_name: str | None
    tenant_phone: str | None
    tenant_email: str | None
    district_id: int | None
    lon: float
    lat: float
    version: int
    region_id: int

    def same_as(self, flat: Flat, building_id: int | None, *, with_tenant: bool) -> bool:
        """Tell whether importing ``flat`` would change nothing."""
        tenant = (self.tenant_name, self.tenant_phone, self.tenant_email)
        return (
            building_id == self.building_id
            and flat.unit == self.unit
            and flat.floor == self.floor
            and flat.district_id == self.district_id
            and abs(flat.point.lon - self.lon) < SAME_POINT
            and abs(flat.point.lat - self.lat) < SAME_POINT
            and (not with_tenant or flat.tenant == tenant)
        )


def write_apartments(
    session: Session,
    *,
    region_id: int,
    inserts: list[Flat],
    updates: list[tuple[Stored, Flat]],
    new_buildings: dict[tuple[float, float], tuple[AddressPoint, int | None]],
    progress: ProgressCallback,
) -> None:
    """Write the planned buildings and flats.

    Raises
    ------
    ConflictError
        When a flat to update was changed by someone else since it was read.
    """
    step, total = "Writing", len(new_buildings) + len(inserts) + len(updates)
    progress(step, 0, total)
    building_ids = _building_ids(session, region_id, new_buildings)
    progress(step, len(new_buildings), total)
    if inserts:
        rows = [_apartment_values(flat, building_ids[flat.building_key]) for flat in inserts]
        session.connection().execute(insert(_TABLE), rows)
    progress(step, len(new_buildings) + len(inserts), total)
    if updates:
        _update_flats(session, updates, building_ids)
    progress(step, total, total)


def _building_ids(
    session: Session,
    region_id: int,
    new_buildings: dict[tuple[float, float], tuple[AddressPoint, int | None]],
) -> dict[tuple[float, float], int]:
    """Create the buildings not stored yet; return every building key's id."""
    if new_buildings:
        refs = {p.building_ref for p, _ in new_buildings.values() if p.building_ref}
        outlines = load_areas_by_ref(session, region_id, refs)
        rows = [
            _building_values(region_id, point, district, outlines.get(point.building_ref or ""))
            for point, district in new_buildings.values()
        ]
        session.connection().execute(insert(_BUILDINGS), rows)
    return buildings_by_point(session, region_id)


def _building_values(
    region_id: int, point: AddressPoint, district_id: int | None, outline: Area | None
) -> dict[str, Any]:
    levels = outline.levels if outline is not None and outline.kind == "building" else None
    footprint = outline.stored if outline is not None and outline.kind == "building" else None
    return {
        "region_id": region_id,
        "district_id": district_id,
        "address": point.label,
        "postcode": point.postcode,
        "city": point.city,
        "levels": levels if levels in LEVELS_RANGE else None,
        "entrances": [[point.lon, point.lat]],
        "location": to_db_geometry(Point(point.lon, point.lat)),
        "footprint": footprint,
    }


def _apartment_values(flat: Flat, building_id: int) -> dict[str, Any]:
    name, phone, email = flat.tenant or (None, None, None)
    return {
        "building_id": building_id,
        "district_id": flat.district_id,
        "unit": flat.unit,
        "floor": flat.floor,
        "tenant_name": name,
        "tenant_phone": phone,
        "tenant_email": email,
        "location": to_db_geometry(Point(flat.point.lon, flat.point.lat)),
        "external_ref": flat.ref,
    }


def _update_flats(
    session: Session,
    updates: list[tuple[Stored, Flat]],
    building_ids: dict[tuple[float, float], int],
) -> None:
    changed = [
        "building_id", "district_id", "unit", "floor", "location",
        "tenant_name", "tenant_phone", "tenant_email",
    ]  # fmt: skip
    statement = (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version"))
        .values(
            {name: bindparam(f"b_{name}", type_=_TABLE.c[name].type) for name in changed}
            | {"version": _TABLE.c.version + 1}
        )
    )
    rows = []
    for stored, flat in updates:
        values = _apartment_values(flat, building_ids[flat.building_key])
        if flat.tenant is None:  # no tenant columns in the file: keep what is stored
            values |= {
                "tenant_name": stored.tenant_name,
                "tenant_phone": stored.tenant_phone,
                "tenant_email": stored.tenant_email,
            }
        rows.append(
            {f"b_{name}": values[name] for name in changed}
            | {"b_id": stored.id, "b_version": stored.version}
        )
    _free_units(session, updates, building_ids)
    result = session.connection().execute(statement, rows)
    dialect = session.get_bind().dialect
    if dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
        msg = "flats of this register were changed by someone else meanwhile; import again"
        raise ConflictError(msg)


def buildings_by_point(session: Session, region_id: int) -> dict[tuple[float, float], int]:
    """Return the region's buildings by their point (the lowest id where two share one)."""
    query = select(
        m.Building.id, func.ST_X(m.Building.location), func.ST_Y(m.Building.location)
    ).where(m.Building.region_id == region_id)
    found: dict[tuple[float, float], int] = {}
    for building_id, lon, lat in session.execute(query.order_by(m.Building.id)):
        found.setdefault(point_key(lon, lat), building_id)
    return found


def point_key(lon: float, lat: float) -> tuple[float, float]:
    """Return the key a building is found by: its point, rounded far below a millimetre."""
    return (round(lon, 9), round(lat, 9))


def _free_units(
    session: Session,
    updates: list[tuple[Stored, Flat]],
    building_ids: dict[tuple[float, float], int],
) -> None:
    """Park the flats that change building or unit on a unit no one has, first.

    A register may swap two flats' units, or give one flat's unit to another that moves in;
    with the unique (building, unit) rule checked row by row, the final UPDATE would refuse the
    first of them while the second still held the unit.
    """
    moving = [
        {"b_id": stored.id, "b_unit": f"~{stored.id}"}
        for stored, flat in updates
        if (building_ids[flat.building_key], flat.unit) != (stored.building_id, stored.unit)
    ]
    if moving:
        park = (
            update(_TABLE).where(_TABLE.c.id == bindparam("b_id")).values(unit=bindparam("b_unit"))
        )
        session.connection().execute(park, moving)
