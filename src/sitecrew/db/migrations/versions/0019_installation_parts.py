"""installation parts: an order bigger than one crew-day is several jobs

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05

Issue 17, item 6: a schoolyard's 12 benches and 4 tables were refused ("split it"). An order is
now done by one or more *parts*, each a job of at most one crew-day:

- ``installation_parts``: the order's jobs (``job_id`` unique), numbered from 1, with the
  pieces each puts in (``pieces``: ``[[model_id, count], ...]``) and the day they went in
  (``installed_on``: set once, which makes installing a part idempotent).

Every existing order becomes one part 1 with its job, all its lines' pieces and its install
day; ``installations.job_id`` is dropped (SQLite rebuilds the table in batch mode; no triggers
live on it). Downgrading gives each order its part 1's job back: the jobs of further parts stay
as jobs but lose their link (a downgrade cannot express them).
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_parts = sa.table(
    "installation_parts",
    sa.column("installation_id", sa.Integer()),
    sa.column("part", sa.Integer()),
    sa.column("job_id", sa.Integer()),
    sa.column("pieces", sa.JSON()),
    sa.column("installed_on", sa.Date()),
)
_orders = sa.table(
    "installations",
    sa.column("id", sa.Integer()),
    sa.column("job_id", sa.Integer()),
    sa.column("installed_on", sa.Date()),
)


def upgrade() -> None:
    op.create_table(
        "installation_parts",
        sa.Column("installation_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("pieces", sa.JSON(), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("part >= 1", name=op.f("ck_installation_parts_part_positive")),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_installation_parts_installation_id_installations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_installation_parts_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("installation_id", "part", name=op.f("pk_installation_parts")),
        sa.UniqueConstraint("job_id", name=op.f("uq_installation_parts_job_id")),
    )
    connection = op.get_bind()
    lines: dict[int, list[list[int]]] = defaultdict(list)
    for installation_id, model_id, count in connection.execute(
        sa.text(
            "SELECT installation_id, model_id, count FROM installation_lines "
            "ORDER BY installation_id, model_id"
        )
    ):
        lines[installation_id].append([model_id, count])
    orders = connection.execute(  # typed columns: SQLite hands dates back as text otherwise
        sa.select(_orders.c.id, _orders.c.job_id, _orders.c.installed_on).order_by(_orders.c.id)
    ).all()
    if orders:
        op.bulk_insert(
            _parts,
            [
                {
                    "installation_id": order_id,
                    "part": 1,
                    "job_id": job_id,
                    "pieces": lines[order_id],
                    "installed_on": installed_on,
                }
                for order_id, job_id, installed_on in orders
            ],
        )
    with op.batch_alter_table("installations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_installations_job_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_installations_job_id_jobs"), type_="foreignkey")
        batch_op.drop_column("job_id")


def downgrade() -> None:
    with op.batch_alter_table("installations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE installations SET job_id = (SELECT job_id FROM installation_parts "
        "WHERE installation_parts.installation_id = installations.id AND part = 1)"
    )
    with op.batch_alter_table("installations", schema=None) as batch_op:
        batch_op.alter_column("job_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_installations_job_id_jobs"),
            "jobs",
            ["job_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_installations_job_id"), ["job_id"])
    op.drop_table("installation_parts")
