"""On the way: when a crew starts a stop, the tenant of its next stop hears when it comes.

The arrival comes from the crew's published route (:func:`sitecrew.services.planning.read.
crew_route`, the times the crew was given): the planned gap between the started stop's arrival
and the next stop's arrival, counted from the moment the crew started. Only a published route
counts (a draft is no promise), and only a next stop that is an open campaign visit has a
tenant to tell; a job on no published route tells nobody.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.notifications import NotificationKind
from sitecrew.domain.routes import RouteState
from sitecrew.services.notifications.campaign_messages import tell_visit
from sitecrew.services.planning.read import crew_route

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.routes import CrewDayRoute


def tell_next_stop(
    session: Session, job_id: int, *, now: datetime | None = None
) -> list[m.Notification]:
    """Tell the tenant after ``job_id`` on its published route that the crew is on the way."""
    placed = session.execute(
        select(m.Route.crew_id, m.Route.service_date)
        .join(m.RouteStop, m.RouteStop.route_id == m.Route.id)
        .where(m.RouteStop.job_id == job_id, m.Route.status == RouteState.PUBLISHED.value)
        .order_by(m.Route.id.desc())
        .limit(1)
    ).first()
    if placed is None:
        return []
    route = crew_route(session, placed.crew_id, placed.service_date)
    if route is None or route.state is not RouteState.PUBLISHED:
        return []
    found = _next_of(route, job_id)
    if found is None:
        return []
    next_job_id, gap = found
    visit = session.scalar(
        select(m.CampaignVisit).where(
            m.CampaignVisit.job_id == next_job_id, m.CampaignVisit.outcome.is_(None)
        )
    )
    if visit is None:
        return []
    eta = (now or datetime.now(UTC)) + gap
    return tell_visit(session, visit, NotificationKind.ON_THE_WAY, eta=eta)


def _next_of(route: CrewDayRoute, job_id: int) -> tuple[int, timedelta] | None:
    """Return the job of the stop after ``job_id``'s and the planned time between arrivals."""
    stops = [stop for stop in route.stops if stop.job_id is not None]
    for current, following in itertools.pairwise(stops):
        if current.job_id == job_id and following.job_id is not None:
            return following.job_id, following.arrival_at - current.arrival_at
    return None
