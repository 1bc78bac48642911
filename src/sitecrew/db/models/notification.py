"""The outbox of messages to tenants (see :mod:`sitecrew.domain.notifications`).

A row is written in the transaction of the change it tells about and delivered later by a
worker: ``status`` and ``attempts`` say how far it got, ``next_attempt_at`` when it is due
(again), ``claimed_at`` when a worker took it (a claim older than the lease is a dead
worker's, and the message is due again), ``last_error`` why the last attempt failed (no
recipient address in it: the channels keep contact data out of their errors).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.notifications import (
    Channel,
    Language,
    NotificationKind,
    NotificationStatus,
)


class Notification(Base):
    """One message to one tenant on one channel; ``key`` names the fact it tells, once."""

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("kind", NotificationKind, "kind"),
        enum_check("channel", Channel, "channel"),
        enum_check("language", Language, "language"),
        enum_check("status", NotificationStatus, "status"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    apartment_id: Mapped[int | None] = mapped_column(ForeignKey("apartments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
