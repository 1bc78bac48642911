"""bring your own operation: region places, register references, calendars, personal-data log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

- ``regions`` gain ``country`` (ISO 3166-1 alpha-2, for public holidays), ``extract_path``
  (the OSM extract a region added with ``sitecrew region add`` reads its street graph from) and
  ``version``.
- ``address_points``: every OSM address (node or building outline) of a region, the points that
  register addresses are matched to; ``place_areas``: its OSM buildings, schools and
  residential areas, which imported rows find their building or site in.
- ``apartments`` gain ``external_ref`` (the housing company's own key; imports upsert by it);
  ``buildings`` gain ``postcode`` and ``city``.
- ``version`` (optimistic locking) on buildings, apartments, districts, organisations, depots,
  crews, crew members and furniture models, which the API now edits.
- ``crews`` gain a weekly pattern (``week_pattern``: seven entries, Monday first, each a shift or
  null), the dates they exist (``active_from``, ``active_until``), ``min_members`` and
  ``works_public_holidays``; ``member_absences`` hold sickness, leave and training.
- ``personal_data_log``: who imported or erased personal data, when, from which file.
- ``unassigned_jobs.reason`` may be ``no_crew``: nobody works that day.

Columns are added with plain ``ADD COLUMN`` (no batch copy), because a SQLite batch copy would
drop the map-feature triggers of migration 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = (
    "regions",
    "buildings",
    "apartments",
    "districts",
    "organisations",
    "depots",
    "crews",
    "crew_members",
    "furniture_models",
)
ABSENCE_KINDS = "kind IN ('sick', 'leave', 'training', 'other')"
OLD_REASONS = "'skill', 'district', 'time_window', 'shift_length', 'capacity', 'unreachable'"
#: A job left unplanned because nobody works that day (calendars) gets its own reason.
NEW_REASONS = f"'no_crew', {OLD_REASONS}"


def _reasons(values: str) -> None:
    # planning_runs' children carry no map-feature triggers: a batch rebuild is safe on SQLite.
    with op.batch_alter_table("unassigned_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_unassigned_jobs_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_unassigned_jobs_reason"), f"reason IN ({values})")


def _geometry(kind: str) -> Geometry:
    return Geometry(
        geometry_type=kind,
        srid=4326,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=False,
    )


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table, sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )
    op.add_column(
        "regions", sa.Column("country", sa.String(length=2), nullable=False, server_default="NO")
    )
    op.add_column("regions", sa.Column("extract_path", sa.String(length=500), nullable=True))
    op.add_column("apartments", sa.Column("external_ref", sa.String(length=100), nullable=True))
    op.create_index("ix_apartments_external_ref", "apartments", ["external_ref"], unique=True)
    op.add_column("buildings", sa.Column("postcode", sa.String(length=12), nullable=True))
    op.add_column("buildings", sa.Column("city", sa.String(length=100), nullable=True))
    op.add_column("crews", sa.Column("week_pattern", sa.JSON(), nullable=True))
    op.add_column("crews", sa.Column("active_from", sa.Date(), nullable=True))
    op.add_column("crews", sa.Column("active_until", sa.Date(), nullable=True))
    op.add_column(
        "crews", sa.Column("min_members", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column(
        "crews",
        sa.Column(
            "works_public_holidays", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    _create_places()
    op.create_table(
        "member_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint(ABSENCE_KINDS, name=op.f("ck_member_absences_kind")),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_member_absences_absence_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["crew_members.id"],
            name=op.f("fk_member_absences_member_id_crew_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_absences")),
    )
    op.create_index("ix_member_absences_member_id", "member_absences", ["member_id"])
    op.create_table(
        "personal_data_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_log")),
    )
    op.create_index("ix_personal_data_log_at", "personal_data_log", ["at"])
    _reasons(NEW_REASONS)


def _create_places() -> None:
    op.create_geospatial_table(
        "address_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("osm_ref", sa.String(length=40), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("housenumber", sa.String(length=20), nullable=False),
        sa.Column("postcode", sa.String(length=12), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("building_ref", sa.String(length=40), nullable=True),
        sa.Column("location", _geometry("POINT"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_address_points_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_points")),
    )
    op.create_index("ix_address_points_region_id", "address_points", ["region_id"])
    op.create_geospatial_table(
        "place_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("osm_ref", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("levels", sa.Integer(), nullable=True),
        sa.Column("area", _geometry("MULTIPOLYGON"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_place_areas_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_areas")),
        sa.UniqueConstraint("region_id", "osm_ref", name=op.f("uq_place_areas_region_id_osm_ref")),
    )
    op.create_index("ix_place_areas_region_id", "place_areas", ["region_id"])
    for table, column in (("address_points", "location"), ("place_areas", "area")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_geospatial_index(
                f"idx_{table}_{column}",
                [column],
                unique=False,
                postgresql_using="gist",
                postgresql_ops={},
            )


def downgrade() -> None:
    _reasons(OLD_REASONS)
    op.drop_index("ix_personal_data_log_at", table_name="personal_data_log")
    op.drop_table("personal_data_log")
    op.drop_index("ix_member_absences_member_id", table_name="member_absences")
    op.drop_table("member_absences")
    for table, column in (("place_areas", "area"), ("address_points", "location")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_geospatial_index(
                f"idx_{table}_{column}", postgresql_using="gist", column_name=column
            )
        op.drop_index(f"ix_{table}_region_id", table_name=table)
        op.drop_geospatial_table(table)
    for column in ("works_public_holidays", "min_members", "active_until", "active_from"):
        op.drop_column("crews", column)
    op.drop_column("crews", "week_pattern")
    op.drop_column("buildings", "city")
    op.drop_column("buildings", "postcode")
    op.drop_index("ix_apartments_external_ref", table_name="apartments")
    op.drop_column("apartments", "external_ref")
    op.drop_column("regions", "extract_path")
    op.drop_column("regions", "country")
    for table in VERSIONED:
        op.drop_column(table, "version")
