"""What a tenant's calendar was given, stored when it happens (convention 18).

The ``.ics`` file of a visit is read back from these facts on the tenant's link: the window last
confirmed, a sequence that grows with every change (so a calendar replaces the entry it holds,
RFC 5545 ``SEQUENCE``) and whether it was cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db.models._columns import as_utc
from sitecrew.domain.notifications import NotificationKind
from sitecrew.services.notifications.campaign_messages import tell_home_window

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.db import models as m
    from sitecrew.services.tenant_visits.home import TenantHome


def tell_calendar(session: Session, found: TenantHome, home: m.CampaignHome) -> None:
    """Record that the tenant's calendar now holds the home's window (a new sequence).

    A new window is also a confirmation message to the tenant (the notification outbox).
    """
    link = found.link
    told = (as_utc(link.calendar_start), as_utc(link.calendar_end), link.calendar_cancelled)
    if told == (as_utc(home.window_start), as_utc(home.window_end), False):
        return
    link.calendar_start, link.calendar_end = home.window_start, home.window_end
    link.calendar_cancelled = False
    link.calendar_sequence += 1
    # The tenant is told too, by the outbox, once this transaction commits (keyed by window).
    tell_home_window(session, home, NotificationKind.CONFIRMATION)


def cancel_calendar(found: TenantHome) -> None:
    """Record that the tenant's calendar entry is cancelled (only if it was ever given one)."""
    link = found.link
    if link.calendar_start is None or link.calendar_cancelled:
        return
    link.calendar_cancelled = True
    link.calendar_sequence += 1
