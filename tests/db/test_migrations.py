"""Migrations build, tear down and rebuild the schema on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from sitecrew.db import migrate
from sitecrew.db.base import Base
from sitecrew.db.engine import engine_from_url


def _app_tables(engine) -> set[str]:
    return {name for name in inspect(engine).get_table_names() if name in Base.metadata.tables}


def test_upgrade_downgrade_upgrade_round_trips_the_schema(backend, database_url_factory):
    """Upgrade to head, downgrade to base, upgrade again: every table comes back."""
    engine = engine_from_url(database_url_factory(backend, "sitecrew_test_migrations"))
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _app_tables(engine) == set(Base.metadata.tables)

        migrate.downgrade(engine)
        assert migrate.current_revision(engine) is None
        assert _app_tables(engine) == set()

        migrate.upgrade(engine)
        assert _app_tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_schema_matches_the_models_after_upgrade(engine):
    """Autogenerate finds nothing to change: the migration and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sitecrew.db.migrate import include_object

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
