"""The personal-data log: who imported, edited, exported, read or erased tenants' data, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base


class PersonalDataEvent(Base):
    """One operation that touched personal data; never updated, never deleted."""

    __tablename__ = "personal_data_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: Who did it: ``token:<name>`` through the API, ``cli:<os user>`` on the command line.
    actor: Mapped[str] = mapped_column(String(200), index=True)
    #: ``import:<kind>``, ``import:<kind>:dry-run``, ``edit:tenant``, ``export:tenant_links``,
    #: ``read`` (staff read tenants' data through the API) or ``erase``.
    action: Mapped[str] = mapped_column(String(32))
    #: The file's name for imports; ``apartment/<id>`` for erasures; the operation for reads.
    subject: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Counts (rows read, imported, rejected), or for reads which fields of which apartments;
    #: never the personal data itself.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PersonalDataSubject(Base):
    """An apartment a log line is about, so "who handled this tenant" is an indexed lookup.

    No foreign key to ``apartments``: the log outlives the apartment it names.
    """

    __tablename__ = "personal_data_subjects"
    __table_args__ = (Index("ix_personal_data_subjects_apartment_id", "apartment_id", "event_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("personal_data_log.id", ondelete="CASCADE"), primary_key=True
    )
    apartment_id: Mapped[int] = mapped_column(primary_key=True)
