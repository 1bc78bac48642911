"""Writing messages to the outbox, inside the transaction of the change that causes them.

:func:`tell_tenant` is what the campaign and job use cases call: it renders the message in the
tenant's language and writes one row per channel the tenant can be reached on (e-mail, and SMS
unless the tenant opted out), or one SKIPPED row saying why nobody could be told. It commits
nothing: the caller's commit sends it, the caller's rollback forgets it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sitecrew.db import models as m
from sitecrew.domain.notifications import (
    Channel,
    NotificationKind,
    NotificationStatus,
    language_for,
)
from sitecrew.services.notifications.render import MessageFacts, render_message
from sitecrew.services.notifications.wake import wake_after_commit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Why a message had nowhere to go (stored as its last error; no contact data in it).
NO_CONTACT = "the tenant has no e-mail address or phone number"
OPTED_OUT_NO_EMAIL = "the tenant opted out of text messages and has no e-mail address"


def channels_for(apartment: m.Apartment) -> list[tuple[Channel, str]]:
    """Return where the apartment's tenant can be told: e-mail, then SMS unless opted out."""
    found = []
    if apartment.tenant_email and apartment.tenant_email.strip():
        found.append((Channel.EMAIL, apartment.tenant_email.strip()))
    if apartment.tenant_phone and apartment.tenant_phone.strip() and not apartment.sms_opt_out:
        found.append((Channel.SMS, apartment.tenant_phone.strip()))
    return found


def tell_tenant(
    session: Session,
    *,
    kind: NotificationKind,
    fact: str,
    apartment: m.Apartment,
    region: m.Region,
    campaign_id: int | None,
    facts: MessageFacts,
    now: datetime | None = None,
) -> list[m.Notification]:
    """Write the messages that tell the apartment's tenant ``fact``; return the new rows.

    ``fact`` names what is told (``confirmation:home:12:<window start>``); each row's key is
    the fact and its channel, and a fact already told (same key) writes nothing again.
    """
    language = language_for(apartment.tenant_language, region.timezone)
    subject, body = render_message(kind, language, facts)
    targets: list[tuple[Channel, str | None]] = list(channels_for(apartment))
    reason = None
    if not targets:
        phone = bool(apartment.tenant_phone and apartment.tenant_phone.strip())
        reason = OPTED_OUT_NO_EMAIL if phone else NO_CONTACT
        targets = [(Channel.NONE, None)]
    keys = {channel: f"{fact}:{channel.value}" for channel, _ in targets}
    told = set(
        session.scalars(select(m.Notification.key).where(m.Notification.key.in_(keys.values())))
    )
    moment = now or datetime.now(UTC)
    rows = [
        m.Notification(
            key=keys[channel],
            region_id=region.id,
            campaign_id=campaign_id,
            apartment_id=apartment.id,
            kind=kind.value,
            channel=channel.value,
            language=language.value,
            recipient=recipient,
            subject=subject,
            body=body,
            status=(NotificationStatus.SKIPPED if reason else NotificationStatus.PENDING).value,
            attempts=0,
            next_attempt_at=None if reason else moment,
            last_error=reason,
        )
        for channel, recipient in targets
        if keys[channel] not in told
    ]
    written = [row for row in rows if _add_once(session, row)]
    if any(row.status == NotificationStatus.PENDING.value for row in written):
        wake_after_commit(session)
    return written


def _add_once(session: Session, row: m.Notification) -> bool:
    """Insert ``row`` unless a concurrent transaction told the same fact first.

    The key is unique: on PostgreSQL a second writer of the same key waits for the first and
    then fails its insert, which its savepoint takes back (SQLite serialises the writers, so
    the read before already saw the key). Any other integrity error is raised.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        told = session.scalar(select(m.Notification.id).where(m.Notification.key == row.key))
        if told is None:
            raise
        return False
    return True


#: Why a message was not sent after its tenant's data was erased.
ERASED = "the tenant's contact data was erased"


def forget_recipients(session: Session, apartment_id: int) -> int:
    """Blank the apartment's recipients in the outbox and skip what was not sent; return rows.

    Called when a tenant's personal data is erased: the outbox keeps no copy of it.
    """
    rows = session.scalars(
        select(m.Notification).where(
            m.Notification.apartment_id == apartment_id, m.Notification.recipient.is_not(None)
        )
    ).all()
    for row in rows:
        row.recipient = None
        if row.status in {NotificationStatus.PENDING.value, NotificationStatus.SENDING.value}:
            row.status = NotificationStatus.SKIPPED.value
            row.last_error = ERASED
            row.next_attempt_at = row.claimed_at = None
    session.flush()
    return len(rows)
