"""notifications: an outbox of messages to tenants, and the tenant's language and SMS opt-out

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

Messages to tenants (proposal, confirmation, reminder, on the way, missed visit, completion)
are written to ``notifications`` in the transaction of the change that causes them and
delivered by a worker with retries (issue 16, item 4):

- ``notifications``: one message on one channel (``email``, ``sms``, or ``none`` for a message
  skipped because the tenant has nowhere to receive it); ``key`` is unique (the fact told, so
  telling it twice writes nothing, and the idempotency key sent with it); ``status``,
  ``attempts``, ``next_attempt_at``, ``claimed_at`` and ``last_error`` track delivery;
- ``apartments.tenant_language`` (``sv``, ``nb``, ``en``; NULL: the region's language) and
  ``apartments.sms_opt_out`` (e-mail still goes).

The apartment columns are added with ALTER TABLE on SQLite too (no table rebuild), which keeps
migration 0003's map-feature triggers on ``apartments`` intact; the language is checked by the
use cases, not by a constraint, for the same reason.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "kind IN ('proposal', 'confirmation', 'reminder', 'on_the_way', 'missed_visit', 'completion')"
)
CHANNELS = "channel IN ('email', 'sms', 'none')"
LANGUAGES = "language IN ('sv', 'nb', 'en')"
STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')"


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("apartment_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_notifications_kind")),
        sa.CheckConstraint(CHANNELS, name=op.f("ck_notifications_channel")),
        sa.CheckConstraint(LANGUAGES, name=op.f("ck_notifications_language")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_notifications_status")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_notifications_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_notifications_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartments.id"],
            name=op.f("fk_notifications_apartment_id_apartments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    op.create_index(op.f("ix_notifications_region_id"), "notifications", ["region_id"])
    op.create_index(op.f("ix_notifications_campaign_id"), "notifications", ["campaign_id"])
    op.create_index(op.f("ix_notifications_apartment_id"), "notifications", ["apartment_id"])
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.add_column("apartments", sa.Column("tenant_language", sa.String(length=2), nullable=True))
    op.add_column(
        "apartments",
        sa.Column("sms_opt_out", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("apartments", recreate="never") as batch_op:
        batch_op.drop_column("sms_opt_out")
        batch_op.drop_column("tenant_language")
    op.drop_index("ix_notifications_due", table_name="notifications")
    op.drop_index(op.f("ix_notifications_apartment_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_campaign_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_region_id"), table_name="notifications")
    op.drop_table("notifications")
