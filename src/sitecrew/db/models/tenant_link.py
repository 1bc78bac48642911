"""Tenant self-service links (issue 16): one per home of a campaign, and what the tenant told.

Only the link's id, its token version, expiry and revocation are stored, never the token: a
token is the id and version signed with the server's secret (:mod:`sitecrew.domain.tenant_links`).
The row also keeps what the tenant answered through it (how the crew gets in) and what the
tenant's calendar was last given (window, sequence, cancelled), stored when it happened
(convention 18) so the ``.ics`` file reads back exactly what the tenant was told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.tenant_links import AccessChoice


class TenantLink(Base):
    """The link of one apartment's tenant in one campaign."""

    __tablename__ = "tenant_links"
    __table_args__ = (
        UniqueConstraint("campaign_id", "apartment_id"),
        enum_check("access", AccessChoice, "access"),
        CheckConstraint("token_version > 0", name="token_version_positive"),
        CheckConstraint("calendar_sequence >= 0", name="calendar_sequence_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    apartment_id: Mapped[int] = mapped_column(ForeignKey("apartments.id"), index=True)
    #: Bumped on revoking and re-issuing: tokens of older versions stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    access: Mapped[str | None] = mapped_column(String(16))
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    calendar_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calendar_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calendar_cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
