"""The outbox message type: kind, channel, delivery status, attempts, last error, next attempt."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from sitecrew.api.notifications.enums import (
    Channel,
    Language,
    NotificationKind,
    NotificationStatus,
)
from sitecrew.api.tenant_reads import note_tenant_read

if TYPE_CHECKING:
    from sitecrew.domain.notifications import NotificationInfo


@strawberry.type(description="One message to a tenant on one channel, and how its delivery went.")
class Notification:
    id: strawberry.ID
    key: str = strawberry.field(
        description="The fact it tells and its channel; sent as its "
        "idempotency key (Message-ID, Idempotency-Key)."
    )
    region_id: strawberry.ID
    campaign_id: strawberry.ID | None
    apartment_id: strawberry.ID | None
    kind: NotificationKind
    channel: Channel
    language: Language
    status: NotificationStatus
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed, or why the message was skipped."
    )
    next_attempt_at: dt.datetime | None = strawberry.field(
        description="When a pending message is tried (again); null once sent, failed or skipped."
    )
    created_at: dt.datetime
    sent_at: dt.datetime | None
    shown_recipient: strawberry.Private[str | None]

    @strawberry.field(
        description="The e-mail address or phone number: only for callers who may see the "
        "apartment's tenant contacts (recorded in the personal-data log)."
    )
    def recipient(self) -> str | None:
        if self.shown_recipient is not None and self.apartment_id is not None:
            note_tenant_read(int(self.apartment_id), "recipient")
        return self.shown_recipient

    @classmethod
    def from_domain(cls, info: NotificationInfo) -> Notification:
        """Convert a stored message."""
        return cls(
            id=strawberry.ID(str(info.id)),
            key=info.key,
            region_id=strawberry.ID(str(info.region_id)),
            campaign_id=None if info.campaign_id is None else strawberry.ID(str(info.campaign_id)),
            apartment_id=None
            if info.apartment_id is None
            else strawberry.ID(str(info.apartment_id)),
            kind=info.kind,
            channel=info.channel,
            language=info.language,
            status=info.status,
            attempts=info.attempts,
            last_error=info.last_error,
            next_attempt_at=info.next_attempt_at,
            created_at=info.created_at,
            sent_at=info.sent_at,
            shown_recipient=info.recipient,
        )
