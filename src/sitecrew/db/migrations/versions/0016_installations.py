"""installation projects: new furniture to install at a site, as a two-person job

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

Issue 17, item 6 (furniture care programme):

- ``installations``: an order to install new pieces at a site in a wanted window, with the job
  that does it (one per order; its status is the order's) and the day the pieces went in.
- ``installation_lines``: how many pieces of which catalogue model, and the minutes each takes.

New tables only: nothing existing is rebuilt, so the map-feature triggers of 0003 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("wanted_from", sa.Date(), nullable=False),
        sa.Column("wanted_to", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.CheckConstraint(
            "wanted_to >= wanted_from", name=op.f("ck_installations_window_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_installations_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_installations_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_installations_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installations")),
        sa.UniqueConstraint("job_id", name=op.f("uq_installations_job_id")),
    )
    op.create_index(op.f("ix_installations_region_id"), "installations", ["region_id"])
    op.create_index(op.f("ix_installations_site_id"), "installations", ["site_id"])
    op.create_table(
        "installation_lines",
        sa.Column("installation_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("minutes_per_piece", sa.Integer(), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_installation_lines_count_positive")),
        sa.CheckConstraint(
            "minutes_per_piece > 0", name=op.f("ck_installation_lines_minutes_positive")
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_installation_lines_installation_id_installations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["furniture_models.id"],
            name=op.f("fk_installation_lines_model_id_furniture_models"),
        ),
        sa.PrimaryKeyConstraint("installation_id", "model_id", name=op.f("pk_installation_lines")),
    )


def downgrade() -> None:
    op.drop_table("installation_lines")
    op.drop_index(op.f("ix_installations_site_id"), table_name="installations")
    op.drop_index(op.f("ix_installations_region_id"), table_name="installations")
    op.drop_table("installations")
