"""Installation projects: ordering new furniture for a site, cancelling it, listing orders.

An order (:mod:`sitecrew.domain.installations`) becomes one job at the site, made with it in
the same transaction: the installers' kind and skills (a driver for the van: each crew is routed
as one vehicle, its van), the setup plus each piece's minutes, due from the wanted window's
start, and a ``care_jobs`` row with the window and the two people it needs, which day planning
reads as it reads any care job's. The job's status is the order's: planning, crews and
``change_job_status`` move it as any job, and a job cancelled there cancels the order. When it
is done, :mod:`.installing` puts the pieces in the register.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.installations import (
    INSTALL_ACTION,
    INSTALL_KIND,
    INSTALL_PEOPLE,
    INSTALL_SKILLS,
    CreateInstallation,
    Installation,
    InstallationLine,
    job_minutes,
    pieces,
)
from sitecrew.domain.jobs import Job, JobStatus, JobTarget, check_transition
from sitecrew.events import jobs_changed
from sitecrew.services._persist import check_version
from sitecrew.services.scoping import (
    get_changeable,
    get_visible,
    readable_installations,
    require_changer,
    require_region_planner,
)

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: An installation's job is as urgent as most work: the wanted window says when.
INSTALL_PRIORITY = 3
#: Most orders one listing returns (the newest).
MAX_LISTED = 100


@dataclass(frozen=True)
class CancelInstallation:
    """Cancel installation ``installation_id``, read at ``version`` (its job's version)."""

    installation_id: int
    version: int


def create_installation(
    session: Session, principal: Principal, command: CreateInstallation
) -> Installation:
    """Order new pieces for a site the caller plans, and make the job that installs them.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, and planners of another region than the site's.
    NotFoundError
        When the site is unknown or outside the caller's region, or a model is unknown.
    InvalidInputError
        When the wanted window ends before it starts.
    """
    action = "order installations"
    require_changer(principal, m.Installation, action=action)
    with transaction(session):
        site = get_visible(session, principal, m.Site, command.site_id)
        require_region_planner(principal, site.region_id, action=action)
        names = {line.model_id: _model_name(session, line.model_id) for line in command.lines}
        region = session.get_one(m.Region, site.region_id)
        today = datetime.now(UTC).astimezone(ZoneInfo(region.timezone)).date()
        start, end = command.window(today)
        job = _add_job(session, site, command, names, start)
        session.add(
            m.CareJob(
                job_id=job.id,
                action=INSTALL_ACTION,
                due_from=start,
                due_by=end,
                people=INSTALL_PEOPLE,
            )
        )
        row = m.Installation(
            region_id=site.region_id,
            site_id=site.id,
            job_id=job.id,
            wanted_from=start,
            wanted_to=end,
            notes=command.notes,
        )
        session.add(row)
        session.flush()
        session.add_all(
            m.InstallationLine(
                installation_id=row.id,
                model_id=line.model_id,
                count=line.count,
                minutes_per_piece=line.minutes_per_piece,
            )
            for line in command.lines
        )
        session.flush()
        jobs_changed(session, site.region_id, [job.id])
        return _read(session, [row])[0]


def _model_name(session: Session, model_id: int) -> str:
    return get_or_raise(session, m.FurnitureModel, model_id).name


def _add_job(
    session: Session,
    site: m.Site,
    command: CreateInstallation,
    names: dict[int, str],
    start: date,
) -> m.Job:
    """Store the order's job: validated like any job, then as its row."""
    what = ", ".join(f"{line.count} x {names[line.model_id]}" for line in command.lines)
    notes = (
        f"Installation of {pieces(command.lines)} new pieces ({what}); "
        f"{INSTALL_PEOPLE} people and the van"
    )
    job = Job(
        INSTALL_KIND,
        JobTarget(site_id=site.id),
        site.region_id,
        job_minutes(command.lines),
        INSTALL_SKILLS,
        INSTALL_PRIORITY,
        start,
        notes=notes,
    )
    row = m.Job(
        region_id=site.region_id,
        kind=job.kind.value,
        site_id=site.id,
        duration_minutes=job.duration_minutes,
        required_skills=sorted(skill.value for skill in job.required_skills),
        priority=job.priority,
        due_on=job.due_on,
        status=JobStatus.OPEN.value,
        notes=job.notes,
    )
    session.add(row)
    session.flush()
    return row


def cancel_installation(
    session: Session, principal: Principal, command: CancelInstallation
) -> Installation:
    """Cancel an order and its job, from the version read (again: no change).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants.
    NotFoundError
        When the installation does not exist or is outside the caller's region.
    ConflictError
        When the version is stale.
    IllegalTransitionError
        When the job is already done (the pieces are in: remove them from the register).
    """
    action = "cancel installations"
    with transaction(session):
        row = get_changeable(
            session, principal, m.Installation, command.installation_id, action=action
        )
        job = get_visible(session, principal, m.Job, row.job_id, lock=True)
        check_version(job, command.version, what="installation")
        if job.status != JobStatus.CANCELLED.value:
            check_transition(JobStatus(job.status), JobStatus.CANCELLED)
            job.status = JobStatus.CANCELLED.value
            session.flush()
            jobs_changed(session, row.region_id, [job.id])
        return _read(session, [row])[0]


def list_installations(
    session: Session,
    principal: Principal,
    *,
    region_id: int | None = None,
    site_id: int | None = None,
    status: JobStatus | None = None,
) -> list[Installation]:
    """Return the orders the caller plans (newest first, at most 100), by region, site, status.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, or a planner asking about another region.
    """
    action = "read installations"
    clause = readable_installations(principal, action=action)
    if region_id is not None:
        require_region_planner(principal, region_id, action=action)
    query = (
        select(m.Installation)
        .join(m.Job, m.Job.id == m.Installation.job_id)
        .where(clause)
        .order_by(m.Installation.id.desc())
    )
    if region_id is not None:
        query = query.where(m.Installation.region_id == region_id)
    if site_id is not None:
        query = query.where(m.Installation.site_id == site_id)
    if status is not None:
        query = query.where(m.Job.status == status.value)
    return _read(session, list(session.scalars(query.limit(MAX_LISTED))))


def _read(session: Session, rows: list[m.Installation]) -> list[Installation]:
    """Return the orders with their jobs' status and version, lines and installed pieces."""
    job_ids = [row.job_id for row in rows]
    jobs = {
        job_id: (status, version)
        for job_id, status, version in session.execute(
            select(m.Job.id, m.Job.status, m.Job.version).where(m.Job.id.in_(job_ids))
        )
    }
    lines: dict[int, list[InstallationLine]] = defaultdict(list)
    line_query = (
        select(m.InstallationLine)
        .where(m.InstallationLine.installation_id.in_([row.id for row in rows]))
        .order_by(m.InstallationLine.model_id)
    )
    for line in session.scalars(line_query):
        lines[line.installation_id].append(
            InstallationLine(line.model_id, line.count, line.minutes_per_piece)
        )
    items: dict[int, list[int]] = defaultdict(list)
    item_query = (
        select(m.JobItem.job_id, m.JobItem.furniture_id)
        .where(m.JobItem.job_id.in_(job_ids), m.JobItem.action == INSTALL_ACTION)
        .order_by(m.JobItem.furniture_id)
    )
    for job_id, furniture_id in session.execute(item_query):
        items[job_id].append(furniture_id)
    return [
        Installation(
            id=row.id,
            region_id=row.region_id,
            site_id=row.site_id,
            job_id=row.job_id,
            status=JobStatus(jobs[row.job_id][0]),
            wanted_from=row.wanted_from,
            wanted_to=row.wanted_to,
            lines=tuple(lines[row.id]),
            notes=row.notes,
            installed_on=row.installed_on,
            furniture_ids=tuple(items[row.job_id]),
            version=jobs[row.job_id][1],
        )
        for row in rows
    ]
