"""api tokens and planning runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("street_region", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="Europe/Oslo"
            )
        )

    op.create_table(
        "planning_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=100), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_planning_runs_status"),
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 1", name=op.f("ck_planning_runs_progress_range")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_planning_runs_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_runs")),
    )
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_runs_region_id"), ["region_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_planning_runs_service_date"), ["service_date"], unique=False
        )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role != 'contractor' OR organisation_id IS NOT NULL",
            name=op.f("ck_api_tokens_contractor_token_has_organisation"),
        ),
        sa.CheckConstraint(
            "role != 'crew' OR crew_id IS NOT NULL", name=op.f("ck_api_tokens_crew_token_has_crew")
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'planner', 'contractor', 'crew')", name=op.f("ck_api_tokens_role")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_api_tokens_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_tokens_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_api_tokens_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "unassigned_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('skill', 'district', 'time_window', 'shift_length', 'capacity', 'unreachable')",
            name=op.f("ck_unassigned_jobs_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_unassigned_jobs_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["planning_runs.id"],
            name=op.f("fk_unassigned_jobs_run_id_planning_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unassigned_jobs")),
        sa.UniqueConstraint("run_id", "job_id", name=op.f("uq_unassigned_jobs_run_id_job_id")),
    )
    with op.batch_alter_table("unassigned_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unassigned_jobs_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unassigned_jobs_run_id"), ["run_id"], unique=False)

    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fixed", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_routes_run_id"), ["run_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_routes_run_id_planning_runs"), "planning_runs", ["run_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("street_region")

    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_routes_run_id_planning_runs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_routes_run_id"))
        batch_op.drop_column("run_id")

    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.drop_column("fixed")

    with op.batch_alter_table("unassigned_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unassigned_jobs_run_id"))
        batch_op.drop_index(batch_op.f("ix_unassigned_jobs_job_id"))

    op.drop_table("unassigned_jobs")
    op.drop_table("api_tokens")
    with op.batch_alter_table("planning_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_runs_service_date"))
        batch_op.drop_index(batch_op.f("ix_planning_runs_region_id"))

    op.drop_table("planning_runs")
