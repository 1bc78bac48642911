"""campaign attempt model: what a visit attempt costs, learned, and how sure a day must be

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28

A crew-day is planned from what an *attempt* costs, not a successful visit (issue 15): about
one attempt in eight ends at the door in a few minutes, and a day packed as if every tenant
opened leaves that time idle. ``door_share`` and ``door_minutes`` are learned from recorded
outcomes, ``visit_minutes_sd`` from recorded durations; ``on_time_confidence`` is the planner's
setting: the share of crew-days that must end within the shift.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns", sa.Column("door_share", sa.Float(), nullable=False, server_default="0")
    )
    op.add_column(
        "campaigns", sa.Column("door_minutes", sa.Float(), nullable=False, server_default="5")
    )
    op.add_column(
        "campaigns",
        sa.Column("visit_minutes_sd", sa.Float(), nullable=False, server_default="0"),
    )
    op.add_column(
        "campaigns",
        sa.Column("on_time_confidence", sa.Float(), nullable=False, server_default="0.8"),
    )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("on_time_confidence")
        batch.drop_column("visit_minutes_sd")
        batch.drop_column("door_minutes")
        batch.drop_column("door_share")
