"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "kind IN ('owner', 'furniture_maker', 'contractor', 'service_provider')",
            name=op.f("ck_organisations_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_geospatial_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_regions_area", ["area"], unique=False, postgresql_using="gist", postgresql_ops={}
        )

    op.create_geospatial_table(
        "depots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_depots_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depots")),
    )
    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_depots_location",
            ["location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_depots_region_id"), ["region_id"], unique=False)

    op.create_geospatial_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=True),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contractor_id"],
            ["organisations.id"],
            name=op.f("fk_districts_contractor_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_districts_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
    )
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_districts_area", ["area"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_districts_region_id"), ["region_id"], unique=False)

    op.create_table(
        "furniture_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("maker_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("material", sa.String(length=100), nullable=False),
        sa.Column("maintenance_interval_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('bench', 'table', 'picnic_set', 'planter', 'bin', 'bike_rack', 'play')",
            name=op.f("ck_furniture_models_category"),
        ),
        sa.CheckConstraint(
            "maintenance_interval_days > 0", name=op.f("ck_furniture_models_interval_positive")
        ),
        sa.ForeignKeyConstraint(
            ["maker_id"],
            ["organisations.id"],
            name=op.f("fk_furniture_models_maker_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_furniture_models")),
        sa.UniqueConstraint("name", name=op.f("uq_furniture_models_name")),
    )
    op.create_geospatial_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("osm_id", sa.BigInteger(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("levels", sa.Integer(), nullable=True),
        sa.Column("entrances", sa.JSON(), nullable=False),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "footprint",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_buildings_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_buildings_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("osm_id", name=op.f("uq_buildings_osm_id")),
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_buildings_footprint",
            ["footprint"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_geospatial_index(
            "idx_buildings_location",
            ["location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_buildings_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_buildings_region_id"), ["region_id"], unique=False)

    op.create_table(
        "crews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("lunch_minutes", sa.Integer(), nullable=False),
        sa.Column("lunch_earliest", sa.Time(), nullable=False),
        sa.Column("lunch_latest", sa.Time(), nullable=False),
        sa.Column("max_jobs_per_day", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.CheckConstraint("lunch_latest >= lunch_earliest", name=op.f("ck_crews_lunch_ordered")),
        sa.CheckConstraint("lunch_minutes >= 0", name=op.f("ck_crews_lunch_non_negative")),
        sa.CheckConstraint("max_jobs_per_day > 0", name=op.f("ck_crews_max_jobs_positive")),
        sa.CheckConstraint("shift_end > shift_start", name=op.f("ck_crews_shift_ordered")),
        sa.ForeignKeyConstraint(["depot_id"], ["depots.id"], name=op.f("fk_crews_depot_id_depots")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_crews_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_crews_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crews")),
        sa.UniqueConstraint("name", name=op.f("uq_crews_name")),
    )
    with op.batch_alter_table("crews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crews_depot_id"), ["depot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crews_region_id"), ["region_id"], unique=False)

    op.create_geospatial_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("access_notes", sa.Text(), nullable=True),
        sa.Column("osm_id", sa.String(length=40), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('housing_cooperative', 'schoolyard', 'park', 'street', 'other')",
            name=op.f("ck_sites_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_sites_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisations.id"], name=op.f("fk_sites_owner_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_sites_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("osm_id", name=op.f("uq_sites_osm_id")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_sites_area", ["area"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_geospatial_index(
            "idx_sites_location",
            ["location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_sites_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_region_id"), ["region_id"], unique=False)

    op.create_geospatial_table(
        "apartments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("tenant_name", sa.String(length=200), nullable=True),
        sa.Column("tenant_phone", sa.String(length=40), nullable=True),
        sa.Column("tenant_email", sa.String(length=200), nullable=True),
        sa.Column("installation_status", sa.String(length=32), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "installation_status IN ('not_contacted', 'booked', 'installed', 'no_access', 'declined')",
            name=op.f("ck_apartments_installation_status"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_apartments_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_apartments_district_id_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apartments")),
        sa.UniqueConstraint("building_id", "unit", name=op.f("uq_apartments_building_id_unit")),
    )
    with op.batch_alter_table("apartments", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_apartments_location",
            ["location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(
            batch_op.f("ix_apartments_building_id"), ["building_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_apartments_district_id"), ["district_id"], unique=False
        )

    op.create_table(
        "crew_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("training_completed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('lead', 'member', 'trainee')", name=op.f("ck_crew_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_crew_members_crew_id_crews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_members")),
    )
    with op.batch_alter_table("crew_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crew_members_crew_id"), ["crew_id"], unique=False)

    op.create_geospatial_table(
        "furniture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("condition_grade", sa.Integer(), nullable=False),
        sa.Column("last_maintained_on", sa.Date(), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "condition_grade BETWEEN 0 AND 3", name=op.f("ck_furniture_condition_grade_range")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["furniture_models.id"],
            name=op.f("fk_furniture_model_id_furniture_models"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_furniture_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_furniture")),
        sa.UniqueConstraint("serial", name=op.f("uq_furniture_serial")),
    )
    with op.batch_alter_table("furniture", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_furniture_location",
            ["location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_furniture_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_furniture_site_id"), ["site_id"], unique=False)

    op.create_table(
        "routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("travel_seconds", sa.Integer(), nullable=False),
        sa.Column("distance_metres", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'superseded')", name=op.f("ck_routes_status")
        ),
        sa.ForeignKeyConstraint(["crew_id"], ["crews.id"], name=op.f("fk_routes_crew_id_crews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routes")),
    )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routes_crew_id"), ["crew_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routes_service_date"), ["service_date"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("furniture_id", sa.Integer(), nullable=True),
        sa.Column("apartment_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('install_furniture', 'oil', 'repair', 'inspect', 'install_media_box')",
            name=op.f("ck_jobs_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'scheduled', 'in_progress', 'done', 'blocked', 'cancelled')",
            name=op.f("ck_jobs_status"),
        ),
        sa.CheckConstraint(
            "(CASE WHEN furniture_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN apartment_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN site_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_jobs_one_target"),
        ),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_jobs_duration_positive")),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name=op.f("ck_jobs_priority_range")),
        sa.ForeignKeyConstraint(
            ["apartment_id"], ["apartments.id"], name=op.f("fk_jobs_apartment_id_apartments")
        ),
        sa.ForeignKeyConstraint(
            ["furniture_id"], ["furniture.id"], name=op.f("fk_jobs_furniture_id_furniture")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_jobs_region_id_regions")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_jobs_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_apartment_id"), ["apartment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_furniture_id"), ["furniture_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'no_show', 'cancelled', 'completed')",
            name=op.f("ck_appointments_status"),
        ),
        sa.CheckConstraint(
            "window_end > window_start", name=op.f("ck_appointments_window_ordered")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_appointments_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appointments_window_start"), ["window_start"], unique=False
        )

    op.create_table(
        "maintenance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("furniture_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("wear_type", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN ('oiled', 'repaired', 'installed', 'inspected', 'replaced_part')",
            name=op.f("ck_maintenance_records_action"),
        ),
        sa.CheckConstraint(
            "wear_type IN ('none', 'weathering', 'cracking', 'rot', 'rust', 'loose_fixings', 'vandalism', 'graffiti', 'other')",
            name=op.f("ck_maintenance_records_wear_type"),
        ),
        sa.CheckConstraint(
            "severity BETWEEN 0 AND 3", name=op.f("ck_maintenance_records_severity_range")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_maintenance_records_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["furniture_id"],
            ["furniture.id"],
            name=op.f("fk_maintenance_records_furniture_id_furniture"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_maintenance_records_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_records")),
    )
    with op.batch_alter_table("maintenance_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_records_furniture_id"), ["furniture_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_records_performed_on"), ["performed_on"], unique=False
        )

    op.create_geospatial_table(
        "route_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("arrival_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("departure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_seconds", sa.Integer(), nullable=False),
        sa.Column("distance_metres", sa.Integer(), nullable=False),
        sa.Column(
            "leg",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('start', 'job', 'break', 'end')", name=op.f("ck_route_stops_kind")
        ),
        sa.CheckConstraint(
            "departure_at >= arrival_at", name=op.f("ck_route_stops_departure_after_arrival")
        ),
        sa.CheckConstraint(
            "travel_seconds >= 0 AND distance_metres >= 0",
            name=op.f("ck_route_stops_leg_non_negative"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_route_stops_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_route_stops_route_id_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_stops")),
        sa.UniqueConstraint("route_id", "sequence", name=op.f("uq_route_stops_route_id_sequence")),
    )
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_stops_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_stops_route_id"), ["route_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_stops_route_id"))
        batch_op.drop_index(batch_op.f("ix_route_stops_job_id"))

    op.drop_geospatial_table("route_stops")
    with op.batch_alter_table("maintenance_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_records_performed_on"))
        batch_op.drop_index(batch_op.f("ix_maintenance_records_furniture_id"))

    op.drop_table("maintenance_records")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_window_start"))
        batch_op.drop_index(batch_op.f("ix_appointments_job_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_site_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_region_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_furniture_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_due_on"))
        batch_op.drop_index(batch_op.f("ix_jobs_apartment_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routes_service_date"))
        batch_op.drop_index(batch_op.f("ix_routes_crew_id"))

    op.drop_table("routes")
    with op.batch_alter_table("furniture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_furniture_site_id"))
        batch_op.drop_index(batch_op.f("ix_furniture_model_id"))
        batch_op.drop_geospatial_index(
            "idx_furniture_location", postgresql_using="gist", column_name="location"
        )

    op.drop_geospatial_table("furniture")
    with op.batch_alter_table("crew_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crew_members_crew_id"))

    op.drop_table("crew_members")
    with op.batch_alter_table("apartments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apartments_district_id"))
        batch_op.drop_index(batch_op.f("ix_apartments_building_id"))
        batch_op.drop_geospatial_index(
            "idx_apartments_location", postgresql_using="gist", column_name="location"
        )

    op.drop_geospatial_table("apartments")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_region_id"))
        batch_op.drop_index(batch_op.f("ix_sites_district_id"))
        batch_op.drop_geospatial_index(
            "idx_sites_location", postgresql_using="gist", column_name="location"
        )
        batch_op.drop_geospatial_index(
            "idx_sites_area", postgresql_using="gist", column_name="area"
        )

    op.drop_geospatial_table("sites")
    with op.batch_alter_table("crews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crews_region_id"))
        batch_op.drop_index(batch_op.f("ix_crews_depot_id"))

    op.drop_table("crews")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buildings_region_id"))
        batch_op.drop_index(batch_op.f("ix_buildings_district_id"))
        batch_op.drop_geospatial_index(
            "idx_buildings_location", postgresql_using="gist", column_name="location"
        )
        batch_op.drop_geospatial_index(
            "idx_buildings_footprint", postgresql_using="gist", column_name="footprint"
        )

    op.drop_geospatial_table("buildings")
    op.drop_table("furniture_models")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_districts_region_id"))
        batch_op.drop_geospatial_index(
            "idx_districts_area", postgresql_using="gist", column_name="area"
        )

    op.drop_geospatial_table("districts")
    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_depots_region_id"))
        batch_op.drop_geospatial_index(
            "idx_depots_location", postgresql_using="gist", column_name="location"
        )

    op.drop_geospatial_table("depots")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_regions_area", postgresql_using="gist", column_name="area"
        )

    op.drop_geospatial_table("regions")
    op.drop_table("organisations")
