"""Reads behind live subscriptions: what a follower may see of a region's jobs or a crew's route.

An event only says which rows changed. These reads decide, with the rules of
:mod:`sitecrew.services.scoping`, what the follower gets of them, so an event can never widen
what a client sees: a job outside the caller's scope is simply not read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.routes import RouteState
from sitecrew.services.planning.read import visible_crew_route
from sitecrew.services.regions import get_region_by_ref
from sitecrew.services.scoping import followable_regions, visible

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.jobs import Job
    from sitecrew.domain.routes import CrewDayRoute

#: Ids read per query (well under every backend's limit of bound parameters).
CHUNK = 500


def followed_region(session: Session, principal: Principal, ref: str) -> int:
    """Return the id of the region (slug or id) whose job changes the caller asks to follow.

    Raises
    ------
    NotFoundError
        When no region the caller may follow has that name (another planner's region is as
        unknown as a misspelt one).
    """
    return int(get_region_by_ref(session, ref, scope=followable_regions(principal)).id or 0)


def job_statuses(session: Session, principal: Principal, region_id: int) -> dict[int, str]:
    """Return the status of every job of the region the caller may see, by id."""
    query = select(m.Job.id, m.Job.status).where(
        m.Job.region_id == region_id, visible(m.Job, principal)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def visible_jobs(
    session: Session, principal: Principal, region_id: int, job_ids: Iterable[int]
) -> list[Job]:
    """Return those of ``job_ids`` that lie in the region and that the caller may see."""
    wanted = sorted({int(job_id) for job_id in job_ids})
    found: list[Job] = []
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(m.Job)
            .where(
                m.Job.id.in_(wanted[start : start + CHUNK]),
                m.Job.region_id == region_id,
                visible(m.Job, principal),
            )
            .order_by(m.Job.id)
        )
        found.extend(row.to_domain() for row in session.scalars(query))
    return found


def published_route(
    session: Session, principal: Principal, crew_id: int, day: date
) -> CrewDayRoute | None:
    """Return the crew's published route of ``day`` if the caller may see the crew, else None.

    Raises
    ------
    NotFoundError
        When the crew does not exist or the caller may not see it.
    PermissionDeniedError
        When the caller's role may not read crews at all.
    """
    route = visible_crew_route(session, principal, crew_id, day)
    return route if route is not None and route.state is RouteState.PUBLISHED else None
