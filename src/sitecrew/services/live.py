"""Reads behind live subscriptions: what a follower may see of a region's jobs or a crew's route.

An event only says which rows changed. These reads decide, with the rules of
:mod:`sitecrew.services.scoping`, what the follower gets of them, so an event can never widen
what a client sees: a job outside the caller's scope is simply not read. A follower may also
narrow the stream to a map box (a console following what it shows): a job lies where planning
puts it (``planning.load_jobs.job_rows``), at its apartment, its furniture item or its site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select, true

from sitecrew.db import models as m
from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.domain.routes import RouteState
from sitecrew.services.planning.read import visible_crew_route
from sitecrew.services.regions import get_region_by_ref
from sitecrew.services.scoping import followable_regions, visible

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.geo import BBox
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


def jobs_in_bbox(session: Session, bbox: BBox | None) -> ColumnElement[bool]:
    """Return the clause for jobs whose place lies in ``bbox`` (boundary included; None: all).

    A job has exactly one target (``jobs.one_target``), so it lies at that target's point:
    its apartment's, its furniture item's (not its site's, as planning routes it) or its site's.
    """
    if bbox is None:
        return true()
    dialect = spatial_dialect_for(session)
    targets = (
        (m.Job.apartment_id, m.Apartment),
        (m.Job.furniture_id, m.Furniture),
        (m.Job.site_id, m.Site),
    )
    return or_(
        *(
            target.in_(select(model.id).where(dialect.points_in_bbox(model.location, bbox)))
            for target, model in targets
        )
    )


def job_statuses(
    session: Session, principal: Principal, region_id: int, *, bbox: BBox | None = None
) -> dict[int, str]:
    """Return the status of every job of the region the caller may see (in ``bbox``), by id."""
    query = select(m.Job.id, m.Job.status).where(
        m.Job.region_id == region_id, visible(m.Job, principal), jobs_in_bbox(session, bbox)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def visible_jobs(
    session: Session,
    principal: Principal,
    region_id: int,
    job_ids: Iterable[int],
    *,
    bbox: BBox | None = None,
) -> list[Job]:
    """Return those of ``job_ids`` that lie in the region (and ``bbox``) and the caller sees."""
    wanted = sorted({int(job_id) for job_id in job_ids})
    found: list[Job] = []
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(m.Job)
            .where(
                m.Job.id.in_(wanted[start : start + CHUNK]),
                m.Job.region_id == region_id,
                visible(m.Job, principal),
                jobs_in_bbox(session, bbox),
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


def published_route_ids(
    session: Session, principal: Principal, region_id: int, day: date
) -> dict[int, int]:
    """Return the published route of ``day`` of each crew of the region the caller may see.

    As crew id -> route id: a follower compares it with what it sent to find republished
    routes, then reads each through :func:`published_route`.
    """
    query = (
        select(m.Route.crew_id, m.Route.id)
        .join(m.Crew, m.Crew.id == m.Route.crew_id)
        .where(
            m.Crew.region_id == region_id,
            visible(m.Crew, principal),
            m.Route.service_date == day,
            m.Route.status == RouteState.PUBLISHED.value,
        )
    )
    return {int(crew_id): int(route_id) for crew_id, route_id in session.execute(query)}
