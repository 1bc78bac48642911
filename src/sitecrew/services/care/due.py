"""Generating due care work: one job per site and action for every piece due in the horizon.

For every piece of the region and every plan in force for its model, the next action is due an
interval after it was last done (or after installation); seasonal work moves into its season,
overdue work is due today. The pieces whose window opens within the horizon, and that no
unfinished job covers yet, become one job per site and action (:mod:`sitecrew.domain.care_due`),
with a ``care_jobs`` row (its due window, how overdue, worst grade, people) and a ``job_items``
row per piece. The job's ``due_on`` is the window's start: day planning takes it from that day
on, as it takes any job.

Idempotent: a second run finds the pieces covered by the first run's jobs and makes nothing.
Two runs at once take turns on a lock per region (PostgreSQL: an advisory lock; SQLite: write
transactions are serialised by ``BEGIN IMMEDIATE``), so the second sees the first's jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.care import due_window, next_action_on, require_horizon
from sitecrew.domain.care_due import ItemDue, SiteWork, group_per_site
from sitecrew.domain.jobs import Job, JobStatus, JobTarget
from sitecrew.events import jobs_changed
from sitecrew.services.care.reading import plans_in_force
from sitecrew.services.care.state import RegionCare, read_region_care
from sitecrew.services.scoping import require_region_planner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.care import CarePlan


@dataclass(frozen=True)
class GenerateDueWork:
    """Make the region's care work due within ``horizon_days`` of ``today`` (its local today)."""

    region_id: int
    horizon_days: int
    today: date | None = None

    def __post_init__(self) -> None:
        require_horizon(self.horizon_days)


@dataclass(frozen=True)
class CareWork:
    """A care job that was made: its job, site, action, window, rank facts and pieces."""

    job_id: int
    site_id: int
    action: str
    job_kind: str
    due_from: date
    due_by: date
    days_overdue: int
    worst_grade: int
    duration_minutes: int
    people: int
    priority: int
    furniture_ids: tuple[int, ...]


@dataclass(frozen=True)
class DueReport:
    """What a run made (ranked: overdue first) and what it found already covered."""

    region_id: int
    today: date
    horizon_days: int
    created: tuple[CareWork, ...]
    pieces_due: int
    pieces_already_covered: int


def generate_due_work(
    session: Session, principal: Principal, command: GenerateDueWork
) -> DueReport:
    """Create the jobs for the region's care work due in the horizon (admins, its planners).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and other regions' planners.
    NotFoundError
        When the region does not exist.
    """
    require_region_planner(principal, command.region_id, action="generate due care work")
    with transaction(session):
        region = get_or_raise(session, m.Region, command.region_id)
        lock_key(session, f"care-due:region {region.id}")
        today = command.today or datetime.now(UTC).astimezone(ZoneInfo(region.timezone)).date()
        plans = plans_in_force(session, region.id)
        care = read_region_care(session, region.id, {plan.model_id for plan in plans})
        due, covered = _due_pieces(care, plans, today=today, horizon_days=command.horizon_days)
        works = group_per_site(due)
        created = _create_jobs(session, region.id, works)
        jobs_changed(session, region.id, [work.job_id for work in created])
        return DueReport(region.id, today, command.horizon_days, tuple(created), len(due), covered)


def _due_pieces(
    care: RegionCare, plans: list[CarePlan], *, today: date, horizon_days: int
) -> tuple[list[ItemDue], int]:
    """Return the pieces due within the horizon and not covered, and how many were covered."""
    by_model: dict[int, list[CarePlan]] = {}
    for plan in plans:
        by_model.setdefault(plan.model_id, []).append(plan)
    last_day = today + timedelta(days=horizon_days)
    due, covered = [], 0
    for piece in care.pieces:
        for plan in by_model.get(piece.model_id, ()):
            next_on = next_action_on(
                care.last_done(piece, plan), piece.installed_on, plan.interval_months
            )
            window = due_window(next_on, today=today, season=plan.season)
            if window.start > last_day:
                continue
            if care.is_covered(piece, plan):
                covered += 1
                continue
            cycle = next_on if next_on > date.min else today
            due.append(ItemDue(piece.id, piece.site_id, plan, cycle, window, piece.grade))
    return due, covered


def _create_jobs(session: Session, region_id: int, works: list[SiteWork]) -> list[CareWork]:
    """Store one job, its care row and its item rows per piece of work, in rank order."""
    rows = [_job_row(region_id, work) for work in works]
    session.add_all(rows)
    session.flush()
    for row, work in zip(rows, works, strict=True):
        session.add(
            m.CareJob(
                job_id=row.id,
                action=work.action,
                due_from=work.due_from,
                due_by=work.due_by,
                days_overdue=work.days_overdue,
                worst_grade=work.worst_grade,
                people=work.people,
            )
        )
        session.add_all(
            m.JobItem(
                job_id=row.id,
                furniture_id=item.furniture_id,
                action=work.action,
                cycle_on=item.cycle_on,
            )
            for item in work.items
        )
    session.flush()
    return [_summary(row.id, work) for row, work in zip(rows, works, strict=True)]


def _job_row(region_id: int, work: SiteWork) -> m.Job:
    pieces = len(work.items)
    notes = (
        f"Care: {work.action} of {pieces} piece{'s' if pieces != 1 else ''}, "
        f"due {work.due_from} to {work.due_by}; {work.people} "
        f"{'people' if work.people != 1 else 'person'}"
    )
    job = Job(  # validated like any job (duration, priority, due date, notes)
        work.job_kind,
        JobTarget(site_id=work.site_id),
        region_id,
        work.duration_minutes,
        work.required_skills,
        work.priority,
        work.due_from,
        notes=notes,
    )
    return m.Job(
        region_id=region_id,
        kind=job.kind.value,
        site_id=work.site_id,
        duration_minutes=job.duration_minutes,
        required_skills=sorted(skill.value for skill in job.required_skills),
        priority=job.priority,
        due_on=job.due_on,
        status=JobStatus.OPEN.value,
        notes=job.notes,
    )


def _summary(job_id: int, work: SiteWork) -> CareWork:
    return CareWork(
        job_id=job_id,
        site_id=work.site_id,
        action=work.action,
        job_kind=work.job_kind.value,
        due_from=work.due_from,
        due_by=work.due_by,
        days_overdue=work.days_overdue,
        worst_grade=work.worst_grade,
        duration_minutes=work.duration_minutes,
        people=work.people,
        priority=work.priority,
        furniture_ids=tuple(item.furniture_id for item in work.items),
    )
