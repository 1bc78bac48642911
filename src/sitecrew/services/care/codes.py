"""Wear and failure code lists per product family: read, add, relabel or retire, seed, resolve.

The lists are reference data shared by every region (admins change them, every staff role reads
them: see :mod:`sitecrew.services.scoping`). A code is never deleted: repairs point at it, so a
code that should no longer be used is retired, and a retired code is refused on new repairs
while old repairs keep their meaning. Repairs resolve their four codes here
(:func:`resolve_coding`), so "valid for this family" has one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import case, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_code_catalogue import FAMILY_PARTS, PART_LABELS, label_of
from sitecrew.domain.wear_codes import (
    PARENT_LEVEL,
    WearCode,
    WearCoding,
    WearLevel,
    child_path,
    require_code,
)
from sitecrew.errors import InvalidInputError, InvalidWearCodeError, NotFoundError
from sitecrew.services._persist import check_version, save
from sitecrew.services.scoping import require_wear_code_editor, require_wear_code_reader

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Levels in the order a list shows them.
_LEVEL_ORDER = {level.value: index for index, level in enumerate(WearLevel)}


@dataclass(frozen=True)
class AddWearCode:
    """Add ``code`` at ``level`` under the code at ``parent`` (a path; none for a part)."""

    family: FurnitureCategory
    level: WearLevel
    code: str
    label: str
    parent: str | None = None


@dataclass(frozen=True)
class UpdateWearCode:
    """Relabel or retire (or bring back) a code the caller read at ``version``."""

    id: int
    version: int
    label: str | None = None
    retired: bool | None = None


def list_wear_codes(
    session: Session,
    principal: Principal,
    family: FurnitureCategory,
    *,
    include_retired: bool = False,
) -> list[WearCode]:
    """Return a family's codes, parts first, each level by path.

    Raises
    ------
    PermissionDeniedError
        For tenants.
    """
    require_wear_code_reader(principal, action="read wear codes")
    query = select(m.WearCode).where(m.WearCode.family == family.value)
    if not include_retired:
        query = query.where(m.WearCode.retired.is_(False))
    order = case(_LEVEL_ORDER, value=m.WearCode.level)
    return [row.to_domain() for row in session.scalars(query.order_by(order, m.WearCode.path))]


def add_wear_code(session: Session, principal: Principal, command: AddWearCode) -> WearCode:
    """Add a code to a family's list under its parent (admins).

    Raises
    ------
    PermissionDeniedError
        For every role but admins.
    InvalidInputError
        For a malformed code, or a parent given to a part or missing for another level.
    NotFoundError
        When the parent path is not a code of the right level in that family.
    ConflictError
        When the family already has this code there.
    """
    require_wear_code_editor(principal, action="add wear codes")
    require_code(command.code)
    with transaction(session):
        parent = _parent_of(session, command)
        path = child_path(parent.path if parent else None, command.code)
        code = WearCode(
            command.family,
            command.level,
            command.code,
            command.label.strip(),
            path,
            parent_id=parent.id if parent else None,
        )
        return save(session, _row_of(code)).to_domain()


def _parent_of(session: Session, command: AddWearCode) -> m.WearCode | None:
    parent_level = PARENT_LEVEL[command.level]
    if parent_level is None:
        if command.parent is not None:
            raise InvalidInputError("a part has no parent: leave the parent out")
        return None
    if command.parent is None:
        msg = f"a {command.level.value} code needs its parent {parent_level.value} (a path)"
        raise InvalidInputError(msg)
    parent = session.scalar(
        select(m.WearCode).where(
            m.WearCode.family == command.family.value,
            m.WearCode.level == parent_level.value,
            m.WearCode.path == command.parent,
        )
    )
    if parent is None:
        msg = f"no {parent_level.value} {command.parent!r} in the {command.family.value} codes"
        raise NotFoundError(msg)
    return parent


def update_wear_code(session: Session, principal: Principal, command: UpdateWearCode) -> WearCode:
    """Relabel, retire or bring back a code the caller read at ``command.version`` (admins).

    Raises
    ------
    PermissionDeniedError
        For every role but admins.
    NotFoundError
        When no such code exists.
    ConflictError
        When it changed since ``command.version``.
    """
    require_wear_code_editor(principal, action="change wear codes")
    with transaction(session):
        row = session.get(m.WearCode, command.id)
        if row is None:
            raise NotFoundError(f"no wear code with id {command.id}")
        check_version(row, command.version, what="wear code")
        label = row.label if command.label is None else command.label.strip()
        retired = row.retired if command.retired is None else command.retired
        changed = replace(row.to_domain(), label=label, retired=retired)  # validated again
        row.label, row.retired = changed.label, changed.retired
        return save(session, row).to_domain()


def resolve_coding(
    session: Session, family: FurnitureCategory, coding: WearCoding
) -> dict[WearLevel, int]:
    """Return the ids of a repair's four codes, each checked against the family's tree.

    Raises
    ------
    InvalidWearCodeError
        Naming the first code that is not in the family's list there (or is retired), and the
        codes that are.
    """
    ids: dict[WearLevel, int] = {}
    for level in WearLevel:
        path = coding.path(level)
        row = session.scalar(
            select(m.WearCode).where(
                m.WearCode.family == family.value,
                m.WearCode.level == level.value,
                m.WearCode.path == path,
                m.WearCode.retired.is_(False),
            )
        )
        if row is None:
            raise InvalidWearCodeError(_refusal(session, family, coding, level))
        ids[level] = row.id
    return ids


def _refusal(
    session: Session, family: FurnitureCategory, coding: WearCoding, level: WearLevel
) -> str:
    parent_level = PARENT_LEVEL[level]
    parent_path = coding.path(parent_level) if parent_level else None
    query = select(m.WearCode.code).where(
        m.WearCode.family == family.value,
        m.WearCode.level == level.value,
        m.WearCode.retired.is_(False),
    )
    if parent_path is not None:
        query = query.where(m.WearCode.path.like(f"{parent_path}/%"))
    allowed = sorted(set(session.scalars(query)))
    where = f" under {parent_path!r}" if parent_path else ""
    given = coding.by_level()[level]
    options = ", ".join(allowed) or "none"
    return (
        f"{level.value.replace('_', ' ')} {given!r} is not a {family.value} code{where}; "
        f"choose one of: {options}"
    )


def family_parts(session: Session, family: FurnitureCategory) -> dict[str, int]:
    """Return the family's parts in use (the components an inspection grades), code -> id."""
    rows = session.execute(
        select(m.WearCode.code, m.WearCode.id).where(
            m.WearCode.family == family.value,
            m.WearCode.level == WearLevel.PART.value,
            m.WearCode.retired.is_(False),
        )
    )
    return {code: code_id for code, code_id in rows}  # noqa: C416 (rows, not pairs, to mypy)


def seed_wear_codes(session: Session) -> int:
    """Store the default code lists of every family (trusted loaders); return codes added.

    Idempotent: a code whose path the family already has (retired or relabelled) is left as
    it is, so seeding again never undoes an admin's edits.
    """
    with transaction(session):
        known = {
            (row.family, row.level, row.path): row.id for row in session.scalars(select(m.WearCode))
        }
        added = 0
        for family, parts in FAMILY_PARTS.items():
            for part in parts:
                label, modes = PART_LABELS[part]
                part_id, new = _seeded(session, known, (family, WearLevel.PART, part, label, None))
                added += new
                for mode, (mode_label, causes, remedies) in modes.items():
                    mode_code = (family, WearLevel.FAILURE_MODE, mode, mode_label, part)
                    mode_id, new = _seeded(session, known, mode_code, parent_id=part_id)
                    added += new
                    for level, codes in ((WearLevel.CAUSE, causes), (WearLevel.REMEDY, remedies)):
                        for code in codes:
                            spec = (family, level, code, label_of(code), f"{part}/{mode}")
                            added += _seeded(session, known, spec, parent_id=mode_id)[1]
        return added


def _seeded(
    session: Session,
    known: dict[tuple[str, str, str], int],
    spec: tuple[FurnitureCategory, WearLevel, str, str, str | None],
    *,
    parent_id: int | None = None,
) -> tuple[int, int]:
    """Return the id of a seeded code, storing it if new, and 1 if it was added (else 0)."""
    family, level, code, label, parent_path = spec
    path = child_path(parent_path, code)
    key = (family.value, level.value, path)
    if key in known:
        return known[key], 0
    row = save(session, _row_of(WearCode(family, level, code, label, path, parent_id=parent_id)))
    known[key] = row.id
    return row.id, 1


def _row_of(code: WearCode) -> m.WearCode:
    return m.WearCode(
        family=code.family.value,
        level=code.level.value,
        code=code.code,
        label=code.label,
        path=code.path,
        parent_id=code.parent_id,
        retired=code.retired,
    )
