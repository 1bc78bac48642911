"""Expansion scenarios (issue 18 item 5): a siting, its crews and costs, run in the background."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check
from sitecrew.domain.routes import RunState


class ExpansionScenario(Base):
    """One scenario: what it asks (``input``), how far its run got, and what it found.

    ``region_id`` is the database region it was asked for (its planners may read it); NULL for
    a region known only by its extract (``data/osm/regions.toml``), which only admins plan.
    ``street_region`` is the street graph's slug either way. The run's state, stage and
    ``done``/``total`` are written as it goes; ``result`` (siting, crews, costs, per-depot
    sites) is kept once it succeeded, ``error`` says why it failed.
    """

    __tablename__ = "expansion_scenarios"
    __table_args__ = (
        enum_check("status", RunState, "status"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress_counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    street_region: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=RunState.QUEUED.value)
    stage: Mapped[str] = mapped_column(String(100), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
