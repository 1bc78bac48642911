"""A tenant's visit as an iCalendar file (RFC 5545), built with the ``icalendar`` library.

The event's ``UID`` names the campaign home, so it stays the same when the visit moves: a
calendar that imports the file again replaces its entry, because ``SEQUENCE`` (kept on the link,
:mod:`.calendar_facts`) grows with every change. A cancelled visit is sent as ``METHOD:CANCEL``
with ``STATUS:CANCELLED`` and the window that was cancelled, which removes the entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from sitecrew.db.models._columns import as_utc
from sitecrew.errors import NotFoundError
from sitecrew.services.tenant_visits.home import tenant_home

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: The product identifier every file names (RFC 5545 PRODID).
PRODID = "-//Sitecrew//Tenant visits//EN"
#: The domain part of every event's UID.
UID_DOMAIN = "sitecrew.tenant-visits"


def visit_uid(home_id: int) -> str:
    """Return the UID of a campaign home's visit: the same for every version of it."""
    return f"campaign-home-{home_id}@{UID_DOMAIN}"


def tenant_calendar(
    session: Session, principal: Principal, *, now: datetime | None = None
) -> bytes:
    """Return the ``.ics`` file of the tenant's visit as last confirmed (or cancelled).

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    NotFoundError
        When the visit was never confirmed (nothing to put in a calendar yet).
    """
    found = tenant_home(session, principal, action="download a visit's calendar file")
    link = found.link
    start, end = as_utc(link.calendar_start), as_utc(link.calendar_end)
    if start is None or end is None:
        raise NotFoundError("this visit has no confirmed time yet")
    cancelled = link.calendar_cancelled
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", visit_uid(found.home.id))
    event.add("sequence", link.calendar_sequence)
    event.add("dtstamp", now or datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", found.campaign.name)
    event.add("location", f"{found.building.address or ''}, {found.apartment.unit}".strip(", "))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
