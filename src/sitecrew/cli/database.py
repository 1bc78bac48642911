"""The configured database for command-line commands: checked, then released after use."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from sitecrew.config import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def configured_sessions() -> Iterator[sessionmaker[Session]]:
    """Yield sessions on the configured database once it answers and holds the current schema.

    Its connections are closed after.
    """
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        session_factory,
    )
    from sitecrew.db.migrate import require_current_schema  # noqa: PLC0415

    engine = engine_from_settings(Settings.from_env().database)
    try:
        check_connection(engine)
        require_current_schema(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def migrated_session(settings: Settings) -> Iterator[Session]:
    """Migrate the configured database if needed, then yield a session that commits at the end.

    For the commands that set a database up (``demo``, ``region add``): a new user's first
    command may meet a database that does not exist yet.
    """
    from sitecrew.db import migrate  # noqa: PLC0415
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        refresh_statistics,
        session_factory,
    )

    engine = engine_from_settings(settings.database)
    try:
        check_connection(engine)
        migrate.upgrade(engine)
        with session_factory(engine).begin() as session:
            yield session
        refresh_statistics(engine)
    finally:
        engine.dispose()
