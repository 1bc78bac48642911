"""expansion runs: an expansion scenario runs as a planning run of kind ``expansion``

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Issue 18, item 5 (DESIGN convention 19): a scenario is background work like a day's plan or a
campaign's sweep, so it reuses ``planning_runs`` (queue, claim, heartbeat, deadline, attempts,
supervision) instead of a parallel queue:

- ``planning_runs.kind`` may be ``expansion``;
- ``planning_runs.scenario_id``: the scenario an ``expansion`` run computes (NULL otherwise),
  with a check that exactly the expansion runs name one;
- ``planning_runs.region_id`` may be NULL for an expansion run only (a scenario of a region
  known only by its extract has no database region).

The table is rebuilt on SQLite, which is safe for ``planning_runs`` (no map-feature triggers).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scenario_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_planning_runs_scenario_id_expansion_scenarios"),
            "expansion_scenarios",
            ["scenario_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_planning_runs_scenario_id"), ["scenario_id"], unique=False
        )
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_planning_runs_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_kind"), "kind IN ('day', 'campaign', 'expansion')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_expansion_run_has_scenario"),
            "(kind = 'expansion') = (scenario_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_run_has_region"),
            "region_id IS NOT NULL OR kind = 'expansion'",
        )


def downgrade() -> None:
    # A schema without expansion runs knows none: they go (their scenarios keep their rows).
    op.execute("DELETE FROM planning_runs WHERE kind = 'expansion'")
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_planning_runs_run_has_region"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("ck_planning_runs_expansion_run_has_scenario"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_planning_runs_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_planning_runs_kind"), "kind IN ('day', 'campaign')"
        )
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_planning_runs_scenario_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_planning_runs_scenario_id_expansion_scenarios"), type_="foreignkey"
        )
        batch_op.drop_column("scenario_id")
