"""Stored campaign rows as the plain values the use cases return."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.campaigns import CampaignStatus, HomeState, ServiceTimeModel, VisitOutcome
from sitecrew.domain.jobs import JobKind
from sitecrew.services.campaigns.commands import CampaignInfo, HomeInfo, VisitInfo

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

#: Campaign states in which a campaign still claims its homes.
OPEN_CAMPAIGNS = (CampaignStatus.DRAFT.value, CampaignStatus.ACTIVE.value)
#: Home states that need no more visits.
FINISHED_HOMES = (HomeState.DONE.value, HomeState.ESCALATED.value)


def campaign_info(session: Session, row: m.Campaign) -> CampaignInfo:
    """Return the campaign with its crews and number of homes."""
    return campaign_infos(session, [row])[0]


def campaign_infos(session: Session, rows: Sequence[m.Campaign]) -> list[CampaignInfo]:
    """Return the campaigns' values with their crews and home counts (two reads for them all)."""
    ids = [row.id for row in rows]
    crews: dict[int, list[int]] = {campaign_id: [] for campaign_id in ids}
    homes: dict[int, int] = {}
    if ids:
        crew_rows = session.execute(
            select(m.CampaignCrew.campaign_id, m.CampaignCrew.crew_id)
            .where(m.CampaignCrew.campaign_id.in_(ids))
            .order_by(m.CampaignCrew.campaign_id, m.CampaignCrew.crew_id)
        )
        for campaign_id, crew_id in crew_rows:
            crews[campaign_id].append(crew_id)
        counted = session.execute(
            select(m.CampaignHome.campaign_id, func.count())
            .where(m.CampaignHome.campaign_id.in_(ids))
            .group_by(m.CampaignHome.campaign_id)
        )
        homes = {campaign_id: int(count) for campaign_id, count in counted}
    return [_campaign(row, tuple(crews[row.id]), homes.get(row.id, 0)) for row in rows]


def _campaign(row: m.Campaign, crew_ids: tuple[int, ...], homes: int) -> CampaignInfo:
    return CampaignInfo(
        id=row.id,
        region_id=row.region_id,
        name=row.name,
        job_kind=JobKind(row.job_kind),
        minutes_per_home=row.minutes_per_home,
        setup_minutes_per_entrance=row.setup_minutes_per_entrance,
        start_on=row.start_on,
        deadline_on=row.deadline_on,
        visits_per_crew_day=row.visits_per_crew_day,
        revisit_share=row.revisit_share,
        max_failed_attempts=row.max_failed_attempts,
        window_minutes=row.window_minutes,
        status=CampaignStatus(row.status),
        version=row.version,
        crew_ids=crew_ids,
        homes=homes,
        door_share=row.door_share,
        door_minutes=row.door_minutes,
        visit_minutes_sd=row.visit_minutes_sd,
        on_time_confidence=row.on_time_confidence,
    )


class _HasServiceTime(Protocol):
    @property
    def minutes_per_home(self) -> float: ...
    @property
    def setup_minutes_per_entrance(self) -> float: ...
    @property
    def door_share(self) -> float: ...
    @property
    def door_minutes(self) -> float: ...
    @property
    def visit_minutes_sd(self) -> float: ...


def service_model(campaign: _HasServiceTime) -> ServiceTimeModel:
    """Return the service time model a campaign (row or info) holds."""
    return ServiceTimeModel(
        minutes_per_home=campaign.minutes_per_home,
        setup_minutes_per_entrance=campaign.setup_minutes_per_entrance,
        door_share=campaign.door_share,
        door_minutes=campaign.door_minutes,
        minutes_sd=campaign.visit_minutes_sd,
    )


def visit_job_minutes(campaign: _HasServiceTime) -> int:
    """Return a campaign visit's job duration: the expected attempt, whole minutes.

    The day planner routes the expected attempt (about one in eight ends at the door in a few
    minutes); the reserve for days where every tenant opens is the sweep's, kept free at the
    end of the day (see ``ServiceTimeModel.planned_minutes``).
    """
    return max(1, math.ceil(service_model(campaign).attempt_minutes))


def home_info(row: m.CampaignHome) -> HomeInfo:
    """Return a home row's values (window in UTC)."""
    return HomeInfo(
        id=row.id,
        campaign_id=row.campaign_id,
        apartment_id=row.apartment_id,
        state=HomeState(row.state),
        attempts=row.attempts,
        failed_attempts=row.failed_attempts,
        day=row.day,
        crew_id=row.crew_id,
        window_start=as_utc(row.window_start),
        window_end=as_utc(row.window_end),
        visit_order=row.visit_order,
        earliest_on=row.earliest_on,
        last_outcome=None if row.last_outcome is None else VisitOutcome(row.last_outcome),
        version=row.version,
    )


def visit_info(row: m.CampaignVisit) -> VisitInfo:
    """Return a visit row's values (timestamps in UTC)."""
    return VisitInfo(
        id=row.id,
        campaign_home_id=row.campaign_home_id,
        job_id=row.job_id,
        day=row.day,
        crew_id=row.crew_id,
        window_start=_utc(row.window_start),
        window_end=_utc(row.window_end),
        attempt=row.attempt,
        outcome=None if row.outcome is None else VisitOutcome(row.outcome),
        started_at=as_utc(row.started_at),
        ended_at=as_utc(row.ended_at),
        notes=row.notes,
        version=row.version,
    )


def _utc(moment: datetime) -> datetime:
    stamped = as_utc(moment)
    if stamped is None:  # pragma: no cover (the columns are NOT NULL)
        raise ValueError("a visit window is incomplete")
    return stamped
