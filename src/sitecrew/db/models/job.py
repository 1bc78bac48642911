"""Jobs, appointments and maintenance records (wear reports)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import as_utc, enum_check
from sitecrew.domain import crews as dc
from sitecrew.domain import jobs as d

_ONE_TARGET = (
    "(CASE WHEN furniture_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN apartment_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN site_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class Job(Base):
    """A piece of work at exactly one target; ``version`` guards against lost updates."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_ONE_TARGET, name="one_target"),
        enum_check("kind", d.JobKind, "kind"),
        enum_check("status", d.JobStatus, "status"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    furniture_id: Mapped[int | None] = mapped_column(ForeignKey("furniture.id"), index=True)
    apartment_id: Mapped[int | None] = mapped_column(ForeignKey("apartments.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=d.JobStatus.OPEN.value, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Job:
        """Return the domain object."""
        return d.Job(
            kind=d.JobKind(self.kind),
            target=d.JobTarget(self.furniture_id, self.apartment_id, self.site_id),
            region_id=self.region_id,
            duration_minutes=self.duration_minutes,
            required_skills=dc.parse_skills(self.required_skills),
            priority=self.priority,
            due_on=self.due_on,
            status=d.JobStatus(self.status),
            version=self.version,
            notes=self.notes,
            id=self.id,
        )


class Appointment(Base):
    """A visit window agreed with a tenant (stored in UTC)."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("window_end > window_start", name="window_ordered"),
        enum_check("status", d.AppointmentStatus, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=d.AppointmentStatus.PROPOSED.value)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Appointment:
        """Return the domain object."""
        start, end = as_utc(self.window_start), as_utc(self.window_end)
        if start is None or end is None:  # pragma: no cover (the columns are NOT NULL)
            raise ValueError("appointment window is incomplete")
        return d.Appointment(
            job_id=self.job_id,
            window=d.TimeWindow(start, end),
            status=d.AppointmentStatus(self.status),
            notes=self.notes,
            version=self.version,
            id=self.id,
        )


class MaintenanceRecord(Base):
    """What was done to a furniture item and the wear seen: product-development feedback."""

    __tablename__ = "maintenance_records"
    __table_args__ = (
        enum_check("action", d.MaintenanceAction, "action"),
        enum_check("wear_type", d.WearType, "wear_type"),
        CheckConstraint("severity BETWEEN 0 AND 3", name="severity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    furniture_id: Mapped[int] = mapped_column(ForeignKey("furniture.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    performed_on: Mapped[date] = mapped_column(Date, index=True)
    action: Mapped[str] = mapped_column(String(32))
    wear_type: Mapped[str] = mapped_column(String(32), default=d.WearType.NONE.value)
    severity: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)

    def to_domain(self) -> d.MaintenanceRecord:
        """Return the domain object."""
        return d.MaintenanceRecord(
            furniture_id=self.furniture_id,
            performed_on=self.performed_on,
            action=d.MaintenanceAction(self.action),
            wear_type=d.WearType(self.wear_type),
            severity=self.severity,
            notes=self.notes,
            job_id=self.job_id,
            crew_id=self.crew_id,
            id=self.id,
        )
