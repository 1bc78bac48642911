"""Installation projects: ordering new furniture for a site, cancelling it, listing orders.

An order (:mod:`sitecrew.domain.installations`) becomes one job per *part* at the site, made with
it in the same transaction: the order is split into parts of at most one crew-day each
(:func:`~sitecrew.domain.installations.split_into_parts`), so a schoolyard's 16 pieces are
several days' jobs rather than a refusal. Each part's job has the installers' kind and skills (a
driver for the van: each crew is routed as one vehicle, its van), the setup plus its pieces'
minutes, is due from the wanted window's start, and has a ``care_jobs`` row with the window and
the two people it needs, which day planning reads as it reads any care job's.

The order's status is derived from its parts' jobs (:func:`~sitecrew.domain.installations.
order_status`): planning, crews and ``change_job_status`` move each as any job, and a part's job
cancelled there cancels just that part. When a part is done, :mod:`.installing` puts its pieces
in the register. Cancelling an order cancels every part still to do and keeps the parts already
done (their pieces are installed: remove them from the register if they must go); a part under
way (in progress) must be finished or blocked first, and an order with nothing left to cancel
is refused once some part is done.
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
    InstallationPart,
    job_minutes,
    order_status,
    pieces,
    split_into_parts,
)
from sitecrew.domain.jobs import Job, JobStatus, JobTarget, check_transition
from sitecrew.errors import ConflictError, IllegalTransitionError
from sitecrew.events import jobs_changed
from sitecrew.services.scoping import (
    get_changeable,
    get_visible,
    readable_installations,
    require_changer,
    require_region_planner,
)

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: An installation's job is as urgent as most work: the wanted window says when.
INSTALL_PRIORITY = 3
#: Most orders one listing returns (the newest).
MAX_LISTED = 100


@dataclass(frozen=True)
class CancelInstallation:
    """Cancel installation ``installation_id``, read at ``version`` (the order's version)."""

    installation_id: int
    version: int


def create_installation(
    session: Session, principal: Principal, command: CreateInstallation
) -> Installation:
    """Order new pieces for a site the caller plans, and make the jobs (parts) that install them.

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
        row = m.Installation(
            region_id=site.region_id,
            site_id=site.id,
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
        parts = split_into_parts(command.lines)
        job_ids = []
        for number, part in enumerate(parts, start=1):
            job = _add_job(session, site, part, names, start, number=(number, len(parts)))
            session.add(
                m.CareJob(
                    job_id=job.id,
                    action=INSTALL_ACTION,
                    due_from=start,
                    due_by=end,
                    people=INSTALL_PEOPLE,
                )
            )
            session.add(
                m.InstallationPart(
                    installation_id=row.id,
                    part=number,
                    job_id=job.id,
                    pieces=[[line.model_id, line.count] for line in part],
                )
            )
            job_ids.append(job.id)
        session.flush()
        jobs_changed(session, site.region_id, job_ids)
        return _read(session, [row])[0]


def _model_name(session: Session, model_id: int) -> str:
    return get_or_raise(session, m.FurnitureModel, model_id).name


def _add_job(
    session: Session,
    site: m.Site,
    part: tuple[InstallationLine, ...],
    names: dict[int, str],
    start: date,
    *,
    number: tuple[int, int],
) -> m.Job:
    """Store one part's job: validated like any job, then as its row."""
    what = ", ".join(f"{line.count} x {names[line.model_id]}" for line in part)
    of = f" (part {number[0]} of {number[1]})" if number[1] > 1 else ""
    notes = (
        f"Installation{of} of {pieces(part)} new pieces ({what}); "
        f"{INSTALL_PEOPLE} people and the van"
    )
    job = Job(
        INSTALL_KIND,
        JobTarget(site_id=site.id),
        site.region_id,
        job_minutes(part),
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
    """Cancel every part of an order still to do, from the version read (again: no change).

    Parts already done stay done (their pieces are in the register); the order is then done
    with what was installed.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants.
    NotFoundError
        When the installation does not exist or is outside the caller's region.
    ConflictError
        When the version is stale.
    IllegalTransitionError
        When a part is under way (finish or block it first), or every part not cancelled is
        done (the pieces are in: remove them from the register).
    """
    action = "cancel installations"
    with transaction(session):
        row = get_changeable(
            session, principal, m.Installation, command.installation_id, action=action
        )
        jobs = [
            get_visible(session, principal, m.Job, job_id, lock=True)
            for job_id in session.scalars(
                select(m.InstallationPart.job_id)
                .where(m.InstallationPart.installation_id == row.id)
                .order_by(m.InstallationPart.part)
            )
        ]
        version = sum(job.version for job in jobs)
        if version != command.version:
            msg = f"installation {row.id} is at version {version}, not {command.version}"
            raise ConflictError(msg)
        open_jobs = [job for job in jobs if job.status not in _FINAL]
        if not open_jobs and any(job.status == JobStatus.DONE.value for job in jobs):
            raise IllegalTransitionError(
                f"installation {row.id} is done: its pieces are in the register"
            )
        for job in open_jobs:
            check_transition(JobStatus(job.status), JobStatus.CANCELLED)
        for job in open_jobs:
            job.status = JobStatus.CANCELLED.value
        if open_jobs:
            days = session.scalars(
                select(m.InstallationPart.installed_on).where(
                    m.InstallationPart.installation_id == row.id,
                    m.InstallationPart.installed_on.is_not(None),
                )
            ).all()
            if days:  # partly done: the order is finished with what was installed
                row.installed_on = max(day for day in days if day is not None)
            session.flush()
            jobs_changed(session, row.region_id, [job.id for job in open_jobs])
        return _read(session, [row])[0]


#: Job statuses a part stays in.
_FINAL = frozenset({JobStatus.DONE.value, JobStatus.CANCELLED.value})


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
    query = select(m.Installation).where(clause).order_by(m.Installation.id.desc())
    if region_id is not None:
        query = query.where(m.Installation.region_id == region_id)
    if site_id is not None:
        query = query.where(m.Installation.site_id == site_id)
    if status is None:
        return _read(session, list(session.scalars(query.limit(MAX_LISTED))))
    wanted = _with_status(session, query.with_only_columns(m.Installation.id), status)
    rows = session.scalars(
        select(m.Installation)
        .where(m.Installation.id.in_(wanted))
        .order_by(m.Installation.id.desc())
    )
    return _read(session, list(rows))


def _with_status(session: Session, ids: Select[tuple[int]], status: JobStatus) -> list[int]:
    """Return the newest orders among ``ids`` whose status (from their parts) is ``status``."""
    parts: dict[int, list[JobStatus]] = defaultdict(list)
    query = (
        select(m.InstallationPart.installation_id, m.Job.status)
        .join(m.Job, m.Job.id == m.InstallationPart.job_id)
        .where(m.InstallationPart.installation_id.in_(ids.scalar_subquery()))
    )
    for order_id, job_status in session.execute(query):
        parts[order_id].append(JobStatus(job_status))
    found = sorted((o for o, s in parts.items() if order_status(s) is status), reverse=True)
    return found[:MAX_LISTED]


def _read(session: Session, rows: list[m.Installation]) -> list[Installation]:
    """Return the orders with their parts' status and versions, lines and installed pieces."""
    parts: dict[int, list[tuple[m.InstallationPart, str, int]]] = defaultdict(list)
    part_query = (
        select(m.InstallationPart, m.Job.status, m.Job.version)
        .join(m.Job, m.Job.id == m.InstallationPart.job_id)
        .where(m.InstallationPart.installation_id.in_([row.id for row in rows]))
        .order_by(m.InstallationPart.installation_id, m.InstallationPart.part)
    )
    for part, job_status, version in session.execute(part_query):
        parts[part.installation_id].append((part, job_status, version))
    job_ids = [part.job_id for found in parts.values() for part, _, _ in found]
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
    minutes = {
        order_id: {line.model_id: line.minutes_per_piece for line in found}
        for order_id, found in lines.items()
    }
    orders = []
    for row in rows:
        own = [
            InstallationPart(
                part=part.part,
                job_id=part.job_id,
                pieces=tuple(
                    InstallationLine(model_id, count, minutes[row.id][model_id])
                    for model_id, count in part.pieces
                ),
                status=JobStatus(job_status),
                installed_on=part.installed_on,
            )
            for part, job_status, _ in parts[row.id]
        ]
        status = order_status([part.status for part in own])
        days = [part.installed_on for part in own if part.installed_on is not None]
        orders.append(
            Installation(
                id=row.id,
                region_id=row.region_id,
                site_id=row.site_id,
                parts=tuple(own),
                status=status,
                wanted_from=row.wanted_from,
                wanted_to=row.wanted_to,
                lines=tuple(lines[row.id]),
                notes=row.notes,
                installed_on=max(days) if status is JobStatus.DONE and days else None,
                furniture_ids=tuple(sorted(item for part in own for item in items[part.job_id])),
                version=sum(version for _, _, version in parts[row.id]),
            )
        )
    return orders
