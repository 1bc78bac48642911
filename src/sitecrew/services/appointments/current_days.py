"""The crews' current days: what each crew is set to do, stop by stop, before an offer.

A crew-day's current plan is its route when the day is planned: the published route, else the
newest draft (what :func:`sitecrew.services.planning.read.crew_route` answers for one crew and
day; read here for every crew and day of the question in two queries, since an offer asks about
up to 14 days of 13 crews at once). A day not planned yet is the crew's booked campaign visits
of the day (materialised, no outcome yet), by window, with the break where its window opens.

Stops are job ids in order, ``None`` for the break.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from sqlalchemy.orm import Session


def current_days(
    session: Session, crew_ids: Sequence[int], days: Sequence[date]
) -> dict[tuple[int, date], tuple[int | None, ...]]:
    """Return the current stops of each crew-day that has a route or booked campaign visits.

    Crew-days with neither are absent (the crew's day is empty). Campaign-visit days carry no
    break: the caller places it
    (:func:`sitecrew.routing.insertion.with_break`).
    """
    if not crew_ids or not days:
        return {}
    planned = _routed_days(session, crew_ids, days)
    booked = _booked_days(session, crew_ids, days)
    return {**{k: v for k, v in booked.items() if k not in planned}, **planned}


def _routed_days(
    session: Session, crew_ids: Sequence[int], days: Sequence[date]
) -> dict[tuple[int, date], tuple[int | None, ...]]:
    routes = session.execute(
        select(m.Route.id, m.Route.crew_id, m.Route.service_date, m.Route.status).where(
            m.Route.crew_id.in_(list(crew_ids)),
            m.Route.service_date >= min(days),
            m.Route.service_date <= max(days),
            m.Route.status != RouteState.SUPERSEDED.value,
        )
    ).all()
    chosen: dict[tuple[int, date], tuple[int, int]] = {}
    for route_id, crew_id, day, status in routes:
        rank = (0 if status == RouteState.PUBLISHED.value else 1, -route_id)
        key = (crew_id, day)
        if key not in chosen or rank < chosen[key]:
            chosen[key] = rank
    by_route = {-rank[1]: key for key, rank in chosen.items()}
    stops: dict[tuple[int, date], list[int | None]] = {key: [] for key in chosen}
    if not by_route:
        return {}
    query = (
        select(m.RouteStop.route_id, m.RouteStop.kind, m.RouteStop.job_id)
        .where(m.RouteStop.route_id.in_(list(by_route)))
        .order_by(m.RouteStop.route_id, m.RouteStop.sequence)
    )
    for route_id, kind, job_id in session.execute(query):
        if kind == StopKind.JOB.value and job_id is not None:
            stops[by_route[route_id]].append(job_id)
        elif kind == StopKind.BREAK.value:
            stops[by_route[route_id]].append(None)
    return {key: tuple(found) for key, found in stops.items()}


def _booked_days(
    session: Session, crew_ids: Sequence[int], days: Sequence[date]
) -> dict[tuple[int, date], tuple[int | None, ...]]:
    query = (
        select(m.CampaignVisit.crew_id, m.CampaignVisit.day, m.CampaignVisit.job_id)
        .where(
            m.CampaignVisit.crew_id.in_(list(crew_ids)),
            m.CampaignVisit.day >= min(days),
            m.CampaignVisit.day <= max(days),
            m.CampaignVisit.outcome.is_(None),
            m.CampaignVisit.job_id.is_not(None),
        )
        .order_by(m.CampaignVisit.window_start, m.CampaignVisit.id)
    )
    found: dict[tuple[int, date], list[int | None]] = defaultdict(list)
    for crew_id, day, job_id in session.execute(query):
        found[crew_id, day].append(job_id)
    return {key: tuple(stops) for key, stops in found.items()}
