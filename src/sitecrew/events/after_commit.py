"""Publish an event once the transaction that made the change commits (never if it rolls back).

A subscriber that hears an event reads the database at once; published before the commit it
would read the old row, and published for a change later rolled back it would chase nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import event as sa_event

from sitecrew.events import topics
from sitecrew.events.bus import publish

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.events.local import Event

_PENDING = "sitecrew_events_pending"


def publish_after_commit(session: Session, topic: str, event: Event) -> None:
    """Publish ``event`` on ``topic`` when ``session``'s transaction commits."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        sa_event.listen(session, "after_commit", _publish_pending)
        sa_event.listen(session, "after_rollback", _forget_pending)
    pending.append((topic, event))


def _publish_pending(session: Session) -> None:
    pending, session.info[_PENDING] = session.info[_PENDING], []
    for topic, event in pending:
        publish(topic, event)


def _forget_pending(session: Session) -> None:
    session.info[_PENDING] = []


def run_changed(session: Session, run_id: int) -> None:
    """Tell the run's followers, after the commit, that its state or progress changed."""
    publish_after_commit(session, topics.run(run_id), {"run": run_id})


def jobs_changed(session: Session, region_id: int, job_ids: list[int]) -> None:
    """Tell the region's followers, after the commit, which jobs changed status."""
    if job_ids:
        publish_after_commit(session, topics.region_jobs(region_id), {"jobs": sorted(job_ids)})


def route_published(
    session: Session, crew_id: int, route_id: int, day: str, region_id: int | None = None
) -> None:
    """Tell the crew's followers (and its region's), after the commit, of a route of ``day``."""
    event = {"route": route_id, "date": day}
    publish_after_commit(session, topics.crew_routes(crew_id), event)
    if region_id is not None:
        publish_after_commit(session, topics.region_routes(region_id), event)
