"""Where each piece of a region stands in its care cycles: last done, and whether work is open.

When an action was last done is the latest of: a maintenance record of an action the plan
counts (the register's history, a crew's record) and a completed care job that covered the
piece for that action (:mod:`.completion` stamps its items). A piece never done counts from its
installation.

Work counts as already there (so nothing is made twice) when a job that is not cancelled and
not yet done covers the piece: a care job that lists it for the action, a job of the plan's kind
aimed at the piece itself, or one aimed at its site that lists no pieces (made by hand).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain.jobs import JobKind, JobStatus, MaintenanceAction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.care import CarePlan

#: Jobs still to be done: they cover their pieces until done (or cancelled: then they do not).
OPEN_STATUSES = (
    JobStatus.OPEN.value,
    JobStatus.SCHEDULED.value,
    JobStatus.IN_PROGRESS.value,
    JobStatus.BLOCKED.value,
)


@dataclass(frozen=True)
class Piece:
    """A furniture item of the region: where it is, its model, installation and condition."""

    id: int
    site_id: int
    model_id: int
    installed_on: date | None
    grade: int


@dataclass(frozen=True)
class RegionCare:
    """What the due-work run needs to know about a region's pieces, read in a few queries."""

    pieces: list[Piece]
    records: dict[tuple[int, MaintenanceAction], date]
    done: dict[tuple[int, str], date]
    covered: set[tuple[int, str]]
    kinds_on_pieces: set[tuple[int, JobKind]]
    kinds_on_sites: set[tuple[int, JobKind]]

    def last_done(self, piece: Piece, plan: CarePlan) -> date | None:
        """Return when the plan's action was last done to the piece (``None``: never)."""
        days = [self.records.get((piece.id, a)) for a in plan.counted_actions]
        days.append(self.done.get((piece.id, plan.action)))
        return max((day for day in days if day is not None), default=None)

    def is_covered(self, piece: Piece, plan: CarePlan) -> bool:
        """Tell whether unfinished work already covers the piece for the plan's action."""
        return (
            (piece.id, plan.action) in self.covered
            or (piece.id, plan.job_kind) in self.kinds_on_pieces
            or (piece.site_id, plan.job_kind) in self.kinds_on_sites
        )


def read_region_care(session: Session, region_id: int, model_ids: set[int]) -> RegionCare:
    """Read the region's pieces of ``model_ids`` with their history and open work."""
    in_region = select(m.Site.id).where(m.Site.region_id == region_id)
    pieces = [
        Piece(*row)
        for row in session.execute(
            select(
                m.Furniture.id,
                m.Furniture.site_id,
                m.Furniture.model_id,
                m.Furniture.installed_on,
                m.Furniture.condition_grade,
            )
            .where(m.Furniture.site_id.in_(in_region), m.Furniture.model_id.in_(model_ids))
            .order_by(m.Furniture.id)
        )
    ]
    items = select(m.Furniture.id).where(m.Furniture.site_id.in_(in_region))
    return RegionCare(
        pieces=pieces,
        records=_latest_records(session, items),
        done=_latest_done(session, items),
        covered=_covered_items(session, items),
        kinds_on_pieces=_open_kinds(session, region_id, m.Job.furniture_id),
        kinds_on_sites=_open_site_kinds(session, region_id),
    )


def _latest_records(session: Session, items: Any) -> dict[tuple[int, MaintenanceAction], date]:
    record = m.MaintenanceRecord
    query = (
        select(record.furniture_id, record.action, func.max(record.performed_on))
        .where(record.furniture_id.in_(items))
        .group_by(record.furniture_id, record.action)
    )
    return {(item, MaintenanceAction(action)): day for item, action, day in session.execute(query)}


def _latest_done(session: Session, items: Any) -> dict[tuple[int, str], date]:
    query = (
        select(m.JobItem.furniture_id, m.JobItem.action, func.max(m.JobItem.done_on))
        .where(m.JobItem.furniture_id.in_(items), m.JobItem.done_on.is_not(None))
        .group_by(m.JobItem.furniture_id, m.JobItem.action)
    )
    return {(item, action): day for item, action, day in session.execute(query) if day}


def _covered_items(session: Session, items: Any) -> set[tuple[int, str]]:
    query = (
        select(m.JobItem.furniture_id, m.JobItem.action)
        .join(m.Job, m.Job.id == m.JobItem.job_id)
        .where(m.JobItem.furniture_id.in_(items), m.Job.status.in_(OPEN_STATUSES))
    )
    return {(item, action) for item, action in session.execute(query)}


def _open_kinds(session: Session, region_id: int, target: Any) -> set[tuple[int, JobKind]]:
    """Return (target id, kind) of the region's unfinished jobs aimed at a piece directly."""
    query = select(target, m.Job.kind).where(
        m.Job.region_id == region_id,
        m.Job.status.in_(OPEN_STATUSES),
        target.is_not(None),
    )
    return {(row_id, JobKind(kind)) for row_id, kind in session.execute(query)}


def _open_site_kinds(session: Session, region_id: int) -> set[tuple[int, JobKind]]:
    """Return (site id, kind) of unfinished site jobs listing no pieces (made by hand)."""
    listed = select(m.JobItem.job_id).where(m.JobItem.job_id == m.Job.id).exists()
    query = select(m.Job.site_id, m.Job.kind).where(
        m.Job.region_id == region_id,
        m.Job.status.in_(OPEN_STATUSES),
        m.Job.site_id.is_not(None),
        ~listed,
    )
    found: dict[int, set[JobKind]] = defaultdict(set)
    for site_id, kind in session.execute(query):
        if site_id is not None:
            found[site_id].add(JobKind(kind))
    return {(site, kind) for site, kinds in found.items() for kind in kinds}
