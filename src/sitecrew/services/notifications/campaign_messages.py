"""The messages campaign changes cause: what each says about a home or a visit, and its key.

Called by the campaign use cases inside their transactions (:mod:`sitecrew.services.campaigns`):
a proposed or confirmed window tells the home's window; a reminder, a missed visit and a
completed visit tell about one visit. Keys name the window or the visit, so a window proposed
again after it moved is told again, and the same window or visit is told once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.notifications import NotificationKind
from sitecrew.services.notifications.links import tenant_link
from sitecrew.services.notifications.outbox import tell_tenant
from sitecrew.services.notifications.render import MessageFacts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Windows (start, end) offered to a tenant.
Windows = tuple[tuple[datetime, datetime], ...]

#: Kinds that tell a home's window (keyed by the window), the others tell a visit.
WINDOW_KINDS = frozenset(
    {NotificationKind.PROPOSAL, NotificationKind.CONFIRMATION, NotificationKind.REMINDER}
)


def zone(name: str | None) -> ZoneInfo:
    """Return a region's time zone (UTC for a name this machine does not know)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    utc = as_utc(moment)
    return None if utc is None else utc.astimezone(tz)


def tell_home_window(
    session: Session, home: m.CampaignHome, kind: NotificationKind
) -> list[m.Notification]:
    """Tell the home's tenant its window: a ``proposal``, ``confirmation`` or ``reminder``."""
    if kind not in WINDOW_KINDS or home.window_start is None or home.window_end is None:
        return []
    start = as_utc(home.window_start)
    fact = f"{kind.value}:home:{home.id}:{start.isoformat() if start else ''}"
    return _tell(
        session,
        kind=kind,
        fact=fact,
        campaign_id=home.campaign_id,
        apartment_id=home.apartment_id,
        window=(home.window_start, home.window_end),
    )


def tell_visit(
    session: Session,
    visit: m.CampaignVisit,
    kind: NotificationKind,
    *,
    eta: datetime | None = None,
    offers: Windows = (),
    escalated: bool = False,
) -> list[m.Notification]:
    """Tell the visited home's tenant about ``visit``: reminder, on the way, missed, done.

    ``offers`` (UTC windows) are listed in a missed-visit message; ``escalated`` says the home
    went to the planner instead (no offers, no link: the housing company will call).
    """
    home = session.get_one(m.CampaignHome, visit.campaign_home_id)
    return _tell(
        session,
        kind=kind,
        fact=f"{kind.value}:visit:{visit.id}",
        campaign_id=home.campaign_id,
        apartment_id=home.apartment_id,
        window=(visit.window_start, visit.window_end),
        eta=eta,
        offers=offers,
        escalated=escalated,
    )


def _tell(
    session: Session,
    *,
    kind: NotificationKind,
    fact: str,
    campaign_id: int,
    apartment_id: int,
    window: tuple[datetime | None, datetime | None],
    eta: datetime | None = None,
    offers: Windows = (),
    escalated: bool = False,
) -> list[m.Notification]:
    campaign = session.get_one(m.Campaign, campaign_id)
    region = session.get_one(m.Region, campaign.region_id)
    apartment = session.get_one(m.Apartment, apartment_id)
    building = session.get_one(m.Building, apartment.building_id)
    tz = zone(region.timezone)
    start, end = _local(window[0], tz), _local(window[1], tz)
    facts = MessageFacts(
        address=building.address or "",
        unit=apartment.unit,
        campaign=campaign.name,
        link=tenant_link(session, apartment.id, campaign.id),
        day=None if start is None else start.date(),
        start=start,
        end=end,
        eta=_local(eta, tz),
        offers=tuple((a.astimezone(tz), b.astimezone(tz)) for a, b in offers),
        escalated=escalated,
    )
    return tell_tenant(
        session,
        kind=kind,
        fact=fact,
        apartment=apartment,
        region=region,
        campaign_id=campaign.id,
        facts=facts,
    )
