"""Reading a tenant's visit, and the windows a tenant may choose from.

Offers come from the appointment offers use case
(:func:`~sitecrew.services.appointments.offers.appointment_offers`), asked for the tenant's own
apartment with the view of its region's planner: the tenant names no apartment, so it cannot
ask about anyone else's. A tenant is told the day and the window only, never the crew or what
the window costs. Offers start tomorrow (in the region's time zone) and never lie outside the
campaign's dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.offers import MAX_OFFER_DAYS, AppointmentOffer, OfferQuery
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.tenant_visits.home import TenantHome, TenantVisit, tenant_home, visit_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.db import models as m


@dataclass(frozen=True)
class TenantOffer:
    """A window the tenant may choose (UTC)."""

    day: date
    window_start: datetime
    window_end: datetime


def tenant_visit(session: Session, principal: Principal) -> TenantVisit:
    """Return the tenant's visit.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    NotFoundError
        When the home left the campaign.
    """
    return visit_of(tenant_home(session, principal, action="read a tenant's visit"))


def region_today(timezone: str, now: datetime) -> date:
    """Return the date at ``now`` in the region's time zone (UTC for an unknown zone)."""
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(UTC).date()


def offer_days(found: TenantHome, now: datetime) -> tuple[date, date] | None:
    """Return the first and last day a tenant is offered (None: the campaign has no days left)."""
    return campaign_offer_days(found.campaign, found.timezone, now)


def campaign_offer_days(
    campaign: m.Campaign, timezone: str, now: datetime
) -> tuple[date, date] | None:
    """Return the days a campaign's tenants are offered: from tomorrow, two weeks at most.

    Never outside the campaign's dates (None: it has no days left). Shared by the tenant's
    page and the missed-visit message, so the message lists windows the page still offers.
    """
    first = max(region_today(timezone, now) + timedelta(days=1), campaign.start_on)
    last = min(first + timedelta(days=MAX_OFFER_DAYS - 1), campaign.deadline_on)
    return None if last < first else (first, last)


def staff_view(found: TenantHome) -> Principal:
    """Return the principal offers are asked with: the planner of the home's region."""
    return Principal(Role.PLANNER, region_id=found.campaign.region_id)


def offers_for(
    session: Session,
    found: TenantHome,
    days: tuple[date, date],
    *,
    osm: OsmSettings,
    limit: int,
    now: datetime,
) -> list[AppointmentOffer]:
    """Return the offers for the tenant's apartment on ``days`` (both included)."""
    query = OfferQuery(found.apartment.id, days[0], days[1], limit)
    return appointment_offers(session, staff_view(found), query, osm=osm, now=now)


def tenant_offers(
    session: Session,
    principal: Principal,
    *,
    osm: OsmSettings,
    limit: int = 10,
    now: datetime | None = None,
) -> list[TenantOffer]:
    """Return the windows the tenant may choose, cheapest for the crews first.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    NotFoundError
        When the home left the campaign.
    InvalidInputError
        When ``limit`` is outside 1..50.
    """
    moment = now or datetime.now(UTC)
    found = tenant_home(session, principal, action="ask for offers")
    days = offer_days(found, moment)
    if days is None or not visit_of(found).changeable:
        OfferQuery(found.apartment.id, moment.date(), moment.date(), limit)  # checks the limit
        return []
    found_offers = offers_for(session, found, days, osm=osm, limit=limit, now=moment)
    return [TenantOffer(o.day, o.window_start, o.window_end) for o in found_offers]
