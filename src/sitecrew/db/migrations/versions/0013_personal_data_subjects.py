"""personal-data subjects: which apartments each line of the personal-data log is about

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

Issue 16, item 6 (privacy): every read of tenants' data by staff leaves one line in
``personal_data_log`` (action ``read``), beside imports, edits, exports and erasures. The
apartments a line is about go to ``personal_data_subjects``, one row per apartment, so that
"who handled this tenant's data" is an indexed lookup instead of a scan of every line's JSON.
No foreign key to ``apartments``: the log outlives the apartment it names.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_data_subjects",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["personal_data_log.id"],
            name=op.f("fk_personal_data_subjects_event_id_personal_data_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "apartment_id", name=op.f("pk_personal_data_subjects")),
    )
    op.create_index(
        "ix_personal_data_subjects_apartment_id",
        "personal_data_subjects",
        ["apartment_id", "event_id"],
    )
    op.create_index("ix_personal_data_log_actor", "personal_data_log", ["actor"])


def downgrade() -> None:
    op.drop_index("ix_personal_data_log_actor", table_name="personal_data_log")
    op.drop_index("ix_personal_data_subjects_apartment_id", table_name="personal_data_subjects")
    op.drop_table("personal_data_subjects")
