"""care plans: what is done to each furniture model how often, regional seasons, job items

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Issue 17, items 1-2 (furniture care programme):

- ``care_plans``: per furniture model and action (``oil``, ``inspect``, ``tighten_fixings``...),
  for every region (``region_id`` empty: the catalogue's default, the admins') or for one region
  (its planners' own, which replaces the default there): the job kind it becomes, the interval in months, an optional season (months, may wrap the
  year's end), minutes per piece and per site (setup), skills and people, and which maintenance
  record actions count as having done it (``counted_actions``: an oiling visit is also a look).
- ``care_seasons``: a region's own season for an action (outdoor oiling only in its dry
  months), overriding the plans' season there.
- ``care_jobs``: what made a job care work: the action, its due window (``due_on`` of the job
  is the window's start, so day planning takes it from then), how overdue its most overdue item
  was, the worst condition among its items, and the people it needs.
- ``job_items``: the furniture items a job covers, with the action and the cycle date it was
  created for, and the day it was done; this is what makes generating due work idempotent and
  lets a completed care job advance each item's cycle.

New tables only: nothing existing is rebuilt, so the map-feature triggers of 0003 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOB_KINDS = "job_kind IN ('install_furniture', 'oil', 'repair', 'inspect', 'install_media_box')"
SEASON_BOTH_OR_NONE = "(season_start_month IS NULL) = (season_end_month IS NULL)"
SEASON_RANGE = (
    "season_start_month IS NULL OR (season_start_month BETWEEN 1 AND 12"
    " AND season_end_month BETWEEN 1 AND 12)"
)


def upgrade() -> None:
    _create_care_plans()
    _create_care_seasons()
    _create_care_jobs()
    _create_job_items()


def _create_care_plans() -> None:
    op.create_table(
        "care_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("job_kind", sa.String(length=32), nullable=False),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("season_start_month", sa.Integer(), nullable=True),
        sa.Column("season_end_month", sa.Integer(), nullable=True),
        sa.Column("minutes_per_piece", sa.Integer(), nullable=False),
        sa.Column("setup_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("counted_actions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.CheckConstraint(JOB_KINDS, name=op.f("ck_care_plans_job_kind")),
        sa.CheckConstraint("interval_months > 0", name=op.f("ck_care_plans_interval_positive")),
        sa.CheckConstraint(SEASON_BOTH_OR_NONE, name=op.f("ck_care_plans_season_both_or_none")),
        sa.CheckConstraint(SEASON_RANGE, name=op.f("ck_care_plans_season_range")),
        sa.CheckConstraint("minutes_per_piece > 0", name=op.f("ck_care_plans_minutes_positive")),
        sa.CheckConstraint("setup_minutes >= 0", name=op.f("ck_care_plans_setup_non_negative")),
        sa.CheckConstraint("people BETWEEN 1 AND 10", name=op.f("ck_care_plans_people_range")),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["furniture_models.id"],
            name=op.f("fk_care_plans_model_id_furniture_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_care_plans_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plans")),
        sa.UniqueConstraint(
            "model_id", "action", "region_id", name=op.f("uq_care_plans_model_id_action_region_id")
        ),
    )
    op.create_index(op.f("ix_care_plans_region_id"), "care_plans", ["region_id"])


def _create_care_seasons() -> None:
    op.create_table(
        "care_seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("end_month", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint(
            "start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12",
            name=op.f("ck_care_seasons_months_range"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_care_seasons_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_seasons")),
        sa.UniqueConstraint("region_id", "action", name=op.f("uq_care_seasons_region_id_action")),
    )


def _create_care_jobs() -> None:
    op.create_table(
        "care_jobs",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("due_from", sa.Date(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("worst_grade", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("people", sa.Integer(), nullable=False, server_default="1"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.CheckConstraint("due_by >= due_from", name=op.f("ck_care_jobs_window_ordered")),
        sa.CheckConstraint("days_overdue >= 0", name=op.f("ck_care_jobs_overdue_non_negative")),
        sa.CheckConstraint("people >= 1", name=op.f("ck_care_jobs_people_positive")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_care_jobs_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_care_jobs")),
    )


def _create_job_items() -> None:
    op.create_table(
        "job_items",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("furniture_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("cycle_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_items_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["furniture_id"],
            ["furniture.id"],
            name=op.f("fk_job_items_furniture_id_furniture"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "furniture_id", name=op.f("pk_job_items")),
    )
    op.create_index("ix_job_items_furniture_id_action", "job_items", ["furniture_id", "action"])


def downgrade() -> None:
    op.drop_index("ix_job_items_furniture_id_action", table_name="job_items")
    op.drop_table("job_items")
    op.drop_table("care_jobs")
    op.drop_table("care_seasons")
    op.drop_index(op.f("ix_care_plans_region_id"), table_name="care_plans")
    op.drop_table("care_plans")
