"""Inspections with NS 3424 grades, coded repairs, their wear codes and photos (issue 17)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.condition import ConditionGrade
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import WearCode as WearCodeFacts
from sitecrew.domain.wear_codes import WearLevel


class WearCode(Base):
    """One code of a family's wear list; ``path`` names it inside its family and level."""

    __tablename__ = "care_wear_codes"
    __table_args__ = (
        enum_check("family", FurnitureCategory, "family"),
        enum_check("level", WearLevel, "level"),
        CheckConstraint("(level = 'part') = (parent_id IS NULL)", name="parent_by_level"),
        UniqueConstraint("family", "level", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(48))
    label: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("care_wear_codes.id"), index=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> WearCodeFacts:
        """Return the domain object."""
        return WearCodeFacts(
            family=FurnitureCategory(self.family),
            level=WearLevel(self.level),
            code=self.code,
            label=self.label,
            path=self.path,
            parent_id=self.parent_id,
            retired=self.retired,
            id=self.id,
            version=self.version,
        )


class Inspection(Base):
    """An inspection of one item on a job; ``grade`` is derived from its components."""

    __tablename__ = "care_inspections"
    __table_args__ = (
        enum_check("grade", ConditionGrade, "grade"),
        Index("ix_care_inspections_furniture_id_inspected_on", "furniture_id", "inspected_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    furniture_id: Mapped[int] = mapped_column(ForeignKey("furniture.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    inspected_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[str] = mapped_column(String(4))
    notes: Mapped[str | None] = mapped_column(Text)
    #: The repair job this inspection raised, if any.
    repair_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InspectionComponent(Base):
    """One component's grade in an inspection, with the cause and consequence (NS 3424)."""

    __tablename__ = "care_inspection_components"
    __table_args__ = (
        enum_check("grade", ConditionGrade, "grade"),
        UniqueConstraint("inspection_id", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("care_inspections.id", ondelete="CASCADE")
    )
    part_id: Mapped[int] = mapped_column(ForeignKey("care_wear_codes.id"))
    grade: Mapped[str] = mapped_column(String(4))
    cause: Mapped[str | None] = mapped_column(Text)
    consequence: Mapped[str | None] = mapped_column(Text)


class Repair(Base):
    """A repair of one item on a job, coded part / failure mode / cause / remedy."""

    __tablename__ = "care_repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    furniture_id: Mapped[int] = mapped_column(
        ForeignKey("furniture.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    performed_on: Mapped[date] = mapped_column(Date)
    part_id: Mapped[int] = mapped_column(ForeignKey("care_wear_codes.id"))
    failure_mode_id: Mapped[int] = mapped_column(ForeignKey("care_wear_codes.id"))
    cause_id: Mapped[int] = mapped_column(ForeignKey("care_wear_codes.id"))
    remedy_id: Mapped[int] = mapped_column(ForeignKey("care_wear_codes.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CarePhoto(Base):
    """A photo taken on a job: its bytes live in the photo directory under their SHA-256.

    ``crew_id`` is the crew that took it (null when a planner uploaded it); the region is the
    job's, kept here so that the access rule is one comparison.
    """

    __tablename__ = "care_photos"
    __table_args__ = (
        UniqueConstraint("job_id", "sha256"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_inspections.id", ondelete="SET NULL")
    )
    repair_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_repairs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
