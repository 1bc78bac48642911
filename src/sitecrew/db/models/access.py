"""API tokens: bearer credentials stored only as hashes, each with a role and a scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.access import Principal, Role


class ApiToken(Base):
    """A bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        enum_check("role", Role, "role"),
        CheckConstraint("role != 'crew' OR crew_id IS NOT NULL", name="crew_token_has_crew"),
        CheckConstraint(
            "role != 'contractor' OR organisation_id IS NOT NULL",
            name="contractor_token_has_organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def to_principal(self) -> Principal:
        """Return who this token speaks for."""
        return Principal(
            role=Role(self.role),
            token_id=self.id,
            region_id=self.region_id,
            organisation_id=self.organisation_id,
            crew_id=self.crew_id,
        )
