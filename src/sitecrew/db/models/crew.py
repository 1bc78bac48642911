"""Depots, crews and crew members."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check, from_db_geometry, point_column_type
from sitecrew.domain import calendars
from sitecrew.domain import crews as d


class Depot(Base):
    """A crew base."""

    __tablename__ = "depots"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[Any] = mapped_column(point_column_type())
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Depot:
        """Return the domain object."""
        return d.Depot(
            name=self.name,
            region_id=self.region_id,
            location=from_db_geometry(self.location),
            address=self.address,
            id=self.id,
            version=self.version,
        )


class Crew(Base):
    """A routed team; skills are a JSON list of skill names."""

    __tablename__ = "crews"
    __table_args__ = (
        CheckConstraint("shift_end > shift_start", name="shift_ordered"),
        CheckConstraint("lunch_latest >= lunch_earliest", name="lunch_ordered"),
        CheckConstraint("max_jobs_per_day > 0", name="max_jobs_positive"),
        CheckConstraint("lunch_minutes >= 0", name="lunch_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    lunch_minutes: Mapped[int] = mapped_column(Integer, default=30)
    lunch_earliest: Mapped[time] = mapped_column(Time)
    lunch_latest: Mapped[time] = mapped_column(Time)
    max_jobs_per_day: Mapped[int] = mapped_column(Integer, default=20)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Seven entries, Monday first: ``["07:30", "15:30"]`` or null (off); null column = Mon-Fri.
    week_pattern: Mapped[list[list[str] | None] | None] = mapped_column(JSON)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)
    min_members: Mapped[int] = mapped_column(Integer, server_default="1")
    works_public_holidays: Mapped[bool] = mapped_column(Boolean, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Crew:
        """Return the domain object."""
        return d.Crew(
            name=self.name,
            region_id=self.region_id,
            depot_id=self.depot_id,
            shift_start=self.shift_start,
            shift_end=self.shift_end,
            lunch_minutes=self.lunch_minutes,
            lunch_earliest=self.lunch_earliest,
            lunch_latest=self.lunch_latest,
            max_jobs_per_day=self.max_jobs_per_day,
            skills=d.parse_skills(self.skills),
            organisation_id=self.organisation_id,
            id=self.id,
            version=self.version,
            week_pattern=(
                None
                if self.week_pattern is None
                else calendars.WeekPattern.from_json(self.week_pattern).days
            ),
            active_from=self.active_from,
            active_until=self.active_until,
            min_members=self.min_members or 1,
            works_public_holidays=bool(self.works_public_holidays),
        )


class CrewMember(Base):
    """A person in a crew."""

    __tablename__ = "crew_members"
    __table_args__ = (enum_check("role", d.CrewRole, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    training_completed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.CrewMember:
        """Return the domain object."""
        return d.CrewMember(
            crew_id=self.crew_id,
            name=self.name,
            role=d.CrewRole(self.role),
            skills=d.parse_skills(self.skills),
            training_completed_on=self.training_completed_on,
            id=self.id,
            version=self.version,
        )


class MemberAbsence(Base):
    """A stretch of days (both ends included) a crew member does not work."""

    __tablename__ = "member_absences"
    __table_args__ = (
        enum_check("kind", d.AbsenceKind, "kind"),
        CheckConstraint("ends_on >= starts_on", name="absence_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("crew_members.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> calendars.Absence:
        """Return the domain object."""
        return calendars.Absence(
            member_id=self.member_id,
            kind=d.AbsenceKind(self.kind),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            note=self.note,
            id=self.id,
            version=self.version,
        )
