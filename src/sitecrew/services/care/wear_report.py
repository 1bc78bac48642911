"""The product-development report (#17 item 5): wear per product model, as data and as CSV.

One use case reads the report's rows in a few queries on one snapshot and aggregates them with
pure functions (:mod:`.wear_report_stats`); the CSV and the HTML (:mod:`.wear_report_html`) are
renderings of the same :class:`WearReport`, so the three agree and the same data give the same
bytes. Access: :func:`sitecrew.services.scoping.wear_report_region`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.rules import require_plausible_date
from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.care.wear_report_rows import Scope, read_wear_rows
from sitecrew.services.care.wear_report_stats import (
    WearGroup,
    WearGroupBy,
    WearReport,
    build_report,
)
from sitecrew.services.scoping import wear_report_region

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: A report longer than this is almost surely a typo in a year.
MAX_PERIOD_DAYS = 50 * 366


@dataclass(frozen=True)
class WearReportQuery:
    """What to report on: a model (or all), a period (both days included), a split, a region."""

    start: date
    end: date
    model_id: int | None = None
    group_by: WearGroupBy = WearGroupBy.MODEL
    region_id: int | None = None

    def __post_init__(self) -> None:
        require_plausible_date(self.start, "report start")
        require_plausible_date(self.end, "report end")
        if self.end < self.start:
            msg = f"the report's end {self.end} is before its start {self.start}"
            raise InvalidInputError(msg)
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise InvalidInputError("a wear report covers at most 50 years")


def wear_report(session: Session, principal: Principal, query: WearReportQuery) -> WearReport:
    """Return the wear report of ``query`` (admins; planners: their region).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, or a planner naming another region.
    NotFoundError
        When the model or the region does not exist.
    """
    region_id = wear_report_region(principal, query.region_id, action="read the wear report")
    with transaction(session):
        model = None
        if query.model_id is not None:
            model = get_or_raise(session, m.FurnitureModel, query.model_id).name
        if region_id is not None:
            get_or_raise(session, m.Region, region_id)
        scope = Scope(query.start, query.end, query.model_id, region_id)
        return build_report(read_wear_rows(session, scope), scope, query.group_by, model)


def model_by_ref(session: Session, ref: str) -> int:
    """Return the id of the catalogue model named ``ref`` (its exact name or its id).

    Raises
    ------
    NotFoundError
        Naming the reference.
    """
    by_id = m.FurnitureModel.id == int(ref) if ref.isdigit() else m.FurnitureModel.id.is_(None)
    found = session.scalar(
        select(m.FurnitureModel.id).where(or_(m.FurnitureModel.name == ref, by_id))
    )
    if found is None:
        raise NotFoundError(f"no furniture model named {ref[:60]!r} (give its name or id)")
    return int(found)


def _number(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _group_rows(section: str, group: WearGroup) -> list[list[str]]:
    rows = [
        [section, group.key, "", "pieces", str(group.pieces)],
        [section, group.key, "", "piece_years", _number(group.piece_years)],
        [section, group.key, "", "inspections", str(group.inspections)],
        [section, group.key, "", "failures", str(group.failures)],
        [section, group.key, "", "failures_per_piece_year", _number(group.failures_per_piece_year)],
        [
            section,
            group.key,
            "",
            "median_days_to_first_repair",
            _number(group.median_days_to_first_repair, 1),
        ],
    ]
    for grade in group.grades:
        rows.append([section, group.key, grade.grade.value, "inspections", str(grade.count)])
        rows.append([section, group.key, grade.grade.value, "share", _number(grade.share)])
    return rows


def wear_report_csv(report: WearReport) -> str:
    """Return the report as one long CSV table: section, group, key, metric, value.

    Long rather than wide so that every part of the report (groups, failure rates, the survival
    curve, oil intervals, worst sites) fits one table a spreadsheet can pivot.
    """
    rows: list[list[str]] = [["section", "group", "key", "metric", "value"]]
    period = f"{report.start.isoformat()}..{report.end.isoformat()}"
    rows.append(["report", "", "", "period", period])
    rows.append(["report", "", "", "model", report.model or "all models"])
    rows.append(["report", "", "", "group_by", report.group_by.value])
    rows.extend(_group_rows("total", report.total))
    for group in report.groups:
        rows.extend(_group_rows("group", group))
    for rate in report.failures:
        key = f"{rate.part}/{rate.mode}"
        rows.append(["failures", "", key, "failures", str(rate.failures)])
        rows.append(["failures", "", key, "per_piece_year", _number(rate.per_piece_year)])
    for point in report.survival.points:
        key = _number(point.days, 0)
        rows.append(["survival", "", key, "survival", _number(point.survival)])
        rows.append(["survival", "", key, "lower_95", _number(point.lower)])
        rows.append(["survival", "", key, "upper_95", _number(point.upper)])
        rows.append(["survival", "", key, "at_risk", str(point.at_risk)])
    oil = report.oil
    rows.append(["oil", "", "", "intervals", str(len(oil.intervals))])
    rows.append(["oil", "", "", "median_days", _number(oil.median_days, 1)])
    rows.append(["oil", "", "", "planned_days", _number(oil.planned_days, 1)])
    rows.append(["oil", "", "", "within_plan_share", _number(oil.within_plan_share)])
    for rank, site in enumerate(report.worst_sites, start=1):
        key = f"{rank}:{site.name}"
        rows.append(["worst_sites", site.kind, key, "failures", str(site.failures)])
        rows.append(
            ["worst_sites", site.kind, key, "per_piece_year", _number(site.failures_per_piece_year)]
        )
        rows.append(["worst_sites", site.kind, key, "poor_share", _number(site.poor_share)])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
