"""The rows a wear report is computed from, read in a few queries (no caller: trusted).

One query per kind of fact, each limited to the report's pieces by one subquery: the pieces
(with their model, site and district), the period's inspections, the period's coded repairs,
each piece's first repair, and the oilings. Everything after this is pure aggregation
(:mod:`.wear_report_stats`), so the same data always give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from sitecrew.db import models as m
from sitecrew.domain.care import add_months
from sitecrew.domain.jobs import JobKind, MaintenanceAction
from sitecrew.services.care.reading import plans_in_force

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Maintenance records that are a repair (every coded repair also writes one ``repaired``).
REPAIR_ACTIONS = (MaintenanceAction.REPAIRED.value, MaintenanceAction.REPLACED_PART.value)


@dataclass(frozen=True)
class Scope:
    """Which pieces a report covers: one model or all, one region or all, up to ``end``."""

    start: date
    end: date
    model_id: int | None = None
    region_id: int | None = None


@dataclass(frozen=True)
class PieceRow:
    """A piece in service, with what the report groups it by."""

    id: int
    installed_on: date | None
    model_id: int
    model: str
    material: str
    site_id: int
    site: str
    site_kind: str
    district: str | None
    region_id: int


PIECE_FIELDS = tuple(PieceRow.__dataclass_fields__)


@dataclass(frozen=True)
class RepairRow:
    """A coded repair of the period: the part and failure mode it was about."""

    furniture_id: int
    performed_on: date
    part: str
    mode: str


@dataclass(frozen=True)
class OilPlan:
    """The oiling cycle planned for a model in a region, and what counts as an oiling."""

    interval_months: int
    action: str
    counted: tuple[str, ...]

    def planned_days(self, after: date) -> int:
        """Return the planned days from an oiling on ``after`` to the next."""
        return (add_months(after, self.interval_months) - after).days


@dataclass(frozen=True)
class WearRows:
    """Every fact a report needs."""

    pieces: list[PieceRow]
    inspections: list[tuple[int, date, str]]
    repairs: list[RepairRow]
    first_repairs: dict[int, date]
    oilings: dict[int, list[date]]
    oil_plans: dict[tuple[int, int], OilPlan]


def read_wear_rows(session: Session, scope: Scope) -> WearRows:
    """Read the scope's pieces and their inspections, repairs and oilings."""
    pieces = _pieces(session, scope)
    ids = _piece_ids(scope)
    plans = _oil_plans(session, pieces)
    return WearRows(
        pieces=pieces,
        inspections=_inspections(session, ids, scope),
        repairs=_repairs(session, ids, scope),
        first_repairs=_first_repairs(session, ids, scope.end),
        oilings=_oilings(session, ids, scope.end, plans),
        oil_plans=plans,
    )


def _filters(scope: Scope) -> list[Any]:
    furniture = m.Furniture
    clauses: list[Any] = [
        or_(furniture.installed_on.is_(None), furniture.installed_on <= scope.end)
    ]
    if scope.model_id is not None:
        clauses.append(furniture.model_id == scope.model_id)
    if scope.region_id is not None:
        clauses.append(m.Site.region_id == scope.region_id)
    return clauses


def _piece_ids(scope: Scope) -> Any:
    return (
        select(m.Furniture.id)
        .join(m.Site, m.Site.id == m.Furniture.site_id)
        .where(*_filters(scope))
        .scalar_subquery()
    )


def _pieces(session: Session, scope: Scope) -> list[PieceRow]:
    query = (
        select(
            m.Furniture.id,
            m.Furniture.installed_on,
            m.FurnitureModel.id,
            m.FurnitureModel.name,
            m.FurnitureModel.material,
            m.Site.id,
            m.Site.name,
            m.Site.kind,
            m.District.name,
            m.Site.region_id,
        )
        .join(m.FurnitureModel, m.FurnitureModel.id == m.Furniture.model_id)
        .join(m.Site, m.Site.id == m.Furniture.site_id)
        .outerjoin(m.District, m.District.id == m.Site.district_id)
        .where(*_filters(scope))
        .order_by(m.Furniture.id)
    )
    fields = [dict(zip(PIECE_FIELDS, row, strict=True)) for row in session.execute(query)]
    return [PieceRow(**values) for values in fields]


def _inspections(session: Session, ids: Any, scope: Scope) -> list[tuple[int, date, str]]:
    row = m.Inspection
    query = (
        select(row.furniture_id, row.inspected_on, row.grade)
        .where(row.furniture_id.in_(ids), row.inspected_on.between(scope.start, scope.end))
        .order_by(row.furniture_id, row.inspected_on, row.id)
    )
    return [(item, day, grade) for item, day, grade in session.execute(query)]


def _repairs(session: Session, ids: Any, scope: Scope) -> list[RepairRow]:
    part = aliased(m.WearCode)
    mode = aliased(m.WearCode)
    repair = m.Repair
    query = (
        select(repair.furniture_id, repair.performed_on, part.path, mode.code)
        .join(part, part.id == repair.part_id)
        .join(mode, mode.id == repair.failure_mode_id)
        .where(repair.furniture_id.in_(ids), repair.performed_on.between(scope.start, scope.end))
        .order_by(repair.furniture_id, repair.performed_on, repair.id)
    )
    return [RepairRow(*row) for row in session.execute(query)]


def _first_repairs(session: Session, ids: Any, end: date) -> dict[int, date]:
    """Return each piece's first repair up to ``end``: coded, or in the maintenance history."""
    coded = select(m.Repair.furniture_id, func.min(m.Repair.performed_on)).where(
        m.Repair.furniture_id.in_(ids), m.Repair.performed_on <= end
    )
    record = m.MaintenanceRecord
    recorded = select(record.furniture_id, func.min(record.performed_on)).where(
        record.furniture_id.in_(ids), record.action.in_(REPAIR_ACTIONS), record.performed_on <= end
    )
    first: dict[int, date] = {}
    for query in (coded.group_by(m.Repair.furniture_id), recorded.group_by(record.furniture_id)):
        for item, day in session.execute(query):
            first[item] = min(day, first.get(item, day))
    return first


def _oil_plans(session: Session, pieces: list[PieceRow]) -> dict[tuple[int, int], OilPlan]:
    """Return the oiling plan in force per (region, model) of the pieces.

    A region without an oiling plan for a model falls back to the model's service interval
    (in whole months), counting ``oiled`` records: the catalogue's own promise.
    """
    models = {piece.model_id for piece in pieces}
    found: dict[tuple[int, int], OilPlan] = {}
    for region_id in sorted({piece.region_id for piece in pieces}):
        for plan in plans_in_force(session, region_id):
            if plan.model_id in models and plan.job_kind is JobKind.OIL:
                counted = tuple(sorted(a.value for a in plan.counted_actions))
                found[region_id, plan.model_id] = OilPlan(
                    plan.interval_months, plan.action, counted
                )
    missing = {(p.region_id, p.model_id) for p in pieces} - set(found)
    if missing:
        query = select(m.FurnitureModel.id, m.FurnitureModel.maintenance_interval_days).where(
            m.FurnitureModel.id.in_({model for _, model in missing})
        )
        days: dict[int, int] = dict(session.execute(query).all())
        for region_id, model_id in missing:
            months = max(1, round(days[model_id] / 30.44))
            found[region_id, model_id] = OilPlan(months, "oil", (MaintenanceAction.OILED.value,))
    return found


def _oilings(
    session: Session, ids: Any, end: date, plans: dict[tuple[int, int], OilPlan]
) -> dict[int, list[date]]:
    """Return each piece's distinct oiling days up to ``end``, oldest first.

    An oiling is a maintenance record of an action an oiling plan counts, or a completed care
    job that listed the piece for an oiling plan's action.
    """
    counted = sorted({a for plan in plans.values() for a in plan.counted})
    actions = sorted({plan.action for plan in plans.values()})
    record = m.MaintenanceRecord
    days: dict[int, set[date]] = {}
    queries = (
        select(record.furniture_id, record.performed_on).where(
            record.furniture_id.in_(ids), record.action.in_(counted), record.performed_on <= end
        ),
        select(m.JobItem.furniture_id, m.JobItem.done_on).where(
            and_(
                m.JobItem.furniture_id.in_(ids),
                m.JobItem.action.in_(actions),
                m.JobItem.done_on.is_not(None),
                m.JobItem.done_on <= end,
            )
        ),
    )
    for query in queries:
        for item, day in session.execute(query):
            if day is not None:
                days.setdefault(item, set()).add(day)
    return {item: sorted(found) for item, found in sorted(days.items())}
