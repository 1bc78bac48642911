"""Inspections with NS 3424 grades: record one on a job, derive the grade, raise a repair.

One use case, one transaction: the job is checked (a crew's own route of today, see
:func:`sitecrew.services.scoping.get_recordable_care_job`), the item is locked, the components
are checked against the item's family's parts, the inspection is stored, the item's condition
follows its latest investigated inspection, and a TG3 or a worsening trend raises a repair job
unless the item already has an open one. The item's row lock makes that last rule hold when two
crews report on one bench at once (SQLite serialises write transactions anyway).

The inspection is also written to the maintenance history (action ``inspected``) so that the
care plans' cycles (:mod:`sitecrew.services.care`) count it like any recorded inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.condition import (
    ComponentGrade,
    ConditionGrade,
    Inspection,
    Trend,
    repair_need,
    trend_of,
)
from sitecrew.domain.jobs import (
    DEFAULT_MINUTES,
    DEFAULT_SKILLS,
    Job,
    JobKind,
    JobStatus,
    JobTarget,
    MaintenanceAction,
    MaintenanceRecord,
)
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.errors import InvalidWearCodeError
from sitecrew.services import jobs as job_service
from sitecrew.services.care.codes import family_parts
from sitecrew.services.care.inspections_common import check_record_date, locked_item_on_job
from sitecrew.services.care.inspections_reading import (
    InspectionFacts,
    grade_history,
    inspection_facts,
)
from sitecrew.services.care.photos import attach_photos
from sitecrew.services.furniture import add_maintenance_record
from sitecrew.services.scoping import get_recordable_care_job

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Job statuses in which a repair job still stands for the work to do.
OPEN_JOB_STATUSES = frozenset(
    {JobStatus.OPEN, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.BLOCKED}
)


@dataclass(frozen=True)
class RecordInspection:
    """What a crew found on a job: each component's grade, and the photos it uploaded."""

    job_id: int
    furniture_id: int
    inspected_on: date
    components: tuple[ComponentGrade, ...]
    notes: str | None = None
    photo_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class InspectionRecorded:
    """The stored inspection, the item's trend after it, and the repair job it raised."""

    inspection: InspectionFacts
    trend: Trend
    repair_job: Job | None
    #: False when a repair was called for but the item already had an open repair job.
    repair_raised: bool


def record_inspection(
    session: Session, principal: Principal, command: RecordInspection
) -> InspectionRecorded:
    """Record an inspection of an item on a job, update its condition, raise a repair if due.

    Raises
    ------
    PermissionDeniedError
        For contractors and tenants.
    NotFoundError
        When the job is not one the caller may record on (a crew: its route of today), the
        item does not exist, or a photo is not the caller's on this job.
    InvalidInputError
        For a job about another item, a future date or one before installation, a grade
        without its cause and consequence, a part graded twice.
    InvalidWearCodeError
        For a component that is not a part of the item's family.
    """
    with transaction(session):
        job = get_recordable_care_job(
            session, principal, command.job_id, action="record inspections"
        )
        item = locked_item_on_job(session, job, command.furniture_id)
        check_record_date(session, item, command.inspected_on, what="an inspection")
        inspection = Inspection(
            command.furniture_id,
            job.id,
            command.inspected_on,
            command.components,
            command.notes,
            crew_id=principal.crew_id,
        )
        family = FurnitureCategory(get_or_raise(session, m.FurnitureModel, item.model_id).category)
        part_ids = _part_ids(session, family, inspection.components)
        row = _store(session, inspection, part_ids)
        _update_condition(session, item, row)
        trend = trend_of(grade_history(session, item.id))
        repair, raised = _raise_repair(session, job, inspection, trend, row)
        attach_photos(session, principal, command.photo_ids, job.id, inspection_id=row.id)
        return InspectionRecorded(inspection_facts(session, row), trend, repair, raised)


def _part_ids(
    session: Session, family: FurnitureCategory, components: tuple[ComponentGrade, ...]
) -> dict[str, int]:
    parts = family_parts(session, family)
    for component in components:
        if component.part not in parts:
            options = ", ".join(sorted(parts)) or "none"
            msg = f"{component.part!r} is not a part of a {family.value}; choose one of: {options}"
            raise InvalidWearCodeError(msg)
    return parts


def _store(session: Session, inspection: Inspection, part_ids: dict[str, int]) -> m.Inspection:
    row = m.Inspection(
        furniture_id=inspection.furniture_id,
        job_id=inspection.job_id,
        crew_id=inspection.crew_id,
        inspected_on=inspection.inspected_on,
        grade=inspection.grade.value,
        notes=inspection.notes,
    )
    session.add(row)
    session.flush()
    session.add_all(
        m.InspectionComponent(
            inspection_id=row.id,
            part_id=part_ids[component.part],
            grade=component.grade.value,
            cause=component.cause,
            consequence=component.consequence,
        )
        for component in inspection.components
    )
    add_maintenance_record(
        session,
        MaintenanceRecord(
            inspection.furniture_id,
            inspection.inspected_on,
            MaintenanceAction.INSPECTED,
            notes=f"inspection {row.id}: {inspection.grade.value}",
            job_id=inspection.job_id,
            crew_id=inspection.crew_id,
        ),
    )
    return row


def _update_condition(session: Session, item: m.Furniture, row: m.Inspection) -> None:
    """Set the item's grade to this inspection's, unless it found nothing or a later one exists.

    A derived value, so it bypasses the item's version like the last-maintained date does: a
    crew's report never makes a planner's pending edit of the item a conflict.
    """
    level = ConditionGrade(row.grade).level
    if level is None:
        return
    later = session.scalar(
        select(m.Inspection.id).where(
            m.Inspection.furniture_id == item.id,
            m.Inspection.id != row.id,
            m.Inspection.grade != ConditionGrade.TGIU.value,
            m.Inspection.inspected_on > row.inspected_on,
        )
    )
    if later is not None:
        return
    session.execute(
        update(m.Furniture)
        .where(m.Furniture.id == item.id)
        .values(condition_grade=level)
        .execution_options(synchronize_session=False)
    )


def _raise_repair(
    session: Session, job: m.Job, inspection: Inspection, trend: Trend, row: m.Inspection
) -> tuple[Job | None, bool]:
    """Return the repair job the inspection calls for and whether it was created now."""
    need = repair_need(inspection.grade, trend, inspection.inspected_on)
    if need is None:
        return None, False
    open_repair = session.scalar(
        select(m.Job)
        .where(
            m.Job.furniture_id == inspection.furniture_id,
            m.Job.kind == JobKind.REPAIR.value,
            m.Job.status.in_([status.value for status in OPEN_JOB_STATUSES]),
        )
        .order_by(m.Job.id)
    )
    if open_repair is not None:
        return open_repair.to_domain(), False
    worst = [c.part for c in inspection.components if c.grade is inspection.grade]
    repair = job_service.add_job(
        session,
        Job(
            JobKind.REPAIR,
            JobTarget(furniture_id=inspection.furniture_id),
            job.region_id,
            DEFAULT_MINUTES[JobKind.REPAIR],
            DEFAULT_SKILLS[JobKind.REPAIR],
            priority=need.priority,
            due_on=need.due_on,
            notes=f"raised by inspection {row.id}: {need.reason} ({', '.join(worst)})",
        ),
    )
    row.repair_job_id = repair.id
    session.flush()
    return repair, True
