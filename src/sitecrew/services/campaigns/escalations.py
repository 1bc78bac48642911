"""The planner's list of escalated homes: what was tried, and what to call the tenant about.

A home is escalated after the campaign's maximum of failed visits (see
:mod:`~sitecrew.services.campaigns.outcomes`); the tenant is then offered nothing more and told
that the housing company will get in touch. This list is what the planner needs for that call:
the apartment and its address, every attempt (day, window, crew, outcome, when the crew was
really there and its notes), and how the tenant said the crew may get in (at home, a key left
with the caretaker, or the housing company's master key) if the tenant answered.

Read by admins and the campaign region's planners (:func:`~sitecrew.services.scoping.
get_readable_campaign`). The apartment comes with its tenant contact and access notes; who may
see those is the caller's rule (the API shows them where private details are visible and logs
the read; the CLI only when asked and logs it), never this module's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.buildings import Apartment
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.rules import require_range
from sitecrew.domain.tenant_links import AccessChoice
from sitecrew.services.campaigns.commands import HomeInfo, VisitInfo
from sitecrew.services.campaigns.rows import home_info, visit_info
from sitecrew.services.scoping import get_readable_campaign

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Most escalated homes one page holds.
MAX_ESCALATIONS = 500


@dataclass(frozen=True)
class ListEscalations:
    """A page of a campaign's escalated homes, by home id (``after_id``: the last one seen)."""

    campaign_id: int
    after_id: int | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        require_range(self.limit, "limit", low=1, high=MAX_ESCALATIONS)


@dataclass(frozen=True)
class Attempt:
    """One visit of an escalated home, with the name of the crew that went."""

    visit: VisitInfo
    crew_name: str


@dataclass(frozen=True)
class EscalatedHome:
    """An escalated home with its apartment (tenant contact included), attempts and access."""

    home: HomeInfo
    apartment: Apartment
    address: str | None
    access: AccessChoice | None
    attempts: tuple[Attempt, ...]


def list_escalations(
    session: Session, principal: Principal, query: ListEscalations
) -> tuple[list[EscalatedHome], bool]:
    """Return a page of the campaign's escalated homes and whether more follow.

    Four queries whatever the page's size (homes, apartments with buildings, tenants' answers,
    visits with crews).

    Raises
    ------
    PermissionDeniedError
        For contractors, crews and tenants.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    campaign = get_readable_campaign(
        session, principal, query.campaign_id, action="read escalated homes"
    )
    statement = select(m.CampaignHome).where(
        m.CampaignHome.campaign_id == campaign.id,
        m.CampaignHome.state == HomeState.ESCALATED.value,
    )
    if query.after_id is not None:
        statement = statement.where(m.CampaignHome.id > query.after_id)
    rows = list(session.scalars(statement.order_by(m.CampaignHome.id).limit(query.limit + 1)))
    homes = rows[: query.limit]
    flats = _apartments(session, [h.apartment_id for h in homes])
    access = _access(session, campaign.id, [h.apartment_id for h in homes])
    attempts = _attempts(session, [h.id for h in homes])
    found = [
        EscalatedHome(
            home=home_info(home),
            apartment=flats[home.apartment_id][0],
            address=flats[home.apartment_id][1],
            access=access.get(home.apartment_id),
            attempts=tuple(attempts[home.id]),
        )
        for home in homes
    ]
    return found, len(rows) > query.limit


def _apartments(session: Session, ids: list[int]) -> dict[int, tuple[Apartment, str | None]]:
    query = (
        select(m.Apartment, m.Building.address)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .where(m.Apartment.id.in_(ids))
    )
    return {flat.id: (flat.to_domain(), address) for flat, address in session.execute(query)}


def _access(session: Session, campaign_id: int, ids: list[int]) -> dict[int, AccessChoice]:
    """Return how each tenant said the crew gets in (those who answered)."""
    query = select(m.TenantLink.apartment_id, m.TenantLink.access).where(
        m.TenantLink.campaign_id == campaign_id,
        m.TenantLink.apartment_id.in_(ids),
        m.TenantLink.access.is_not(None),
    )
    return {
        apartment_id: AccessChoice(access)
        for apartment_id, access in session.execute(query)
        if access is not None
    }


def _attempts(session: Session, home_ids: list[int]) -> dict[int, list[Attempt]]:
    query = (
        select(m.CampaignVisit, m.Crew.name)
        .join(m.Crew, m.Crew.id == m.CampaignVisit.crew_id)
        .where(m.CampaignVisit.campaign_home_id.in_(home_ids))
        .order_by(m.CampaignVisit.campaign_home_id, m.CampaignVisit.attempt, m.CampaignVisit.id)
    )
    found: dict[int, list[Attempt]] = defaultdict(list)
    for visit, crew_name in session.execute(query):
        found[visit.campaign_home_id].append(Attempt(visit_info(visit), crew_name))
    return found
