"""The furniture care programme: plans per product model, regional seasons, care jobs' items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain import care as d
from sitecrew.domain import crews as dc
from sitecrew.domain import jobs as dj

_SEASON_BOTH_OR_NONE = "(season_start_month IS NULL) = (season_end_month IS NULL)"
_SEASON_RANGE = (
    "season_start_month IS NULL OR (season_start_month BETWEEN 1 AND 12"
    " AND season_end_month BETWEEN 1 AND 12)"
)


class CarePlan(Base):
    """What is done to every piece of one furniture model, how often, when and by whom."""

    __tablename__ = "care_plans"
    __table_args__ = (
        UniqueConstraint("model_id", "action", "region_id"),
        enum_check("job_kind", dj.JobKind, "job_kind"),
        CheckConstraint("interval_months > 0", name="interval_positive"),
        CheckConstraint(_SEASON_BOTH_OR_NONE, name="season_both_or_none"),
        CheckConstraint(_SEASON_RANGE, name="season_range"),
        CheckConstraint("minutes_per_piece > 0", name="minutes_positive"),
        CheckConstraint("setup_minutes >= 0", name="setup_non_negative"),
        CheckConstraint("people BETWEEN 1 AND 10", name="people_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("furniture_models.id", ondelete="CASCADE"))
    #: ``None``: the catalogue's default; else this region's own plan, replacing it there.
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    job_kind: Mapped[str] = mapped_column(String(32))
    interval_months: Mapped[int] = mapped_column(Integer)
    season_start_month: Mapped[int | None] = mapped_column(Integer)
    season_end_month: Mapped[int | None] = mapped_column(Integer)
    minutes_per_piece: Mapped[int] = mapped_column(Integer)
    setup_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    required_skills: Mapped[list[str]] = mapped_column(JSON)
    people: Mapped[int] = mapped_column(Integer, server_default="1")
    counted_actions: Mapped[list[str]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.CarePlan:
        """Return the domain object."""
        season = None
        if self.season_start_month is not None and self.season_end_month is not None:
            season = d.Season(self.season_start_month, self.season_end_month)
        return d.CarePlan(
            model_id=self.model_id,
            region_id=self.region_id,
            action=self.action,
            job_kind=dj.JobKind(self.job_kind),
            interval_months=self.interval_months,
            season=season,
            minutes_per_piece=self.minutes_per_piece,
            setup_minutes=self.setup_minutes,
            required_skills=dc.parse_skills(self.required_skills),
            people=self.people,
            counted_actions=frozenset(dj.MaintenanceAction(a) for a in self.counted_actions),
            id=self.id,
            version=self.version,
        )


class CareSeason(Base):
    """A region's own season for an action (its dry months for outdoor oiling)."""

    __tablename__ = "care_seasons"
    __table_args__ = (
        UniqueConstraint("region_id", "action"),
        CheckConstraint(
            "start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12", name="months_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    start_month: Mapped[int] = mapped_column(Integer)
    end_month: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.RegionSeason:
        """Return the domain object."""
        return d.RegionSeason(
            region_id=self.region_id,
            action=self.action,
            season=d.Season(self.start_month, self.end_month),
            id=self.id,
            version=self.version,
        )


class CareJob(Base):
    """What made a job care work: its action, due window, how overdue, worst grade, people."""

    __tablename__ = "care_jobs"
    __table_args__ = (
        CheckConstraint("due_by >= due_from", name="window_ordered"),
        CheckConstraint("days_overdue >= 0", name="overdue_non_negative"),
        CheckConstraint("people >= 1", name="people_positive"),
    )

    job_id: Mapped[int] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(String(32))
    due_from: Mapped[date] = mapped_column(Date)
    due_by: Mapped[date] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column(Integer, server_default="0")
    worst_grade: Mapped[int] = mapped_column(Integer, server_default="0")
    people: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JobItem(Base):
    """One furniture item a job covers, for which action and cycle, and when it was done."""

    __tablename__ = "job_items"
    __table_args__ = (Index("ix_job_items_furniture_id_action", "furniture_id", "action"),)

    job_id: Mapped[int] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    furniture_id: Mapped[int] = mapped_column(
        ForeignKey("furniture.id", ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(String(32))
    cycle_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
