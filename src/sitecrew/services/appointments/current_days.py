"""The crews' current days: what each crew is set to do, before an offer.

A crew-day's current plan is its route when the day is planned: the published route, else the
newest draft (what :func:`sitecrew.services.planning.read.crew_route` answers for one crew and
day; read here for every crew and day of the question in two queries, since an offer asks about
up to 14 days of 13 crews at once).

A route is only what was planned when it was made. A visit booked since (a tenant choosing or
confirming a window, a campaign day materialised after the plan, an appointment moved) is not
on it, yet the crew must make it all the same. So the jobs *held* for the question's crews are
read too: the open campaign visits whose sweep gave them to one of these crews, as the day
planner holds them (:func:`sitecrew.services.planning.load_jobs.sweep_crews`), if their visit
day or a binding appointment falls in the question's days. Which day each one binds is the
planner's rule again (its binding windows, else its due date), decided by the caller that knows
the region's clock.

Stops are job ids in order, ``None`` for the break.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from sitecrew.db import models as m
from sitecrew.domain.jobs import AppointmentStatus
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState
from sitecrew.services.planning.load_jobs import sweep_crews

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

_KEPT = (AppointmentStatus.PROPOSED.value, AppointmentStatus.CONFIRMED.value)


@dataclass(frozen=True)
class CurrentDays:
    """The routes of the question's crew-days and the jobs held for its crews.

    ``routes``: the stops of each crew-day that has a route (absent: no route). ``held``: crew
    id per job held for one of the crews (a superset of what binds the question's days: the
    caller keeps a job on the day its windows or due date name).
    """

    routes: dict[tuple[int, date], tuple[int | None, ...]]
    held: dict[int, int]


def current_days(session: Session, crew_ids: Sequence[int], days: Sequence[date]) -> CurrentDays:
    """Return the routes of the crews' days and the jobs held for the crews on about those days.

    Four queries at most (routes, their stops, the held jobs, the crew holding each), whatever
    the number of crews and days.
    """
    if not crew_ids or not days:
        return CurrentDays({}, {})
    routes = routed_days(session, crew_ids, days)
    candidates = _held_candidates(session, crew_ids, days)
    crews = set(crew_ids)
    held = {
        job_id: int(crew)
        for job_id, crew in sweep_crews(session, candidates).items()
        if int(crew) in crews
    }
    return CurrentDays(routes, held)


def routed_days(
    session: Session, crew_ids: Sequence[int], days: Sequence[date]
) -> dict[tuple[int, date], tuple[int | None, ...]]:
    """Return the stops of each crew-day's current route: published, else the newest draft.

    Job ids in order, ``None`` for the break; crew-days without a route are absent. Two queries.
    """
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


def _held_candidates(session: Session, crew_ids: Sequence[int], days: Sequence[date]) -> list[int]:
    """Return the jobs of the crews' open campaign visits due, or booked, about these days.

    The visit's day, or a kept appointment starting within a day of the question's (UTC bounds
    a day wider than any time zone's, so no local day is cut; the caller keeps the exact day).
    """
    first = datetime.combine(min(days) - timedelta(days=1), time(0), UTC)
    last = datetime.combine(max(days) + timedelta(days=2), time(0), UTC)
    booked = (
        select(m.Appointment.id)
        .where(
            m.Appointment.job_id == m.CampaignVisit.job_id,
            m.Appointment.status.in_(_KEPT),
            m.Appointment.window_start >= first,
            m.Appointment.window_start < last,
        )
        .exists()
    )
    query = select(m.CampaignVisit.job_id).where(
        m.CampaignVisit.crew_id.in_(list(crew_ids)),
        m.CampaignVisit.outcome.is_(None),
        m.CampaignVisit.job_id.is_not(None),
        or_(and_(m.CampaignVisit.day >= min(days), m.CampaignVisit.day <= max(days)), booked),
    )
    return sorted({job_id for job_id in session.scalars(query) if job_id is not None})
