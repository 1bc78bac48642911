"""The personal-data log: who imported or erased tenants' data, when, and from which file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base


class PersonalDataEvent(Base):
    """One import or erasure that touched personal data; never updated, never deleted."""

    __tablename__ = "personal_data_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: Who did it: ``token:<name>`` through the API, ``cli:<os user>`` on the command line.
    actor: Mapped[str] = mapped_column(String(200))
    #: ``import:<kind>``, ``import:<kind>:dry-run`` or ``erase``.
    action: Mapped[str] = mapped_column(String(32))
    #: The file's name for imports; ``apartment/<id>`` for erasures.
    subject: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Counts (rows read, imported, rejected), never the personal data itself.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
