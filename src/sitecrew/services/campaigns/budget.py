"""How much of a crew-day a campaign's sweep may fill: learned from the routes the planner made.

The sweep packs a crew-day up to its shift less the minutes off the door (lunch and the drive out
of and back to the depot), and charges each change of building a few minutes of travel. Flat
guesses (60 minutes off, 8 minutes a building change) left the year replay's crew-days a quarter
empty: its routes measured 3.4 minutes per building change. So the budget comes from what the
day planner actually routed for this campaign's visits on published routes: the median travel
between two consecutive campaign stops in different buildings, and the median first and last
leg (depot to the first stop, last stop back to the depot). Until enough legs were routed, the
defaults below stand in. Lunch is the campaign crews' own lunch break (the longest of them, so
that no crew's day is overfilled).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from sitecrew.db import models as m
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy.orm import Session

#: Minutes a building change costs before the campaign's routes say otherwise.
DEFAULT_MINUTES_BETWEEN_BUILDINGS = 4.0
#: Minutes of each drive between the depot and the day's first or last stop, likewise.
DEFAULT_DEPOT_MINUTES = 15.0
#: A crew's lunch when the campaign has no crews (the crews table's default).
DEFAULT_LUNCH_MINUTES = 30
#: Routed building changes needed before their median replaces the default.
MIN_BUILDING_CHANGES = 5
#: Routed depot legs (out and back count one each) needed before their median is used.
MIN_DEPOT_LEGS = 4


@dataclass(frozen=True)
class DayBudget:
    """What a crew-day of the campaign spends away from the door, and what backs each figure."""

    lunch_minutes: float
    depot_minutes: float
    minutes_between_buildings: float
    building_changes: int = 0
    depot_legs: int = 0

    @property
    def minutes_off_per_day(self) -> float:
        """Lunch plus the drive out of the depot and back."""
        return self.lunch_minutes + 2 * self.depot_minutes

    @property
    def observations(self) -> int:
        """Routed legs behind the learned figures (0: all defaults)."""
        return self.building_changes + self.depot_legs


@dataclass(frozen=True)
class _Stop:
    route_id: int
    kind: str
    travel_seconds: int
    building_id: int | None  # None: not a stop of this campaign


def learn_day_budget(
    session: Session, campaign: m.Campaign, *, before: date | None = None
) -> DayBudget:
    """Return the campaign's day budget from its published routes (of days before ``before``).

    A figure with too few routed legs behind it keeps its default; the counts say which is which.
    """
    lunch = session.scalar(
        select(func.max(m.Crew.lunch_minutes))
        .join(m.CampaignCrew, m.CampaignCrew.crew_id == m.Crew.id)
        .where(m.CampaignCrew.campaign_id == campaign.id)
    )
    changes, legs = _routed_legs(_stops(session, campaign.id, before))
    between = median(changes) / 60 if len(changes) >= MIN_BUILDING_CHANGES else None
    depot = median(legs) / 60 if len(legs) >= MIN_DEPOT_LEGS else None
    return DayBudget(
        lunch_minutes=float(DEFAULT_LUNCH_MINUTES if lunch is None else lunch),
        depot_minutes=DEFAULT_DEPOT_MINUTES if depot is None else depot,
        minutes_between_buildings=(
            DEFAULT_MINUTES_BETWEEN_BUILDINGS if between is None else between
        ),
        building_changes=len(changes) if between is not None else 0,
        depot_legs=len(legs) if depot is not None else 0,
    )


def _stops(session: Session, campaign_id: int, before: date | None) -> list[_Stop]:
    """Every stop of the published routes that visit the campaign, in route order."""
    visited = (
        select(m.RouteStop.route_id)
        .join(m.CampaignVisit, m.CampaignVisit.job_id == m.RouteStop.job_id)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .join(m.Route, m.Route.id == m.RouteStop.route_id)
        .where(
            m.CampaignHome.campaign_id == campaign_id,
            m.Route.status == RouteState.PUBLISHED.value,
        )
    )
    if before is not None:
        visited = visited.where(m.Route.service_date < before)
    query = (
        select(
            m.RouteStop.route_id,
            m.RouteStop.kind,
            m.RouteStop.travel_seconds,
            m.Apartment.building_id,
        )
        .outerjoin(m.CampaignVisit, m.CampaignVisit.job_id == m.RouteStop.job_id)
        .outerjoin(
            m.CampaignHome,
            and_(
                m.CampaignHome.id == m.CampaignVisit.campaign_home_id,
                m.CampaignHome.campaign_id == campaign_id,
            ),
        )
        .outerjoin(m.Apartment, m.Apartment.id == m.CampaignHome.apartment_id)
        .where(m.RouteStop.route_id.in_(visited.distinct().scalar_subquery()))
        .order_by(m.RouteStop.route_id, m.RouteStop.sequence)
    )
    return [_Stop(*row) for row in session.execute(query)]


def _routed_legs(stops: Iterable[_Stop]) -> tuple[list[int], list[int]]:
    """Return the travel seconds of building changes and of depot legs between campaign stops.

    A leg runs from one job stop (or the depot) to the next job stop (or the depot), through any
    break in between. It counts only when both of its ends are the campaign's (or the depot):
    a foreign job between two campaign stops says nothing about the campaign's streets.
    """
    changes: list[int] = []
    legs: list[int] = []
    route: int | None = None
    previous: int | None = None  # building of the last job stop; -1: the depot; None: foreign
    travel = 0
    for stop in stops:
        if stop.route_id != route:
            route, previous, travel = stop.route_id, None, 0
        travel += stop.travel_seconds
        if stop.kind == StopKind.BREAK.value:
            continue
        if stop.kind == StopKind.START.value:
            previous, travel = -1, 0
            continue
        here = -1 if stop.kind == StopKind.END.value else stop.building_id
        if previous is not None and here is not None:
            if (previous == -1) != (here == -1):
                legs.append(travel)
            elif previous not in (here, -1):
                changes.append(travel)
        previous, travel = here, 0
    return changes, legs
