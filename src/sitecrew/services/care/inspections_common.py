"""What inspections and repairs share: the item a job is about, locked, and a plausible date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Nothing of this product was inspected or repaired before this date.
EARLIEST_RECORD = date(1990, 1, 1)


def locked_item_on_job(session: Session, job: m.Job, furniture_id: int) -> m.Furniture:
    """Return the item a record is about, locked until the commit, if the job is about it.

    A job is about an item when it targets the item or the item's site (care work is grouped
    per site, one visit for all the items there). The lock serialises records of one item, so
    "raise a repair unless one is open" cannot run twice at once on PostgreSQL.

    Raises
    ------
    NotFoundError
        When the item does not exist.
    InvalidInputError
        When the job is about another item or site.
    """
    item = session.scalar(
        select(m.Furniture)
        .where(m.Furniture.id == furniture_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if item is None:
        raise NotFoundError(f"no furniture with id {furniture_id}")
    if job.furniture_id == item.id or (job.site_id is not None and job.site_id == item.site_id):
        return item
    raise InvalidInputError(f"job {job.id} is not about furniture {furniture_id} or its site")


def check_record_date(session: Session, item: m.Furniture, day: date, *, what: str) -> None:
    """Refuse a date in the future (in the item's region) or before the item was installed.

    Raises
    ------
    InvalidInputError
        Naming the date and the bound it breaks.
    """
    site = get_or_raise(session, m.Site, item.site_id)
    region = get_or_raise(session, m.Region, site.region_id)
    today = datetime.now(UTC).astimezone(ZoneInfo(region.timezone)).date()
    if day > today:
        raise InvalidInputError(f"{what} cannot be recorded for a future date ({day})")
    earliest = max(item.installed_on or EARLIEST_RECORD, EARLIEST_RECORD)
    if day < earliest:
        raise InvalidInputError(f"{what} on {day} is before {earliest} (installation or 1990)")
