"""Import organisations (by name) and district bindings (which contractor owns which district).

Organisations are matched by name without regard to case; a row with a known name and another
kind updates the kind. A district row names one of the region's districts and the contractor
bound to it; an empty contractor unbinds the district (anyone may work there again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.services.imports import fields
from sitecrew.services.imports.reading import Column
from sitecrew.services.imports.report import Outcome, Plan, Tally, stored_region

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import Region
    from sitecrew.services.imports.reading import RegisterFile, SourceRow
    from sitecrew.services.progress import ProgressCallback

COLUMNS = (
    Column(
        "name", ("organisation", "organization", "navn", "namn", "firma", "company"), required=True
    ),
    Column("kind", ("type", "role", "rolle", "typ", "art"), required=True),
)
DISTRICT_COLUMNS = (
    Column("district", ("name", "bydel", "distrikt", "omrade", "stadsdel", "area"), required=True),
    Column(
        "contractor", ("entreprenor", "entreprenør", "organisation", "leverandor"), required=True
    ),
)
#: Other ways registers write the kinds (Norwegian and Swedish included).
KIND_ALIASES = {
    "eier": OrganisationKind.OWNER,
    "agare": OrganisationKind.OWNER,
    "borettslag": OrganisationKind.OWNER,
    "maker": OrganisationKind.FURNITURE_MAKER,
    "produsent": OrganisationKind.FURNITURE_MAKER,
    "tillverkare": OrganisationKind.FURNITURE_MAKER,
    "entreprenor": OrganisationKind.CONTRACTOR,
    "service": OrganisationKind.SERVICE_PROVIDER,
}


def parse_kind(value: str) -> OrganisationKind:
    """Return the organisation kind a cell names (``contractor``, ``Furniture maker``, ...).

    Raises
    ------
    FieldError
        Listing the kinds, for anything else.
    """
    folded = value.strip().lower().replace("-", "_").replace(" ", "_")
    folded = folded.replace("ø", "o").replace("å", "a").replace("ä", "a")
    try:
        return OrganisationKind(folded)
    except ValueError:
        pass
    if folded in KIND_ALIASES:
        return KIND_ALIASES[folded]
    known = ", ".join(kind.value for kind in OrganisationKind)
    raise fields.FieldError(f"unknown organisation kind {value[:40]!r}; kinds: {known}")


def plan(
    session: Session, register: RegisterFile, _region: Region | None, progress: ProgressCallback
) -> Plan:
    """Plan organisations by name: create new ones, update a changed kind."""
    stored = {row.name.casefold(): row for row in session.scalars(select(m.Organisation))}
    tally, seen = Tally(), dict[str, int]()
    creates: list[m.Organisation] = []
    changes: list[tuple[m.Organisation, str]] = []
    for row in register.rows:
        try:
            name, kind = _organisation(row, seen)
        except fields.FieldError as error:
            tally.reject(row, str(error))
            continue
        existing = stored.get(name.casefold())
        if existing is None:
            creates.append(m.Organisation(name=name, kind=kind.value))
            tally.record(row, Outcome.CREATED)
        elif existing.kind == kind.value:
            tally.record(row, Outcome.UNCHANGED)
        else:
            changes.append((existing, kind.value))
            tally.record(row, Outcome.UPDATED)
    progress("Organisations", len(register.rows), len(register.rows))

    def apply() -> None:
        for row, kind in changes:
            row.kind = kind
        session.add_all(creates)
        session.flush()

    return Plan(tally, apply)


def _organisation(row: SourceRow, seen: dict[str, int]) -> tuple[str, OrganisationKind]:
    if row.problem:
        raise fields.FieldError(row.problem)
    name = fields.required(row.get("name"), "name")
    first = seen.setdefault(name.casefold(), row.line)
    if first != row.line:
        raise fields.FieldError(f"duplicate name {name!r}, first on line {first}")
    return name, parse_kind(row.get("kind"))


def plan_districts(
    session: Session, register: RegisterFile, target: Region | None, progress: ProgressCallback
) -> Plan:
    """Plan district bindings: each named district gets the named contractor (or none)."""
    region = stored_region(target)
    districts = {
        row.name.casefold(): row
        for row in session.scalars(select(m.District).where(m.District.region_id == region.id))
    }
    contractors = {row.name.casefold(): row for row in session.scalars(select(m.Organisation))}
    tally, seen = Tally(), dict[str, int]()
    changes: list[tuple[m.District, int | None]] = []
    for row in register.rows:
        try:
            district, contractor_id = _binding(row, districts, contractors, seen, region)
        except fields.FieldError as error:
            tally.reject(row, str(error))
            continue
        if district.contractor_id == contractor_id:
            tally.record(row, Outcome.UNCHANGED)
        else:
            changes.append((district, contractor_id))
            tally.record(row, Outcome.UPDATED)
    progress("Districts", len(register.rows), len(register.rows))

    def apply() -> None:
        for district, contractor_id in changes:
            district.contractor_id = contractor_id
        session.flush()

    return Plan(tally, apply)


def _binding(
    row: SourceRow,
    districts: dict[str, m.District],
    organisations: dict[str, m.Organisation],
    seen: dict[str, int],
    region: Region,
) -> tuple[m.District, int | None]:
    if row.problem:
        raise fields.FieldError(row.problem)
    name = fields.required(row.get("district"), "district")
    district = districts.get(name.casefold())
    if district is None:
        known = ", ".join(sorted(d.name for d in districts.values())[:30]) or "none"
        raise fields.FieldError(
            f"region {region.slug!r} has no district {name[:60]!r}; its districts: {known}"
        )
    first = seen.get(name.casefold())
    if first is not None:
        raise fields.FieldError(f"district {name!r} is bound on line {first} already")
    contractor_id = _contractor_id(row.get("contractor"), organisations)
    seen[name.casefold()] = row.line  # only a usable row binds the district
    return district, contractor_id


def _contractor_id(contractor_name: str, organisations: dict[str, m.Organisation]) -> int | None:
    if not contractor_name:
        return None
    contractor = organisations.get(contractor_name.casefold())
    if contractor is None:
        raise fields.FieldError(
            f"unknown organisation {contractor_name[:60]!r} (import organisations first)"
        )
    if contractor.kind != OrganisationKind.CONTRACTOR.value:
        raise fields.FieldError(
            f"{contractor.name!r} is a {contractor.kind}, not a contractor; only contractors "
            "are bound to districts"
        )
    return contractor.id
