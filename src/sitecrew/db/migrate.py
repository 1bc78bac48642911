"""Schema migrations (Alembic), run on the same engine the application uses.

Tests build every schema through these migrations rather than ``create_all``: that tests the
migrations, and avoids a GeoAlchemy2 trap where ``create_all`` on SpatiaLite strips the spatial
indexes from the shared ``Table`` objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from geoalchemy2 import alembic_helpers
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sitecrew.errors import ConfigurationError, InvalidInputError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

SCRIPT_LOCATION = "sitecrew.db:migrations"

#: SpatiaLite's own tables, which autogenerate must neither create nor drop.
SPATIALITE_INTERNALS = frozenset(
    {"ElementaryGeometries", "KNN", "KNN2", "SpatialIndex", "data_licenses", "sql_statements_log"}
)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Tell Alembic which reflected objects are ours (not SpatiaLite's or R*Tree shadows)."""
    if type_ == "table" and name and (name in SPATIALITE_INTERNALS or name.startswith("idx_")):
        return False
    included = alembic_helpers.include_object(  # type: ignore[no-untyped-call]
        obj, name, type_, reflected, compare_to
    )
    return bool(included)


def alembic_config() -> Config:
    """Return the Alembic configuration (scripts shipped inside the package)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` (default: an empty schema)."""
    _run(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or ``None`` for an unmigrated database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current_schema(engine: Engine) -> None:
    """Raise a clear error unless the database holds this version's schema.

    A command run against a new or an older database would otherwise fail deep inside with
    "no such table" or "no such column"; this says what to do instead.

    Raises
    ------
    ConfigurationError
        Naming the database (password hidden), the revision found and the command to run.
    """
    found, needed = current_revision(engine), head_revision()
    if found == needed:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        msg = f"the database {where} has no Sitecrew schema yet: run `sitecrew db upgrade`"
    else:
        msg = (
            f"the database {where} is at schema revision {found}, this Sitecrew needs "
            f"{needed}: run `sitecrew db upgrade`"
        )
    raise ConfigurationError(msg)


def head_revision() -> str | None:
    """Return the newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, enabled=False)
            try:
                with connection.begin():
                    if not sqlite:
                        _ensure_postgis(connection)
                    config.attributes["connection"] = connection
                    getattr(command, action)(config, revision)
            finally:
                if sqlite:
                    _sqlite_foreign_keys(connection, enabled=True)
    except CommandError as error:
        raise InvalidInputError(f"cannot {action} to {revision!r}: {error}") from None


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    """Switch SQLite's foreign-key enforcement outside any transaction.

    Batch migrations rebuild a table under a temporary name and rename it back; with
    enforcement on, SQLite (and SpatiaLite's ``RenameTable``) refuse the rename. The pragma is a
    no-op inside a transaction, so it goes straight to the driver before ``BEGIN``.
    """
    raw = connection.connection.dbapi_connection
    if raw is None:  # pragma: no cover (a live connection always has one)
        return
    raw.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")


def _ensure_postgis(connection: Connection) -> None:
    """Create the PostGIS extension when missing, or say clearly that it cannot be."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0]
        msg = (
            f"PostGIS is not available in this database ({reason}); install postgresql-15-postgis-3"
        )
        raise ConfigurationError(msg) from None
