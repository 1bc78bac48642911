"""Stored campaign rows as the plain values the use cases return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.campaigns import CampaignStatus, HomeState, VisitOutcome
from sitecrew.domain.jobs import JobKind
from sitecrew.services.campaigns.commands import CampaignInfo, HomeInfo, VisitInfo

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

#: Campaign states in which a campaign still claims its homes.
OPEN_CAMPAIGNS = (CampaignStatus.DRAFT.value, CampaignStatus.ACTIVE.value)
#: Home states that need no more visits.
FINISHED_HOMES = (HomeState.DONE.value, HomeState.ESCALATED.value)


def campaign_info(session: Session, row: m.Campaign) -> CampaignInfo:
    """Return the campaign with its crews and number of homes (two small reads)."""
    crews = session.scalars(
        select(m.CampaignCrew.crew_id)
        .where(m.CampaignCrew.campaign_id == row.id)
        .order_by(m.CampaignCrew.crew_id)
    )
    homes = session.scalar(
        select(func.count()).select_from(m.CampaignHome).where(m.CampaignHome.campaign_id == row.id)
    )
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
        crew_ids=tuple(crews),
        homes=homes or 0,
    )


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
