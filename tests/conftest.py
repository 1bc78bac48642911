"""Shared fixtures: where real OSM extracts live, and (below) the two database backends."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _osm_directory() -> Path:
    configured = os.environ.get("SITECREW_OSM_DIR")
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "osm"


@pytest.fixture(scope="session")
def osm_dir() -> Path:
    """The directory of real OpenStreetMap extracts (``../shared/osm`` unless configured).

    Holds ``oslo.osm.pbf`` (central Oslo, full tags), ``oslo-grunerlokka.osm.pbf`` (a small
    clip for fast tests), ``oslo-east-roads.osm.pbf``, ``uppsala-central-roads.osm.pbf``,
    ``malta.osm.pbf`` and ``rhein-neckar-roads.osm.pbf``; see its SOURCES.md.
    """
    directory = _osm_directory()
    if not (directory / "oslo.osm.pbf").exists():
        if os.environ.get("CI"):
            pytest.fail(f"OSM extracts missing in {directory} (CI must have ../shared/osm)")
        pytest.skip(f"OSM extracts not found in {directory}; set SITECREW_OSM_DIR")
    return directory


# --- Database backends -------------------------------------------------------------------------
# Every test that asks for ``engine`` or ``session`` runs once on SpatiaLite and once on PostGIS.
# A backend that cannot be reached skips on a laptop but fails under CI (or the explicit flag).

BACKENDS = ("spatialite", "postgis")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/sitecrew_test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-all-backends",
        action="store_true",
        help="fail, rather than skip, when PostGIS or SpatiaLite cannot be used (set in CI)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    backends = [
        name
        for name in BACKENDS
        if not any(
            metafunc.definition.get_closest_marker(f"{other}_only")
            for other in BACKENDS
            if other != name
        )
    ]
    metafunc.parametrize("backend", backends, scope="session")


def _require_all(config: pytest.Config) -> bool:
    return bool(config.getoption("--require-all-backends") or os.environ.get("CI"))


def _unavailable(config: pytest.Config, reason: str) -> None:
    if _require_all(config):
        pytest.fail(f"backend required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_url(database: str | None = None) -> str:
    """The PostGIS test URL (``SITECREW_TEST_POSTGRES_URL``), optionally another database."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ.get("SITECREW_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def fresh_postgis_database(name: str) -> str:
    """Create (or empty) a PostGIS database called ``name`` and return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(postgres_url("postgres")).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = postgres_url(name)
    target = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with target.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    target.dispose()
    return url


def drop_postgis_database(name: str) -> None:
    """Drop a test database (closing any connection still open to it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(postgres_url("postgres")).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Make empty databases of a backend: ``factory(backend, name) -> url`` (unmigrated).

    PostGIS database names get this process's id, so concurrent test runs on one server never
    drop each other's databases; they are dropped again when the session ends.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    created: list[str] = []

    def factory(backend: str, name: str) -> str:
        if backend == "spatialite":
            return f"sqlite:///{tmp_path_factory.mktemp('spatialite') / (name + '.db')}"
        unique = f"{name}_{os.getpid()}"
        try:
            url = fresh_postgis_database(unique)
        except (OperationalError, ProgrammingError) as error:
            _unavailable(request.config, f"PostGIS unavailable: {str(error).splitlines()[0]}")
            raise  # unreachable: _unavailable skips or fails
        created.append(unique)
        return url

    yield factory
    for name in created:
        drop_postgis_database(name)


@pytest.fixture(scope="session")
def engine(backend: str, database_url_factory, request: pytest.FixtureRequest):
    """A migrated, empty database of ``backend``, shared by the session's tests."""
    from sitecrew.db import migrate
    from sitecrew.db.engine import engine_from_url

    url = database_url_factory(backend, "sitecrew_test")
    db_engine = engine_from_url(url)
    try:
        migrate.upgrade(db_engine)
    except Exception as error:  # noqa: BLE001  (reported as a skip or failure with the reason)
        _unavailable(request.config, f"{backend} cannot migrate: {error}")
    yield db_engine
    db_engine.dispose()


@contextmanager
def rolled_back_session(engine):
    """Yield a session whose every write is rolled back at the end (commits become savepoints)."""
    from sqlalchemy.orm import Session

    connection = engine.connect()
    outer = connection.begin()
    db_session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield db_session
    finally:
        db_session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def session(engine):
    """A session on the empty test database; everything it writes is rolled back."""
    with rolled_back_session(engine) as db_session:
        yield db_session


# --- Demo data ---------------------------------------------------------------------------------

DEMO_PLAN_DAY = "2026-06-02"
_demo_engines: dict[str, object] = {}


def _demo_engine(backend: str, url_factory, osm_directory: Path):
    """Load the full demo world once per backend per session (about 10 s each)."""
    if backend not in _demo_engines:
        from datetime import date

        from sitecrew.db import migrate
        from sitecrew.db.engine import engine_from_url, session_factory
        from sitecrew.services.demo import load_demo

        engine = engine_from_url(url_factory(backend, "sitecrew_test_demo"))
        migrate.upgrade(engine)
        with session_factory(engine).begin() as db_session:
            load_demo(
                db_session,
                osm_directory / "oslo.osm.pbf",
                region_name="Oslo sentrum",
                plan_day=date.fromisoformat(DEMO_PLAN_DAY),
            )
        _demo_engines[backend] = engine
    return _demo_engines[backend]


@pytest.fixture(scope="session")
def demo_engine(backend: str, database_url_factory, osm_dir: Path):
    """A database of ``backend`` holding the full demo world (seed 2018, central Oslo).

    Tests must not write to it; use ``demo_session`` for writes that are rolled back.
    """
    return _demo_engine(backend, database_url_factory, osm_dir)


@pytest.fixture(scope="session")
def demo_engines(database_url_factory, osm_dir: Path) -> dict[str, object]:
    """The demo world on both backends at once, for tests that compare their answers."""
    return {name: _demo_engine(name, database_url_factory, osm_dir) for name in BACKENDS}


@pytest.fixture
def demo_session(demo_engine):
    """A session on the demo database whose writes are rolled back after the test."""
    with rolled_back_session(demo_engine) as db_session:
        yield db_session
