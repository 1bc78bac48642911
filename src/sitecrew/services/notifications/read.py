"""Reading the outbox: what was sent, what waits, what failed and why (planners and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.notifications import (
    Channel,
    Language,
    NotificationInfo,
    NotificationKind,
    NotificationStatus,
)
from sitecrew.services.scoping import get_visible, private_details_visible, readable_notifications

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class ListNotifications:
    """A page of outbox messages by id, optionally of one campaign and in one status."""

    limit: int
    campaign_id: int | None = None
    status: NotificationStatus | None = None
    after_id: int | None = None


def list_notifications(
    session: Session, principal: Principal, query: ListNotifications
) -> tuple[list[NotificationInfo], bool]:
    """Return a page of the messages the caller may read, and whether more follow.

    Recipients (tenant contacts) are filled in only where the caller may see the apartment's
    private details.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors.
    NotFoundError
        When ``query.campaign_id`` names no campaign the caller may read.
    """
    with transaction(session):
        select_rows = select(m.Notification).where(
            readable_notifications(principal, action="read notifications")
        )
        if query.campaign_id is not None:
            get_visible(session, principal, m.Campaign, query.campaign_id)
            select_rows = select_rows.where(m.Notification.campaign_id == query.campaign_id)
        if query.status is not None:
            select_rows = select_rows.where(m.Notification.status == query.status.value)
        if query.after_id is not None:
            select_rows = select_rows.where(m.Notification.id > query.after_id)
        rows = list(session.scalars(select_rows.order_by(m.Notification.id).limit(query.limit + 1)))
        page = rows[: query.limit]
        apartments = sorted({row.apartment_id for row in page if row.apartment_id is not None})
        allowed = private_details_visible(session, principal, m.Apartment, apartments)
        shown = {a for a, ok in zip(apartments, allowed, strict=True) if ok}
        return [_info(row, show=row.apartment_id in shown) for row in page], len(rows) > query.limit


def _info(row: m.Notification, *, show: bool) -> NotificationInfo:
    created = as_utc(row.created_at)
    assert created is not None  # noqa: S101 (a NOT NULL column)
    return NotificationInfo(
        id=row.id,
        key=row.key,
        region_id=row.region_id,
        campaign_id=row.campaign_id,
        apartment_id=row.apartment_id,
        kind=NotificationKind(row.kind),
        channel=Channel(row.channel),
        language=Language(row.language),
        status=NotificationStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=as_utc(row.next_attempt_at),
        created_at=created,
        sent_at=as_utc(row.sent_at),
        recipient=row.recipient if show else None,
    )
