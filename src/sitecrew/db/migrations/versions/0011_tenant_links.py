"""tenant links: tenants' signed self-service links, their access answer and calendar facts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

``tenant_links`` holds one row per home of a campaign that was given a link (issue 16, item
2): the token's version (bumped on revoke and re-issue), expiry and revocation, never the token
itself (it is the id and version signed with the server's secret); what the tenant answered
(``access``: home, caretaker key, master key); and what the tenant's calendar was last given
(window, ``.ics`` sequence, cancelled).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column(
            "issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access", sa.String(length=16), nullable=True),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("calendar_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calendar_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calendar_cancelled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint(
            "access IN ('home', 'caretaker_key', 'master_key')",
            name=op.f("ck_tenant_links_access"),
        ),
        sa.CheckConstraint(
            "token_version > 0", name=op.f("ck_tenant_links_token_version_positive")
        ),
        sa.CheckConstraint(
            "calendar_sequence >= 0",
            name=op.f("ck_tenant_links_calendar_sequence_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_tenant_links_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartments.id"],
            name=op.f("fk_tenant_links_apartment_id_apartments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_links")),
        sa.UniqueConstraint(
            "campaign_id", "apartment_id", name=op.f("uq_tenant_links_campaign_id_apartment_id")
        ),
    )
    op.create_index(op.f("ix_tenant_links_campaign_id"), "tenant_links", ["campaign_id"])
    op.create_index(op.f("ix_tenant_links_apartment_id"), "tenant_links", ["apartment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tenant_links_apartment_id"), table_name="tenant_links")
    op.drop_index(op.f("ix_tenant_links_campaign_id"), table_name="tenant_links")
    op.drop_table("tenant_links")
