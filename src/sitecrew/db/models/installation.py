"""Installation projects: new pieces to install at a site, done by one or more two-person jobs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base


class Installation(Base):
    """An order to install pieces at a site, done by its parts (:class:`InstallationPart`).

    ``installed_on`` is set when its last part is done; its status is derived from its parts'.
    """

    __tablename__ = "installations"
    __table_args__ = (CheckConstraint("wanted_to >= wanted_from", name="window_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    wanted_from: Mapped[date] = mapped_column(Date)
    wanted_to: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    installed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)


class InstallationLine(Base):
    """How many pieces of one catalogue model an installation puts in, and minutes per piece."""

    __tablename__ = "installation_lines"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint("minutes_per_piece > 0", name="minutes_positive"),
    )

    installation_id: Mapped[int] = mapped_column(
        ForeignKey("installations.id", ondelete="CASCADE"), primary_key=True
    )
    model_id: Mapped[int] = mapped_column(ForeignKey("furniture_models.id"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    minutes_per_piece: Mapped[int] = mapped_column(Integer)


class InstallationPart(Base):
    """One job of an order, at most one crew-day: which pieces it puts in, and when it did.

    ``pieces`` is ``[[model_id, count], ...]``; ``installed_on`` is set once, when the job is
    done and the part's pieces enter the register: a second completion finds it set.
    """

    __tablename__ = "installation_parts"
    __table_args__ = (CheckConstraint("part >= 1", name="part_positive"),)

    installation_id: Mapped[int] = mapped_column(
        ForeignKey("installations.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    pieces: Mapped[list[list[int]]] = mapped_column(JSON)
    installed_on: Mapped[date | None] = mapped_column(Date)
