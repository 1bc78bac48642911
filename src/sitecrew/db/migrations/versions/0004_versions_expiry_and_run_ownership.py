"""row versions, token expiry, one published route per crew and day, run ownership, stop points

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

- ``sites``, ``furniture`` and ``appointments`` gain ``version`` (optimistic locking, as jobs
  have): a client that edits from a stale read gets a Conflict instead of overwriting.
- ``api_tokens`` gain ``expires_at``: a token is refused after it.
- ``routes`` get a partial unique index: at most one *published* route per crew and day, so two
  publishes racing each other cannot both win.
- ``planning_runs`` record who asked (``requested_by``), the process that owns the run
  (``worker``), when it last showed life (``heartbeat_at``) and its deadline (``deadline_at``),
  so a run left behind by a dead process can be failed instead of staying RUNNING forever.
- ``route_stops`` store the point the crew was sent to (``location``): a target moved after
  publishing does not move a published stop, and reading a route needs no street graph.

Columns are added with plain ``ADD COLUMN`` (no batch copy), because a SQLite batch copy of
``sites`` or ``furniture`` would drop the map-feature triggers of migration 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("sites", "furniture", "appointments")
RUN_COLUMNS = {
    "requested_by": sa.Integer,
    "worker": lambda: sa.String(length=100),
    "heartbeat_at": lambda: sa.DateTime(timezone=True),
    "deadline_at": lambda: sa.DateTime(timezone=True),
}
PUBLISHED_WHERE = "status = 'published'"


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table, sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True)))
    for name, column_type in RUN_COLUMNS.items():
        op.add_column("planning_runs", sa.Column(name, column_type(), nullable=True))
    op.create_index(
        "uq_routes_published_crew_day",
        "routes",
        ["crew_id", "service_date"],
        unique=True,
        postgresql_where=sa.text(PUBLISHED_WHERE),
        sqlite_where=sa.text(PUBLISHED_WHERE),
    )
    op.add_geospatial_column(
        "route_stops",
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SpatiaLite's geometry triggers name the column: discard them before dropping it.
        op.execute("SELECT DiscardGeometryColumn('route_stops', 'location')")
        op.drop_column("route_stops", "location")
    else:
        op.drop_geospatial_column("route_stops", "location")
    op.drop_index("uq_routes_published_crew_day", table_name="routes")
    for name in RUN_COLUMNS:
        op.drop_column("planning_runs", name)
    op.drop_column("api_tokens", "expires_at")
    for table in VERSIONED:
        op.drop_column(table, "version")
