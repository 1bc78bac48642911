"""campaign plan runs: a planning run plans a day's routes or a campaign's sweep

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

Planning a campaign's sweep became a queued background run (DESIGN convention 19). It reuses
``planning_runs`` (states, progress, owner, heartbeat, deadline, attempts, queue) instead of a
parallel table, so one claim, supervision and retry path serves both kinds:

- ``planning_runs.kind``: ``day`` (every existing run) or ``campaign``;
- ``planning_runs.campaign_id``: the campaign a ``campaign`` run plans (NULL for a day), with a
  check that exactly the campaign runs name one.

A campaign run's ``region_id`` is its campaign's region and ``service_date`` the day it plans
from. The table is rebuilt on SQLite (checks and a foreign key), which is safe for
``planning_runs`` (no map-feature triggers; SQLite's foreign keys are off during migrations).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="day")
        )
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_planning_runs_campaign_id_campaigns"),
            "campaigns",
            ["campaign_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_planning_runs_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_kind"), "kind IN ('day', 'campaign')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_campaign_run_has_campaign"),
            "(kind = 'campaign') = (campaign_id IS NOT NULL)",
        )


def downgrade() -> None:
    # A schema without run kinds knows no campaign runs: they go (their homes are planned).
    op.execute("DELETE FROM planning_runs WHERE kind = 'campaign'")
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_planning_runs_campaign_run_has_campaign"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_planning_runs_kind"), type_="check")
        batch_op.drop_index(batch_op.f("ix_planning_runs_campaign_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_planning_runs_campaign_id_campaigns"), type_="foreignkey"
        )
        batch_op.drop_column("campaign_id")
        batch_op.drop_column("kind")
