"""Stored routes and their stops, as the planner writes them (draft, then published)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import enum_check, line_column_type, stop_point_column_type
from sitecrew.domain.plans import StopKind
from sitecrew.domain.routes import RouteState

PUBLISHED_ONLY = "status = 'published'"


class Route(Base):
    """One crew's route for one day."""

    __tablename__ = "routes"
    __table_args__ = (
        enum_check("status", RouteState, "status"),
        # At most one published route per crew and day: racing publishes cannot both win.
        Index(
            "uq_routes_published_crew_day",
            "crew_id",
            "service_date",
            unique=True,
            postgresql_where=text(PUBLISHED_ONLY),
            sqlite_where=text(PUBLISHED_ONLY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("planning_runs.id"), index=True)
    service_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=RouteState.DRAFT.value)
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    distance_metres: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RouteStop(Base):
    """A stop on a route, with the road-following leg that leads to it."""

    __tablename__ = "route_stops"
    __table_args__ = (
        UniqueConstraint("route_id", "sequence"),
        enum_check("kind", StopKind, "kind"),
        CheckConstraint("departure_at >= arrival_at", name="departure_after_arrival"),
        CheckConstraint("travel_seconds >= 0 AND distance_metres >= 0", name="leg_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    arrival_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    departure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    distance_metres: Mapped[int] = mapped_column(Integer, default=0)
    fixed: Mapped[bool] = mapped_column(default=False, server_default=false())
    leg: Mapped[Any] = mapped_column(line_column_type(), nullable=True)
    #: Where the crew was sent, stored at planning time (a target moved later does not move it).
    location: Mapped[Any] = mapped_column(stop_point_column_type(), nullable=True)
