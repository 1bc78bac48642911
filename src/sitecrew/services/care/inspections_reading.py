"""Reading an item's inspections, repairs, grade and trend (whoever sees the item may)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import aliased

from sitecrew.db import models as m
from sitecrew.domain.condition import ComponentGrade, ConditionGrade, Trend, trend_of
from sitecrew.domain.wear_codes import WearCoding
from sitecrew.services.scoping import get_care_item

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class InspectionFacts:
    """A stored inspection with its components and photos."""

    id: int
    furniture_id: int
    job_id: int
    crew_id: int | None
    inspected_on: date
    grade: ConditionGrade
    components: tuple[ComponentGrade, ...]
    notes: str | None
    repair_job_id: int | None
    photo_ids: tuple[int, ...]


@dataclass(frozen=True)
class RepairFacts:
    """A stored repair with its codes and photos."""

    id: int
    furniture_id: int
    job_id: int
    crew_id: int | None
    performed_on: date
    coding: WearCoding
    notes: str | None
    photo_ids: tuple[int, ...]


@dataclass(frozen=True)
class ItemCondition:
    """An item's current grade, its trend, and its inspections and repairs (newest first)."""

    furniture_id: int
    #: The latest investigated inspection's grade; TGIU when none investigated anything.
    grade: ConditionGrade
    trend: Trend
    inspections: tuple[InspectionFacts, ...]
    repairs: tuple[RepairFacts, ...]


def grade_history(session: Session, furniture_id: int) -> list[ConditionGrade]:
    """Return an item's inspection grades, oldest first (by date, then by when recorded)."""
    query = (
        select(m.Inspection.grade)
        .where(m.Inspection.furniture_id == furniture_id)
        .order_by(m.Inspection.inspected_on, m.Inspection.id)
    )
    return [ConditionGrade(grade) for grade in session.scalars(query)]


def inspection_facts(session: Session, row: m.Inspection) -> InspectionFacts:
    """Return the facts of a stored inspection."""
    part = aliased(m.WearCode)
    components = session.execute(
        select(part.code, m.InspectionComponent)
        .join(part, part.id == m.InspectionComponent.part_id)
        .where(m.InspectionComponent.inspection_id == row.id)
        .order_by(m.InspectionComponent.id)
    )
    return InspectionFacts(
        id=row.id,
        furniture_id=row.furniture_id,
        job_id=row.job_id,
        crew_id=row.crew_id,
        inspected_on=row.inspected_on,
        grade=ConditionGrade(row.grade),
        components=tuple(
            ComponentGrade(code, ConditionGrade(c.grade), c.cause, c.consequence)
            for code, c in components
        ),
        notes=row.notes,
        repair_job_id=row.repair_job_id,
        photo_ids=_photo_ids(session, m.CarePhoto.inspection_id == row.id),
    )


def repair_facts(session: Session, row: m.Repair) -> RepairFacts:
    """Return the facts of a stored repair."""
    ids = [row.part_id, row.failure_mode_id, row.cause_id, row.remedy_id]
    found = session.execute(select(m.WearCode.id, m.WearCode.code).where(m.WearCode.id.in_(ids)))
    codes = {code_id: code for code_id, code in found}  # noqa: C416 (rows, not pairs, to mypy)
    coding = WearCoding(
        codes[row.part_id], codes[row.failure_mode_id], codes[row.cause_id], codes[row.remedy_id]
    )
    return RepairFacts(
        id=row.id,
        furniture_id=row.furniture_id,
        job_id=row.job_id,
        crew_id=row.crew_id,
        performed_on=row.performed_on,
        coding=coding,
        notes=row.notes,
        photo_ids=_photo_ids(session, m.CarePhoto.repair_id == row.id),
    )


def _photo_ids(session: Session, clause: object) -> tuple[int, ...]:
    query = select(m.CarePhoto.id).where(clause).order_by(m.CarePhoto.id)  # type: ignore[arg-type]
    return tuple(session.scalars(query))


def item_condition(session: Session, principal: Principal, furniture_id: int) -> ItemCondition:
    """Return an item's condition: grade, trend, inspections and repairs (newest first).

    Raises
    ------
    NotFoundError
        When the item does not exist or is outside the caller's scope.
    PermissionDeniedError
        For roles that may not see furniture (contractors, tenants).
    """
    item = get_care_item(session, principal, furniture_id)
    inspections = session.scalars(
        select(m.Inspection)
        .where(m.Inspection.furniture_id == item.id)
        .order_by(m.Inspection.inspected_on.desc(), m.Inspection.id.desc())
    ).all()
    repairs = session.scalars(
        select(m.Repair)
        .where(m.Repair.furniture_id == item.id)
        .order_by(m.Repair.performed_on.desc(), m.Repair.id.desc())
    ).all()
    history = [ConditionGrade(row.grade) for row in reversed(inspections)]
    investigated = [grade for grade in history if grade is not ConditionGrade.TGIU]
    return ItemCondition(
        furniture_id=item.id,
        grade=investigated[-1] if investigated else ConditionGrade.TGIU,
        trend=trend_of(history),
        inspections=tuple(inspection_facts(session, row) for row in inspections),
        repairs=tuple(repair_facts(session, row) for row in repairs),
    )
