"""queued planning runs: cancellation, attempts, the queue a run waits on

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

- ``planning_runs.status`` may be ``cancelled``: a planner stopped the run (before it started,
  or at its worker's next progress check).
- ``planning_runs.attempts``: how often a worker started the run. A run whose worker died is
  handed to another worker by the task queue, up to ``SITECREW_RUN_ATTEMPTS`` starts; after
  that it is failed rather than started again (a run that kills its worker every time must not
  loop forever).
- ``planning_runs.queue``: the task queue a run waits on (NULL: the server that queued it
  executes it in its own worker pool). A queued run on a queue has no owning process to watch,
  so only its deadline can fail it while it waits.

The columns are plain ``ADD COLUMN``; the status check needs a table rebuild on SQLite, which is
safe for ``planning_runs`` (it carries no map-feature triggers; migrations run with SQLite's
foreign keys off, so its children's rows stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "'queued', 'running', 'succeeded', 'failed'"
NEW_STATES = f"{OLD_STATES}, 'cancelled'"


def _states(values: str) -> None:
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_planning_runs_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_planning_runs_status"), f"status IN ({values})")


def upgrade() -> None:
    op.add_column(
        "planning_runs",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("planning_runs", sa.Column("queue", sa.String(length=100), nullable=True))
    _states(NEW_STATES)


def downgrade() -> None:
    # A cancelled run reads as failed to a schema that has no such state.
    op.execute(
        "UPDATE planning_runs SET status = 'failed', message = 'cancelled' "
        "WHERE status = 'cancelled'"
    )
    _states(OLD_STATES)
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.drop_column("queue")
        batch_op.drop_column("attempts")
