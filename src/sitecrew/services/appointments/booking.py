"""Booking a window only while a crew can still make it: one rule for tenants and planners.

Two writers may look at the same last place of a crew's day: two tenants, or a tenant and a
planner. So every booking asks the offers again inside its own transaction, after taking the
region's booking turn: on PostgreSQL a row lock on the region (``SELECT … FOR UPDATE``), which
every booking of the region takes before it reads the crews' days; on SQLite the write
transaction itself (``BEGIN IMMEDIATE`` in the web app's write sessions) serialises all writers.
The second writer's question then sees the first one's booking, and its window is refused
(``WINDOW_NOT_OFFERED``) rather than overbooking the day.

A planner's booking takes the turn before it locks its job: a tenant's booking holding the turn
may move that job's appointment, so locking the job first could make the two wait for each
other crosswise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.errors import WindowNotOfferedError
from sitecrew.services.appointments.offers import offers_for_visit
from sitecrew.services.planning.day import DayClock

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.offers import AppointmentOffer
    from sitecrew.services.appointments.visit import OfferedVisit
    from sitecrew.services.planning.day import RegionInfo

#: Enough offers on one day to hold every window of every crew (the answer is cut after it).
_ONE_DAY = 1000


def take_booking_turn(session: Session, region_id: int) -> None:
    """Wait for the region's booking turn (PostgreSQL row lock; SQLite serialises writers)."""
    session.execute(select(m.Region.id).where(m.Region.id == region_id).with_for_update())


def require_offered(
    session: Session,
    region: RegionInfo,
    visit: OfferedVisit,
    window: tuple[datetime, datetime | None],
    *,
    osm: OsmSettings,
    now: datetime,
) -> AppointmentOffer:
    """Return the cheapest crew's offer of ``window`` for ``visit``, asked at write time.

    Takes the region's booking turn first (held until the caller's transaction ends), so the
    answer stays true until the booking is committed.

    Parameters
    ----------
    session
        The booking's session, inside its transaction.
    region
        The visit's region (with its street graph).
    visit
        What is booked; its own job (if any) is left out of the crews' days.
    window
        Start and end. ``end`` ``None``: a window of the tenant grid starting at ``start``
        (what a tenant is offered); else exactly that window (a planner books any window).
    osm
        Where the street graphs are.
    now
        Windows starting before this moment are not offered.

    Raises
    ------
    WindowNotOfferedError
        When no crew can make the window (never offered, or taken meanwhile).
    """
    take_booking_turn(session, region.id)
    start, end = window
    day = DayClock.of(start.date(), region.timezone).local_date(start)
    offers = offers_for_visit(
        session,
        region,
        visit,
        [day],
        osm=osm,
        limit=_ONE_DAY,
        now=now,
        window=None if end is None else (start, end),
    )
    for offer in offers:
        if offer.window_start == start:
            return offer
    raise not_offered(start)


def not_offered(start: datetime) -> WindowNotOfferedError:
    """Return the refusal of a window no crew can make."""
    msg = f"no crew can come in the window starting {start.isoformat()}; choose one of the offers"
    return WindowNotOfferedError(msg)
