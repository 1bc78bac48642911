"""What a campaign's burn-down and forecast read: every home as it stands, every ended visit.

Plain facts only (:class:`~sitecrew.campaigns.burndown.HomeFacts`, visits as
:class:`~sitecrew.campaigns.burndown.HomeVisit`): the pure functions of
:mod:`sitecrew.campaigns` count and forecast from them without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sitecrew.campaigns.burndown import HomeFacts, HomeVisit
from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.campaigns import HomeState, VisitOutcome, VisitRecord
from sitecrew.services.campaigns.commands import CampaignInfo
from sitecrew.services.campaigns.rows import campaign_info
from sitecrew.services.scoping import get_visible, require_region_planner

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class CampaignProgress:
    """A campaign, each of its homes, and each visit that ended (oldest first)."""

    campaign: CampaignInfo
    homes: tuple[HomeFacts, ...]
    visits: tuple[HomeVisit, ...]


def campaign_progress(session: Session, principal: Principal, campaign_id: int) -> CampaignProgress:
    """Return the campaign's homes and ended visits, as the burn-down and forecast read them.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    row = get_visible(session, principal, m.Campaign, campaign_id)
    require_region_planner(principal, row.region_id, action="read campaign progress")
    visits = _ended_visits(session, campaign_id)
    last = {apartment: visit.record for apartment, visit in ((v.apartment_id, v) for v in visits)}
    return CampaignProgress(campaign_info(session, row), _homes(session, campaign_id, last), visits)


def _homes(
    session: Session, campaign_id: int, last: dict[int, VisitRecord]
) -> tuple[HomeFacts, ...]:
    district = func.coalesce(m.Apartment.district_id, m.Building.district_id)
    query = (
        select(
            m.CampaignHome.apartment_id,
            m.Apartment.building_id,
            m.CampaignHome.state,
            m.CampaignHome.failed_attempts,
            district,
            m.District.name,
            m.CampaignHome.crew_id,
            m.CampaignHome.day,
        )
        .join(m.Apartment, m.Apartment.id == m.CampaignHome.apartment_id)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .outerjoin(m.District, m.District.id == district)
        .where(m.CampaignHome.campaign_id == campaign_id)
        .order_by(m.CampaignHome.apartment_id)
    )
    facts = []
    for apartment, building, state, failed, district_id, name, crew, day in session.execute(query):
        record = last.get(apartment)
        crew_id, planned = _planned_or_last(crew, day, record)
        facts.append(
            HomeFacts(
                apartment_id=apartment,
                building_id=building,
                state=HomeState(state),
                attempts=failed,
                district_id=district_id,
                district_name=name or "",
                crew_id=crew_id,
                planned_day=planned,
            )
        )
    return tuple(facts)


def _planned_or_last(
    crew: int | None, day: date | None, record: VisitRecord | None
) -> tuple[int | None, date | None]:
    if day is not None:
        return crew, day
    if record is not None:
        return record.crew_id, record.day
    return None, None


def _ended_visits(session: Session, campaign_id: int) -> tuple[HomeVisit, ...]:
    query = (
        select(
            m.CampaignHome.apartment_id,
            m.CampaignVisit.day,
            m.CampaignVisit.crew_id,
            m.CampaignVisit.outcome,
            m.CampaignVisit.started_at,
            m.CampaignVisit.ended_at,
        )
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign_id, m.CampaignVisit.outcome.is_not(None))
        .order_by(m.CampaignVisit.day, m.CampaignVisit.id)
    )
    return tuple(
        HomeVisit(
            apartment,
            VisitRecord(day, crew, VisitOutcome(str(outcome)), as_utc(started), as_utc(ended)),
        )
        for apartment, day, crew, outcome, started, ended in session.execute(query)
    )
