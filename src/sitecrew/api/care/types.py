"""Care plans, regional seasons and the due work a run made, as GraphQL types."""

from __future__ import annotations

from datetime import date

import strawberry

from sitecrew.api.types.enums import JobKind, MaintenanceAction, Skill
from sitecrew.domain.care import CarePlan as DomainPlan
from sitecrew.domain.care import RegionSeason
from sitecrew.services.care.due import CareWork, DueReport


@strawberry.type(description="What is done to every piece of a model, how often, when, by whom.")
class CarePlan:
    id: strawberry.ID
    model_id: strawberry.ID
    region_id: strawberry.ID | None = strawberry.field(
        description="Null: the catalogue's default; else that region's own plan, in force there."
    )
    action: str = strawberry.field(description="What is done: oil, inspect, tighten_fixings...")
    job_kind: JobKind
    interval_months: int
    season_start_month: int | None = strawberry.field(
        description="The first month it may be done in (null: any month)."
    )
    season_end_month: int | None = strawberry.field(
        description="The last month it may be done in (before the start: wraps the new year)."
    )
    minutes_per_piece: int
    setup_minutes: int = strawberry.field(description="Paid once per site visit.")
    required_skills: list[Skill]
    people: int
    counted_actions: list[MaintenanceAction] = strawberry.field(
        description="Maintenance records that count as having done it."
    )
    version: int

    @classmethod
    def from_domain(cls, plan: DomainPlan) -> CarePlan:
        """Convert a domain plan."""
        season = plan.season
        return cls(
            id=strawberry.ID(str(plan.id)),
            model_id=strawberry.ID(str(plan.model_id)),
            region_id=None if plan.region_id is None else strawberry.ID(str(plan.region_id)),
            action=plan.action,
            job_kind=plan.job_kind,
            interval_months=plan.interval_months,
            season_start_month=None if season is None else season.start_month,
            season_end_month=None if season is None else season.end_month,
            minutes_per_piece=plan.minutes_per_piece,
            setup_minutes=plan.setup_minutes,
            required_skills=sorted(plan.required_skills),
            people=plan.people,
            counted_actions=sorted(plan.counted_actions),
            version=plan.version,
        )


@strawberry.type(description="A region's own months for a care action.")
class CareSeason:
    id: strawberry.ID
    region_id: strawberry.ID
    action: str
    start_month: int
    end_month: int
    version: int

    @classmethod
    def from_domain(cls, season: RegionSeason) -> CareSeason:
        """Convert a domain season."""
        return cls(
            id=strawberry.ID(str(season.id)),
            region_id=strawberry.ID(str(season.region_id)),
            action=season.action,
            start_month=season.season.start_month,
            end_month=season.season.end_month,
            version=season.version,
        )


@strawberry.type(description="A care job a due run made: one site, one action, its pieces.")
class CareJob:
    job_id: strawberry.ID
    site_id: strawberry.ID
    action: str
    job_kind: JobKind
    due_from: date = strawberry.field(description="The job's due date: planned from this day.")
    due_by: date
    days_overdue: int = strawberry.field(description="How late its most overdue piece is.")
    worst_grade: int = strawberry.field(description="The worst condition among its pieces.")
    duration_minutes: int
    people: int
    priority: int
    furniture_ids: list[strawberry.ID]

    @classmethod
    def from_domain(cls, work: CareWork) -> CareJob:
        """Convert a made job's summary."""
        return cls(
            job_id=strawberry.ID(str(work.job_id)),
            site_id=strawberry.ID(str(work.site_id)),
            action=work.action,
            job_kind=JobKind(work.job_kind),
            due_from=work.due_from,
            due_by=work.due_by,
            days_overdue=work.days_overdue,
            worst_grade=work.worst_grade,
            duration_minutes=work.duration_minutes,
            people=work.people,
            priority=work.priority,
            furniture_ids=[strawberry.ID(str(i)) for i in work.furniture_ids],
        )


@strawberry.type(description="What a due-work run made (overdue first) and what had work already.")
class DueCareWork:
    region_id: strawberry.ID
    today: date
    horizon_days: int
    created: list[CareJob]
    pieces_due: int
    pieces_already_covered: int

    @classmethod
    def from_domain(cls, report: DueReport) -> DueCareWork:
        """Convert the run's report."""
        return cls(
            region_id=strawberry.ID(str(report.region_id)),
            today=report.today,
            horizon_days=report.horizon_days,
            created=[CareJob.from_domain(work) for work in report.created],
            pieces_due=report.pieces_due,
            pieces_already_covered=report.pieces_already_covered,
        )
