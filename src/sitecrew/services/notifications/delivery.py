"""Delivering the outbox: claim due messages, send each, record the outcome; at least once.

A worker claims a message by moving it to SENDING with a conditional UPDATE (two workers never
both claim it), sends it outside any transaction, and records SENT, or PENDING again after a
backoff, or FAILED after the last attempt. A worker that dies between claim and record leaves
a SENDING message whose claim is older than the lease: the next drain takes it again (its key
goes with it again, so the receiver can drop the repeat). A SENT, FAILED or SKIPPED message is
never claimed again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_utc
from sitecrew.domain.notifications import (
    Backoff,
    Channel,
    Language,
    NotificationStatus,
    OutgoingMessage,
)
from sitecrew.services.notifications.channels import DeliveryError
from sitecrew.services.notifications.links import carries_link_marker, with_tenant_link

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session, sessionmaker

    from sitecrew.config import NotificationSettings, TenantLinkSettings
    from sitecrew.services.notifications.channels import MessageChannel

LOGGER = logging.getLogger("sitecrew.notifications")
#: Messages claimed per round of a drain.
BATCH = 50
#: Why a message whose last allowed attempt died with its worker was given up.
WORKER_DIED = "the worker sending it stopped on its last attempt"


@dataclass
class DrainReport:
    """What a drain did: messages sent, retried later, and failed for good."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff_from(settings: NotificationSettings) -> Backoff:
    """Return the retry schedule the settings describe."""
    return Backoff(
        base_s=settings.backoff_base_s,
        max_s=settings.backoff_max_s,
        max_attempts=settings.max_attempts,
    )


def _due(now: datetime, lease_s: float) -> ColumnElement[bool]:
    """Pending messages whose time came, and claims older than the lease (dead workers)."""
    return or_(
        and_(
            m.Notification.status == NotificationStatus.PENDING.value,
            m.Notification.next_attempt_at <= now,
        ),
        and_(
            m.Notification.status == NotificationStatus.SENDING.value,
            m.Notification.claimed_at < now - timedelta(seconds=lease_s),
        ),
    )


def claim_due(
    sessions: sessionmaker[Session],
    settings: NotificationSettings,
    *,
    now: datetime,
    limit: int = BATCH,
) -> list[m.Notification]:
    """Claim up to ``limit`` due messages for this worker and return them (detached copies).

    A dead worker's message on its last allowed attempt is failed instead of claimed.
    """
    backoff = backoff_from(settings)
    now = to_db_utc(now)
    claimed: list[int] = []
    with sessions.begin() as session:
        candidates = session.scalars(
            select(m.Notification.id)
            .where(_due(now, settings.claim_lease_s))
            .order_by(m.Notification.next_attempt_at, m.Notification.id)
            .limit(limit)
        ).all()
        for message_id in candidates:
            row = session.get_one(m.Notification, message_id)
            if row.status == NotificationStatus.SENDING.value and backoff.gives_up(row.attempts):
                _finish(session, message_id, NotificationStatus.FAILED, error=WORKER_DIED)
                continue
            taken = session.execute(
                update(m.Notification)
                .where(m.Notification.id == message_id, _due(now, settings.claim_lease_s))
                .values(
                    status=NotificationStatus.SENDING.value,
                    claimed_at=now,
                    attempts=m.Notification.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
        session.flush()
        session.expunge_all()
        rows = session.scalars(select(m.Notification).where(m.Notification.id.in_(claimed)))
        found = sorted(rows, key=lambda row: claimed.index(row.id))
        session.expunge_all()
    return found


def deliver(
    sessions: sessionmaker[Session],
    message: m.Notification,
    channels: Mapping[Channel, MessageChannel],
    settings: NotificationSettings,
    *,
    links: TenantLinkSettings,
    now: datetime | None = None,
) -> NotificationStatus:
    """Send one claimed message with the tenant's link in it; record how it went.

    Returns the message's new status. The link is put in here and never stored in the message
    (:mod:`.links`); failing to make it counts as a failed attempt, like a refused send.
    """
    try:
        subject, body = message.subject, message.body
        if carries_link_marker(message):
            with sessions.begin() as session:
                subject, body = with_tenant_link(
                    session, message, links, now=now or datetime.now(UTC)
                )
        outgoing = OutgoingMessage(
            key=message.key,
            recipient=message.recipient or "",
            subject=subject,
            body=body,
            language=Language(message.language),
        )
        channels[Channel(message.channel)].send(outgoing)
    except DeliveryError as error:
        return _record_failure(sessions, message, str(error), settings, now=now)
    except Exception as error:
        LOGGER.exception("notification %s: linking or sending crashed", message.id)
        return _record_failure(sessions, message, type(error).__name__, settings, now=now)
    with sessions.begin() as session:
        _finish(session, message.id, NotificationStatus.SENT, sent_at=now or datetime.now(UTC))
    return NotificationStatus.SENT


def _record_failure(
    sessions: sessionmaker[Session],
    message: m.Notification,
    reason: str,
    settings: NotificationSettings,
    *,
    now: datetime | None,
) -> NotificationStatus:
    backoff = backoff_from(settings)
    with sessions.begin() as session:
        if backoff.gives_up(message.attempts):
            _finish(session, message.id, NotificationStatus.FAILED, error=reason)
            return NotificationStatus.FAILED
        due = (now or datetime.now(UTC)) + backoff.delay(message.attempts)
        _finish(session, message.id, NotificationStatus.PENDING, error=reason, due=due)
    return NotificationStatus.PENDING


def _finish(
    session: Session,
    message_id: int,
    status: NotificationStatus,
    *,
    error: str | None = None,
    due: datetime | None = None,
    sent_at: datetime | None = None,
) -> None:
    """Record an attempt's outcome on a message still being sent (a finished one stays)."""
    session.execute(
        update(m.Notification)
        .where(
            m.Notification.id == message_id,
            m.Notification.status == NotificationStatus.SENDING.value,
        )
        .values(
            status=status.value,
            last_error=error,
            next_attempt_at=due,
            claimed_at=None,
            sent_at=sent_at,
        )
        .execution_options(synchronize_session=False)
    )


def drain(
    sessions: sessionmaker[Session],
    settings: NotificationSettings,
    channels: Mapping[Channel, MessageChannel],
    *,
    links: TenantLinkSettings,
    now: datetime | None = None,
    rounds: int = 100,
) -> DrainReport:
    """Deliver every message due at ``now`` (default: the clock), at most ``rounds`` batches.

    ``links`` sign the tenants' links put into the messages as they are sent.
    """
    report = DrainReport()
    for _ in range(rounds):
        moment = to_db_utc(now or datetime.now(UTC))
        batch = claim_due(sessions, settings, now=moment)
        if not batch:
            break
        for message in batch:
            status = deliver(sessions, message, channels, settings, links=links, now=moment)
            outcome = {
                NotificationStatus.SENT: report.sent,
                NotificationStatus.FAILED: report.failed,
            }.get(status, report.retried)
            outcome.append(message.id)
    return report
