"""Alembic environment: runs migrations on the connection handed over by sitecrew.db.migrate."""

from alembic import context
from geoalchemy2 import alembic_helpers

from sitecrew.db import models  # noqa: F401  (registers every table on Base.metadata)
from sitecrew.db.base import Base

#: SpatiaLite's own tables, which autogenerate must neither create nor drop.
SPATIALITE_INTERNALS = {
    "ElementaryGeometries",
    "KNN",
    "KNN2",
    "SpatialIndex",
    "data_licenses",
    "sql_statements_log",
}


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and (name in SPATIALITE_INTERNALS or name.startswith("idx_")):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
