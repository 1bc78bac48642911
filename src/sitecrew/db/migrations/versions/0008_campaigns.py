"""installation campaigns: campaigns, their crews, homes and visits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

- ``campaigns``: a region's campaign (unique name per region), its job kind, service time model
  (minutes per home, setup per entrance), dates, target visits per crew-day, the share of each
  day kept for re-visits, the failed attempts before a home is escalated, the window length.
- ``campaign_crews``: the crews a campaign may use (a contractor's crews serve only the
  districts bound to that contractor; the rule reads ``districts.contractor_id`` and
  ``crews.organisation_id``, so nothing more is stored).
- ``campaign_homes``: every apartment in scope once per campaign, with the sweep's day, crew,
  window and order, and its attempts.
- ``campaign_visits``: each visit that became a job, one per attempt, with its outcome.

New tables only: nothing existing is rebuilt, so the map-feature triggers of 0003 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAMPAIGN_STATES = "status IN ('draft', 'active', 'completed', 'cancelled')"
HOME_STATES = "state IN ('pending', 'proposed', 'confirmed', 'done', 'escalated')"
OUTCOMES = "'done', 'no_show', 'no_access', 'refused', 'needs_follow_up'"
JOB_KINDS = "job_kind IN ('install_furniture', 'oil', 'repair', 'inspect', 'install_media_box')"


def _stamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False, server_default="1")


def upgrade() -> None:
    _create_campaigns()
    _create_campaign_crews()
    _create_campaign_homes()
    _create_campaign_visits()


def _create_campaigns() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "job_kind", sa.String(length=32), nullable=False, server_default="install_media_box"
        ),
        sa.Column("minutes_per_home", sa.Float(), nullable=False),
        sa.Column("setup_minutes_per_entrance", sa.Float(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("visits_per_crew_day", sa.Integer(), nullable=False),
        sa.Column("revisit_share", sa.Float(), nullable=False),
        sa.Column("max_failed_attempts", sa.Integer(), nullable=False, server_default="3"),
        sa.Column("window_minutes", sa.Integer(), nullable=False, server_default="120"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _version(),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.CheckConstraint(CAMPAIGN_STATES, name=op.f("ck_campaigns_status")),
        sa.CheckConstraint(JOB_KINDS, name=op.f("ck_campaigns_job_kind")),
        sa.CheckConstraint("deadline_on >= start_on", name=op.f("ck_campaigns_dates_ordered")),
        sa.CheckConstraint("minutes_per_home > 0", name=op.f("ck_campaigns_minutes_positive")),
        sa.CheckConstraint(
            "setup_minutes_per_entrance >= 0", name=op.f("ck_campaigns_setup_non_negative")
        ),
        sa.CheckConstraint("visits_per_crew_day > 0", name=op.f("ck_campaigns_visits_positive")),
        sa.CheckConstraint(
            "revisit_share >= 0 AND revisit_share < 1",
            name=op.f("ck_campaigns_revisit_share_range"),
        ),
        sa.CheckConstraint(
            "max_failed_attempts > 0", name=op.f("ck_campaigns_max_failed_positive")
        ),
        sa.CheckConstraint("window_minutes > 0", name=op.f("ck_campaigns_window_positive")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_campaigns_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("region_id", "name", name=op.f("uq_campaigns_region_id_name")),
    )
    op.create_index(op.f("ix_campaigns_region_id"), "campaigns", ["region_id"])


def _create_campaign_crews() -> None:
    op.create_table(
        "campaign_crews",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_crews_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_campaign_crews_crew_id_crews")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "crew_id", name=op.f("pk_campaign_crews")),
    )
    op.create_index(op.f("ix_campaign_crews_crew_id"), "campaign_crews", ["crew_id"])


def _create_campaign_homes() -> None:
    op.create_table(
        "campaign_homes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        _stamp("window_start"),
        _stamp("window_end"),
        sa.Column("visit_order", sa.Integer(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("earliest_on", sa.Date(), nullable=True),
        sa.Column("last_outcome", sa.String(length=16), nullable=True),
        _version(),
        sa.CheckConstraint(HOME_STATES, name=op.f("ck_campaign_homes_state")),
        sa.CheckConstraint(
            f"last_outcome IN ({OUTCOMES})", name=op.f("ck_campaign_homes_last_outcome")
        ),
        sa.CheckConstraint(
            "confirmed = (state = 'confirmed')",
            name=op.f("ck_campaign_homes_confirmed_matches_state"),
        ),
        sa.CheckConstraint(
            "attempts >= 0 AND failed_attempts >= 0 AND failed_attempts <= attempts",
            name=op.f("ck_campaign_homes_attempts_counted"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_homes_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartments.id"],
            name=op.f("fk_campaign_homes_apartment_id_apartments"),
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_campaign_homes_crew_id_crews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_homes")),
        sa.UniqueConstraint(
            "campaign_id", "apartment_id", name=op.f("uq_campaign_homes_campaign_id_apartment_id")
        ),
    )
    for column in ("campaign_id", "apartment_id", "day"):
        op.create_index(op.f(f"ix_campaign_homes_{column}"), "campaign_homes", [column])


def _create_campaign_visits() -> None:
    op.create_table(
        "campaign_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_home_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        _stamp("started_at"),
        _stamp("ended_at"),
        _stamp("recorded_at"),
        sa.Column("notes", sa.Text(), nullable=True),
        _version(),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_campaign_visits_outcome")),
        sa.CheckConstraint("attempt > 0", name=op.f("ck_campaign_visits_attempt_positive")),
        sa.CheckConstraint(
            "window_end > window_start", name=op.f("ck_campaign_visits_window_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_home_id"],
            ["campaign_homes.id"],
            name=op.f("fk_campaign_visits_campaign_home_id_campaign_homes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_campaign_visits_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_campaign_visits_crew_id_crews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_visits")),
        sa.UniqueConstraint(
            "campaign_home_id", "attempt", name=op.f("uq_campaign_visits_campaign_home_id_attempt")
        ),
    )
    for column in ("campaign_home_id", "job_id", "day"):
        op.create_index(op.f(f"ix_campaign_visits_{column}"), "campaign_visits", [column])


def downgrade() -> None:
    op.drop_table("campaign_visits")
    op.drop_table("campaign_homes")
    op.drop_table("campaign_crews")
    op.drop_table("campaigns")
