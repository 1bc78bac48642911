"""Planning runs: background route-planning jobs with progress, and why jobs stayed unplanned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import RunKind, RunState


class PlanningRun(Base):
    """One request to plan: a day, a campaign's sweep, or an expansion scenario (``kind``).

    All kinds share the queue, states, progress, ownership, deadline and attempts, so a
    campaign plan or a scenario gets the same guarantees as a day plan (a dead worker's run is
    retried or failed, never stuck). A campaign run's ``region_id`` is its campaign's region
    (access is the region's planners', as for a day) and ``service_date`` the day it plans
    from. An ``expansion`` run computes ``scenario_id``, whose row keeps the result; its region
    is NULL for a region known only by its extract.
    """

    __tablename__ = "planning_runs"
    __table_args__ = (
        enum_check("status", RunState, "status"),
        enum_check("kind", RunKind, "kind"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        CheckConstraint(
            "(kind = 'campaign') = (campaign_id IS NOT NULL)", name="campaign_run_has_campaign"
        ),
        CheckConstraint(
            "(kind = 'expansion') = (scenario_id IS NOT NULL)", name="expansion_run_has_scenario"
        ),
        CheckConstraint("region_id IS NOT NULL OR kind = 'expansion'", name="run_has_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: NULL only for an expansion run of a region known only by its extract.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    service_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=RunState.QUEUED.value)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[int | None] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: How often a worker started the run (a run whose worker died is retried up to a limit).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The task queue the run waits on (NULL: executed by the server that queued it).
    queue: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(
        String(16), default=RunKind.DAY.value, server_default=RunKind.DAY.value
    )
    #: The campaign a ``campaign`` run plans (NULL for a day's run).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    #: The expansion scenario an ``expansion`` run computes (NULL otherwise).
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("expansion_scenarios.id"), index=True
    )


class UnassignedJob(Base):
    """A job a planning run could not place, with the reason for the planner."""

    __tablename__ = "unassigned_jobs"
    __table_args__ = (
        UniqueConstraint("run_id", "job_id"),
        enum_check("reason", UnassignedReason, "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("planning_runs.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
