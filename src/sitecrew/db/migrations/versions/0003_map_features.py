"""map features kept by the database

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Sites, furniture and apartments gain ``map_feature``: the row as one GeoJSON Feature (JSON
text), written by a database trigger whenever a column it shows changes. A map viewport then
aggregates stored text instead of formatting thousands of features per request (on PostGIS
the formatting was three quarters of the viewport query). Triggers rather than application
code, so bulk ``UPDATE`` statements and manual SQL keep the features current as well.

The layer definitions are copied here on purpose: a migration is a snapshot, and a later
change of a layer's properties is a new migration that replaces these triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Decimal places of feature coordinates (RFC 7946 section 11.2: six, about 10 cm).
DECIMALS = 6

#: Per table: the properties its map features carry, in order.
LAYERS: dict[str, tuple[str, ...]] = {
    "sites": ("name", "kind", "district_id"),
    "furniture": ("serial", "condition_grade", "site_id", "last_maintained_on"),
    "apartments": ("unit", "installation_status", "building_id", "district_id"),
}


def _postgis_feature(row: str, properties: tuple[str, ...]) -> str:
    """Return the PostGIS expression of one row's Feature text (``to_json`` escapes values)."""
    parts = [
        """'{"type":"Feature","id":'""",
        f"{row}id",
        """',"geometry":'""",
        f"coalesce(ST_AsGeoJSON({row}location, {DECIMALS}), 'null')",
        """',"properties":{'""",
    ]
    for index, name in enumerate(properties):
        separator = "," if index else ""
        parts.append(f"""'{separator}"{name}":'""")
        parts.append(f"coalesce(to_json({row}{name})::text, 'null')")
    parts.append("'}}'")
    return "concat(" + ", ".join(parts) + ")"


def _sqlite_feature(row: str, properties: tuple[str, ...]) -> str:
    """Return the SpatiaLite expression of one row's Feature text (JSON1 functions)."""
    props = ", ".join(f"'{name}', {row}{name}" for name in properties)
    return (
        f"json_object('type', 'Feature', 'id', {row}id, "
        f"'geometry', json(AsGeoJSON({row}location, {DECIMALS})), "
        f"'properties', json_object({props}))"
    )


def _watched(properties: tuple[str, ...]) -> str:
    return ", ".join(("id", "location", *properties))


def upgrade() -> None:
    postgis = op.get_bind().dialect.name == "postgresql"
    for table, properties in LAYERS.items():
        op.add_column(table, sa.Column("map_feature", sa.Text(), nullable=True))
        if postgis:
            _create_postgis_trigger(table, properties)
            op.execute(f"UPDATE {table} SET map_feature = {_postgis_feature('', properties)}")
        else:
            _create_sqlite_triggers(table, properties)
            op.execute(f"UPDATE {table} SET map_feature = {_sqlite_feature('', properties)}")


def _create_postgis_trigger(table: str, properties: tuple[str, ...]) -> None:
    op.execute(
        f"""CREATE FUNCTION {table}_map_feature() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.map_feature := {_postgis_feature("NEW.", properties)};
    RETURN NEW;
END
$$"""
    )
    op.execute(
        f"""CREATE TRIGGER {table}_map_feature
BEFORE INSERT OR UPDATE OF {_watched(properties)} ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_map_feature()"""
    )


def _create_sqlite_triggers(table: str, properties: tuple[str, ...]) -> None:
    # SQLite cannot assign NEW in a BEFORE trigger: an AFTER trigger updates the row itself
    # (only map_feature, which the UPDATE OF list does not watch, so it does not recurse).
    feature = _sqlite_feature("NEW.", properties)
    for event in ("INSERT", f"UPDATE OF {_watched(properties)}"):
        name = f"{table}_map_feature_{event.split()[0].lower()}"
        op.execute(
            f"""CREATE TRIGGER {name} AFTER {event} ON {table}
BEGIN
    UPDATE {table} SET map_feature = {feature} WHERE id = NEW.id;
END"""
        )


def downgrade() -> None:
    postgis = op.get_bind().dialect.name == "postgresql"
    for table in LAYERS:
        if postgis:
            op.execute(f"DROP TRIGGER {table}_map_feature ON {table}")
            op.execute(f"DROP FUNCTION {table}_map_feature()")
        else:
            op.execute(f"DROP TRIGGER {table}_map_feature_insert")
            op.execute(f"DROP TRIGGER {table}_map_feature_update")
        op.drop_column(table, "map_feature")
