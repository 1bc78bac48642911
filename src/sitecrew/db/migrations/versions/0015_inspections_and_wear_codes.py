"""inspections with NS 3424 grades, coded repairs, wear codes and photos

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

Issue 17, items 3-4 (furniture care programme):

- ``care_wear_codes``: each product family's tree of parts, failure modes, and under each
  failure mode its causes and remedies; ``path`` names a code within its family and level.
  The parts are also the components an inspection grades.
- ``care_inspections`` and ``care_inspection_components``: what a crew found on a job, per
  component (TG0-TG3, TGIU) with cause and consequence, and the item's derived grade; the repair
  job an inspection raised.
- ``care_repairs``: a repair on a job, coded part / failure mode / cause / remedy.
- ``care_photos``: photos taken on a job; the bytes are files named by their SHA-256.

New tables only: nothing existing is rebuilt, so the map-feature triggers of 0003 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAMILIES = "family IN ('bench', 'table', 'picnic_set', 'planter', 'bin', 'bike_rack', 'play')"
LEVELS = "level IN ('part', 'failure_mode', 'cause', 'remedy')"
GRADES = "grade IN ('TG0', 'TG1', 'TG2', 'TG3', 'TGIU')"
CODES = "care_wear_codes.id"


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("(CURRENT_TIMESTAMP)"),
    )


def upgrade() -> None:
    _create_wear_codes()
    _create_inspections()
    _create_repairs()
    _create_photos()


def _create_wear_codes() -> None:
    op.create_table(
        "care_wear_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint(
            "(level = 'part') = (parent_id IS NULL)",
            name=op.f("ck_care_wear_codes_parent_by_level"),
        ),
        sa.CheckConstraint(FAMILIES, name=op.f("ck_care_wear_codes_family")),
        sa.CheckConstraint(LEVELS, name=op.f("ck_care_wear_codes_level")),
        sa.ForeignKeyConstraint(
            ["parent_id"], [CODES], name=op.f("fk_care_wear_codes_parent_id_care_wear_codes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_wear_codes")),
        sa.UniqueConstraint(
            "family", "level", "path", name=op.f("uq_care_wear_codes_family_level_path")
        ),
    )
    op.create_index(op.f("ix_care_wear_codes_parent_id"), "care_wear_codes", ["parent_id"])


def _create_inspections() -> None:
    op.create_table(
        "care_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("furniture_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(length=4), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("repair_job_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.CheckConstraint(GRADES, name=op.f("ck_care_inspections_grade")),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_care_inspections_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["furniture_id"],
            ["furniture.id"],
            name=op.f("fk_care_inspections_furniture_id_furniture"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_care_inspections_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["repair_job_id"], ["jobs.id"], name=op.f("fk_care_inspections_repair_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_inspections")),
    )
    op.create_index(
        "ix_care_inspections_furniture_id_inspected_on",
        "care_inspections",
        ["furniture_id", "inspected_on"],
    )
    op.create_index(op.f("ix_care_inspections_job_id"), "care_inspections", ["job_id"])
    op.create_table(
        "care_inspection_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=4), nullable=False),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("consequence", sa.Text(), nullable=True),
        sa.CheckConstraint(GRADES, name=op.f("ck_care_inspection_components_grade")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["care_inspections.id"],
            name=op.f("fk_care_inspection_components_inspection_id_care_inspections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], [CODES], name=op.f("fk_care_inspection_components_part_id_care_wear_codes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_inspection_components")),
        sa.UniqueConstraint(
            "inspection_id",
            "part_id",
            name=op.f("uq_care_inspection_components_inspection_id_part_id"),
        ),
    )


def _create_repairs() -> None:
    codes = [
        sa.ForeignKeyConstraint(
            [f"{level}_id"], [CODES], name=op.f(f"fk_care_repairs_{level}_id_care_wear_codes")
        )
        for level in ("part", "failure_mode", "cause", "remedy")
    ]
    op.create_table(
        "care_repairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("furniture_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("failure_mode_id", sa.Integer(), nullable=False),
        sa.Column("cause_id", sa.Integer(), nullable=False),
        sa.Column("remedy_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        _created_at(),
        *codes,
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_care_repairs_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["furniture_id"],
            ["furniture.id"],
            name=op.f("fk_care_repairs_furniture_id_furniture"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_care_repairs_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_repairs")),
    )
    op.create_index(op.f("ix_care_repairs_furniture_id"), "care_repairs", ["furniture_id"])
    op.create_index(op.f("ix_care_repairs_job_id"), "care_repairs", ["job_id"])


def _create_photos() -> None:
    op.create_table(
        "care_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_care_photos_size_positive")),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_care_photos_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["care_inspections.id"],
            name=op.f("fk_care_photos_inspection_id_care_inspections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_care_photos_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_care_photos_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"],
            ["care_repairs.id"],
            name=op.f("fk_care_photos_repair_id_care_repairs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_photos")),
        sa.UniqueConstraint("job_id", "sha256", name=op.f("uq_care_photos_job_id_sha256")),
    )
    op.create_index(op.f("ix_care_photos_region_id"), "care_photos", ["region_id"])
    op.create_index(op.f("ix_care_photos_sha256"), "care_photos", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_care_photos_sha256"), table_name="care_photos")
    op.drop_index(op.f("ix_care_photos_region_id"), table_name="care_photos")
    op.drop_table("care_photos")
    op.drop_index(op.f("ix_care_repairs_job_id"), table_name="care_repairs")
    op.drop_index(op.f("ix_care_repairs_furniture_id"), table_name="care_repairs")
    op.drop_table("care_repairs")
    op.drop_table("care_inspection_components")
    op.drop_index(op.f("ix_care_inspections_job_id"), table_name="care_inspections")
    op.drop_index("ix_care_inspections_furniture_id_inspected_on", table_name="care_inspections")
    op.drop_table("care_inspections")
    op.drop_index(op.f("ix_care_wear_codes_parent_id"), table_name="care_wear_codes")
    op.drop_table("care_wear_codes")
