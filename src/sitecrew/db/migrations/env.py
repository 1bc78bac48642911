"""Alembic environment: runs migrations on the connection handed over by sitecrew.db.migrate."""

from alembic import context
from geoalchemy2 import alembic_helpers

from sitecrew.db import models  # noqa: F401  (registers every table on Base.metadata)
from sitecrew.db.base import Base
from sitecrew.db.migrate import include_object


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
