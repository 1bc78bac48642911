"""Engines for the two backends and the unit-of-work helper.

SQLite + SpatiaLite is the embedded default; PostgreSQL + PostGIS is production. Both go through
GeoAlchemy2's engine plugin. Services are synchronous (GeoAlchemy2's tested path); the web layer
calls them from worker threads with one session per request.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sitecrew.config import DEFAULT_POOL_SIZE
from sitecrew.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sitecrew.config import DatabaseSettings

#: Execution option marking a SQLite transaction that will write (see write_session_factory).
WRITE_INTENT_OPTION = "sitecrew_write_intent"
SPATIALITE_QUERY = {
    "geoalchemy2_connect_sqlite_transaction": "true",
    "geoalchemy2_connect_sqlite_init_mode": "WGS84",
    "geoalchemy2_connect_sqlite_journal_mode": "WAL",
}
#: SQLite's busy timeout: how long a writer waits for another writer's lock before "database
#: is locked" (seconds). In WAL mode only writers wait for writers, and writes are short.
SQLITE_BUSY_TIMEOUT_S = 30
#: Plan every statement for its own parameters. psycopg prepares a statement after five runs,
#: and PostgreSQL may then switch to a generic plan: for a bounding-box query that plan cannot
#: see how much of the map the box covers (it estimated 2 rows for a viewport of 2,088) and
#: rebuilds the envelope for every row, which made the viewport query 40 % slower.
POSTGRES_OPTIONS = "-c plan_cache_mode=force_custom_plan"


def backend_name(bind: Engine | Session) -> str:
    """Return ``"postgis"`` or ``"spatialite"`` for an engine or session."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return "postgis" if engine.dialect.name == "postgresql" else "spatialite"


def engine_from_url(url: str, *, echo: bool = False, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Create an engine for a ``sqlite:///…`` (SpatiaLite) or ``postgresql://…`` (PostGIS) URL.

    Raises
    ------
    ConfigurationError
        For a URL that does not parse or names another database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"DATABASE_URL does not parse: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _spatialite_engine(parsed, echo=echo)
    if backend == "postgresql":
        return create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            echo=echo,
            plugins=["geoalchemy2"],
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"options": _postgres_options(parsed)},
        )
    msg = f"DATABASE_URL must be sqlite:///… or postgresql://…, got {parsed.drivername}"
    raise ConfigurationError(msg)


def _postgres_options(url: URL) -> str:
    """Return the server options of ``url`` (``?options=…``) followed by ours."""
    given = url.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    return f"{given} {POSTGRES_OPTIONS}".strip()


def engine_from_settings(settings: DatabaseSettings) -> Engine:
    """Create the engine that ``settings`` describe (see :func:`engine_from_url`)."""
    return engine_from_url(settings.url, echo=settings.echo, pool_size=settings.pool_size)


def _preload_bundled_geo_libraries() -> None:
    """Load the PROJ, GEOS and osmium builds that our wheels bundle before SpatiaLite.

    SQLite loads extensions with ``RTLD_GLOBAL``, so Debian's ``mod_spatialite`` puts the
    system PROJ and GEOS symbols in the global scope. A wheel module loaded afterwards (pyproj,
    osmnx, pyosmium) then binds to those instead of its own bundled copies, and the process
    corrupts its heap (seen here as aborts at exit). Loading them first binds them correctly.
    """
    import osmium  # noqa: PLC0415, F401
    import pyproj  # noqa: PLC0415
    import pyproj.database  # noqa: PLC0415
    import pyproj.geod  # noqa: PLC0415
    import pyproj.transformer  # noqa: PLC0415, F401
    import shapely  # noqa: PLC0415, F401


def _spatialite_engine(url: URL, *, echo: bool) -> Engine:
    import pysqlite3.dbapi2  # noqa: PLC0415  (only SpatiaLite users need this driver)

    _preload_bundled_geo_libraries()
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url.update_query_dict(SPATIALITE_QUERY),
        module=pysqlite3.dbapi2,
        plugins=["geoalchemy2"],
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defeats SAVEPOINT and transactional DDL; SQLAlchemy's
    # documented fix is to switch it off and emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    _use_write_ahead_log(cursor)
    cursor.close()


def _use_write_ahead_log(cursor: Any) -> None:
    """Put the database file in WAL mode, where readers never block a writer.

    In SQLite's default rollback journal a writer must wait until every open read transaction
    has ended before it commits, so one long reader (a client that read and then idled) made
    every write fail with "database is locked" once the busy timeout ran out. With a write-ahead
    log readers keep their snapshot while writers append; only writers wait for one another.
    The mode is stored in the file, so only the first connection changes it. ``synchronous =
    NORMAL`` is the setting SQLite recommends with WAL: still safe from corruption, without a
    disk flush per commit.
    """
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() not in {"wal", "memory"}:  # an in-memory database has no file to log to
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(WRITE_INTENT_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by services (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for work that will write (API mutations).

    On SQLite its transactions start with ``BEGIN IMMEDIATE``: a transaction that reads and then
    writes cannot wait for the write lock (SQLite answers "database is locked" at once, since
    its snapshot may be stale), but one that takes the lock first waits up to the busy timeout.
    Concurrent mutations therefore queue instead of failing. PostgreSQL needs nothing of this.
    """
    if backend_name(engine) == "spatialite":
        return session_factory(engine.execution_options(**{WRITE_INTENT_OPTION: True}))
    return session_factory(engine)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for read-only request work.

    On PostgreSQL its sessions run in autocommit: at READ COMMITTED every statement takes its own
    snapshot anyway, so a transaction around a request's reads adds a ``BEGIN`` and a
    ``ROLLBACK`` round trip and nothing else. SQLite keeps its transaction, which there gives
    the request one consistent snapshot.
    """
    if backend_name(engine) == "postgis":
        return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    return session_factory(engine)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Run a block as one unit of work: all of it is written, or none of it.

    Inside an outer transaction it becomes a savepoint, so a failure leaves nothing behind
    while the outer work can go on. Top-level callers (CLI commands, web requests) own the
    outer transaction: ``with session_factory(engine).begin() as session: ...`` commits once
    at the end, so a service's reads before its writes never leave work uncommitted.
    """
    if session.in_transaction():
        with session.begin_nested():
            yield session
    else:
        with session.begin():
            yield session


def check_connection(engine: Engine) -> None:
    """Raise a clear error when the database cannot be reached.

    Raises
    ------
    ConfigurationError
        With the driver's reason and the URL (password hidden).
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        safe_url = engine.url.render_as_string(hide_password=True)
        msg = f"cannot connect to {safe_url}: {error.orig}"
        raise ConfigurationError(msg) from None


def refresh_statistics(engine: Engine) -> None:
    """Run ``ANALYZE`` so the query planner knows the tables' sizes after a bulk load.

    Why: right after the demo load PostgreSQL believes a spatial filter matches one row, and a
    viewport query took twice as long until autovacuum caught up; SQLite has no statistics at all
    until asked.
    """
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
