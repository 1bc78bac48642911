"""GraphQL types of the wear report: groups, grade shares, failure rates, survival, oil, sites."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

import sitecrew.api.care_inspections.types  # noqa: F401 (registers ConditionGrade first)
from sitecrew.domain.condition import ConditionGrade
from sitecrew.services.care.wear_report_stats import WearGroupBy

if TYPE_CHECKING:
    from sitecrew.services.care import wear_report_stats as s

strawberry.enum(WearGroupBy, description="What a wear report splits its pieces by.")


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="How many of the period's inspections gave a grade, and the share.")
class WearGradeShare:
    grade: ConditionGrade
    count: int
    share: float


@strawberry.type(description="The numbers of one group of pieces (key `all`: every piece).")
class WearGroup:
    key: str
    pieces: int = strawberry.field(description="Installed on or before the period's end.")
    piece_years: float = strawberry.field(description="Years in service within the period.")
    inspections: int
    grades: list[WearGradeShare]
    failures: int = strawberry.field(description="Coded repairs dated in the period.")
    failures_per_piece_year: float | None
    median_days_to_first_repair: float | None = strawberry.field(
        description="Kaplan-Meier median from installation (null: not reached)."
    )

    @classmethod
    def from_domain(cls, group: s.WearGroup) -> WearGroup:
        """Build from ``wear_report_stats.WearGroup``."""
        return cls(
            key=group.key,
            pieces=group.pieces,
            piece_years=group.piece_years,
            inspections=group.inspections,
            grades=[
                WearGradeShare(grade=g.grade, count=g.count, share=g.share) for g in group.grades
            ],
            failures=group.failures,
            failures_per_piece_year=group.failures_per_piece_year,
            median_days_to_first_repair=group.median_days_to_first_repair,
        )


@strawberry.type(description="Coded repairs of one part and failure mode, per piece-year.")
class WearFailureRate:
    part: str
    mode: str
    failures: int
    per_piece_year: float | None


@strawberry.type(description="The Kaplan-Meier estimate at a time since installation.")
class SurvivalPoint:
    days: float
    survival: float
    lower: float = strawberry.field(description="Lower bound of the 95 % confidence band.")
    upper: float = strawberry.field(description="Upper bound of the 95 % confidence band.")
    at_risk: int


@strawberry.type(description="Time to first repair (Kaplan-Meier, censored at the period's end).")
class SurvivalCurve:
    pieces: int
    events: int
    median_days: float | None
    points: list[SurvivalPoint]


@strawberry.type(description="Oil intervals that ended in the period against the planned ones.")
class OilIntervals:
    intervals: int
    median_days: float | None
    mean_days: float | None
    planned_days: float | None
    within_plan_share: float | None


@strawberry.type(description="A site's wear in the period.")
class WearSite:
    site_id: strawberry.ID
    name: str
    kind: str
    district: str | None
    pieces: int
    piece_years: float
    inspections: int
    poor_share: float | None = strawberry.field(
        description="Share of investigated inspections at TG2-TG3."
    )
    failures: int
    failures_per_piece_year: float | None


@strawberry.type(description="Wear per product model for product development (issue 17).")
class WearReport:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    group_by: WearGroupBy
    model_id: strawberry.ID | None
    model: str | None
    region_id: strawberry.ID | None
    total: WearGroup
    groups: list[WearGroup]
    failures: list[WearFailureRate]
    survival: SurvivalCurve
    oil_intervals: OilIntervals
    worst_sites: list[WearSite]

    @classmethod
    def from_domain(cls, report: s.WearReport) -> WearReport:
        """Build from ``wear_report_stats.WearReport``."""
        oil = report.oil
        survival = report.survival
        return cls(
            from_=report.start,
            to=report.end,
            group_by=report.group_by,
            model_id=_id(report.model_id),
            model=report.model,
            region_id=_id(report.region_id),
            total=WearGroup.from_domain(report.total),
            groups=[WearGroup.from_domain(g) for g in report.groups],
            failures=[
                WearFailureRate(
                    part=r.part, mode=r.mode, failures=r.failures, per_piece_year=r.per_piece_year
                )
                for r in report.failures
            ],
            survival=SurvivalCurve(
                pieces=survival.pieces,
                events=survival.events,
                median_days=survival.median_days,
                points=[
                    SurvivalPoint(
                        days=p.days,
                        survival=p.survival,
                        lower=p.lower,
                        upper=p.upper,
                        at_risk=p.at_risk,
                    )
                    for p in survival.points
                ],
            ),
            oil_intervals=OilIntervals(
                intervals=len(oil.intervals),
                median_days=oil.median_days,
                mean_days=oil.mean_days,
                planned_days=oil.planned_days,
                within_plan_share=oil.within_plan_share,
            ),
            worst_sites=[
                WearSite(
                    site_id=strawberry.ID(str(site.site_id)),
                    name=site.name,
                    kind=site.kind,
                    district=site.district,
                    pieces=site.pieces,
                    piece_years=site.piece_years,
                    inspections=site.inspections,
                    poor_share=site.poor_share,
                    failures=site.failures,
                    failures_per_piece_year=site.failures_per_piece_year,
                )
                for site in report.worst_sites
            ],
        )
