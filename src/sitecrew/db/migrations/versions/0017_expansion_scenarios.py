"""expansion scenarios: a siting with its crews and costs, run in the background

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

Issue 18, item 5: ``expansion_scenarios`` holds what a scenario asks (region, demand and
candidate sources or fixed depots, k, objective, rates), its run's state and progress (stage,
done of total), the result kept once it succeeded and the error when it failed.

A new table only: nothing existing is rebuilt, so the map-feature triggers of 0003 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expansion_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("street_region", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_expansion_scenarios_status"),
        ),
        sa.CheckConstraint(
            "done >= 0 AND total >= 0", name=op.f("ck_expansion_scenarios_progress_counts")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_expansion_scenarios_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expansion_scenarios")),
    )
    op.create_index(op.f("ix_expansion_scenarios_region_id"), "expansion_scenarios", ["region_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_expansion_scenarios_region_id"), table_name="expansion_scenarios")
    op.drop_table("expansion_scenarios")
