"""Installation campaigns: the campaign, its crews, every home in its scope and every visit.

A home's row carries the sweep's current answer for it (day, crew, window, order within the
crew's day) and its history in counts (attempts, failed attempts, the last outcome); each visit
that became a job is a ``campaign_visits`` row, which holds what happened (convention 18: facts
are stored when they happen, the forecast reads them back as they were).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
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
from sitecrew.domain.campaigns import CampaignStatus, HomeState, VisitOutcome
from sitecrew.domain.jobs import JobKind

#: ``confirmed`` says the same as the state, for readers that filter on a flag; the check keeps
#: the two from drifting apart.
CONFIRMED_MATCHES_STATE = "confirmed = (state = 'confirmed')"


class Campaign(Base):
    """A campaign: region, service time model, dates, daily target and how it handles failures."""

    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("region_id", "name"),
        enum_check("status", CampaignStatus, "status"),
        enum_check("job_kind", JobKind, "job_kind"),
        CheckConstraint("deadline_on >= start_on", name="dates_ordered"),
        CheckConstraint("minutes_per_home > 0", name="minutes_positive"),
        CheckConstraint("setup_minutes_per_entrance >= 0", name="setup_non_negative"),
        CheckConstraint("visits_per_crew_day > 0", name="visits_positive"),
        CheckConstraint("revisit_share >= 0 AND revisit_share < 1", name="revisit_share_range"),
        CheckConstraint("max_failed_attempts > 0", name="max_failed_positive"),
        CheckConstraint("window_minutes > 0", name="window_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    job_kind: Mapped[str] = mapped_column(
        String(32),
        default=JobKind.INSTALL_MEDIA_BOX.value,
        server_default=JobKind.INSTALL_MEDIA_BOX.value,
    )
    minutes_per_home: Mapped[float] = mapped_column(Float)
    setup_minutes_per_entrance: Mapped[float] = mapped_column(Float)
    start_on: Mapped[date] = mapped_column(Date)
    deadline_on: Mapped[date] = mapped_column(Date)
    visits_per_crew_day: Mapped[int] = mapped_column(Integer)
    revisit_share: Mapped[float] = mapped_column(Float)
    #: Learned from recorded outcomes: the share of attempts that end at the door (nobody home,
    #: no access, refused) and the minutes such an attempt takes.
    door_share: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    door_minutes: Mapped[float] = mapped_column(Float, default=5.0, server_default="5")
    #: Learned spread (standard deviation, minutes) of a successful visit's duration.
    visit_minutes_sd: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    #: The planner's setting: the share of crew-days that should end within the shift.
    on_time_confidence: Mapped[float] = mapped_column(Float, default=0.8, server_default="0.8")
    max_failed_attempts: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    window_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)


class CampaignCrew(Base):
    """A crew the campaign may give days to (contractor crews serve only their districts)."""

    __tablename__ = "campaign_crews"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), primary_key=True, index=True)


class CampaignHome(Base):
    """One apartment of a campaign: where the sweep put it and how its visits went.

    ``day``, ``crew_id``, the window (UTC) and ``visit_order`` are empty while the home is
    pending; ``earliest_on`` holds a re-visit back until the crew is in that building again.
    """

    __tablename__ = "campaign_homes"
    __table_args__ = (
        UniqueConstraint("campaign_id", "apartment_id"),
        enum_check("state", HomeState, "state"),
        enum_check("last_outcome", VisitOutcome, "last_outcome"),
        CheckConstraint(CONFIRMED_MATCHES_STATE, name="confirmed_matches_state"),
        CheckConstraint(
            "attempts >= 0 AND failed_attempts >= 0 AND failed_attempts <= attempts",
            name="attempts_counted",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    apartment_id: Mapped[int] = mapped_column(ForeignKey("apartments.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=HomeState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    day: Mapped[date | None] = mapped_column(Date, index=True)
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    visit_order: Mapped[int | None] = mapped_column(Integer)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    earliest_on: Mapped[date | None] = mapped_column(Date)
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)


class CampaignVisit(Base):
    """A visit of a home that became a job: when, by whom, in which window, and how it ended."""

    __tablename__ = "campaign_visits"
    __table_args__ = (
        # One visit per attempt: a second materialisation of the same day cannot add another.
        UniqueConstraint("campaign_home_id", "attempt"),
        enum_check("outcome", VisitOutcome, "outcome"),
        CheckConstraint("attempt > 0", name="attempt_positive"),
        CheckConstraint("window_end > window_start", name="window_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_home_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_homes.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)
