"""Execute the schema as any principal on a rolled-back session of the API world (convention 20).

Attack tests that write go through here: everything they change is rolled back at the end, so
they cannot depend on, or spoil, each other's data.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import sessionmaker

from sitecrew.api.context import Context
from sitecrew.api.schema import build_schema
from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.db.engine import engine_from_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


class SchemaCaller:
    """Run operations as a principal; ``session`` sees (and may prepare) the same data."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self._settings = settings
        self._schema = build_schema(settings.server)

    def __call__(self, principal: Principal, query: str, **variables: Any) -> Any:
        context = Context(self.sessions, self._settings, principal)
        try:
            return asyncio.run(
                self._schema.execute(query, variable_values=variables, context_value=context)
            )
        finally:
            context.close()

    def data(self, principal: Principal, query: str, **variables: Any) -> dict[str, Any]:
        """Run and return ``data``, failing on any error."""
        result = self(principal, query, **variables)
        assert result.errors is None, result.errors
        return result.data


@contextmanager
def schema_caller(url: str) -> Iterator[SchemaCaller]:
    """Yield a caller whose every write is rolled back when the block ends."""
    engine = engine_from_url(url)
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(
        database=DatabaseSettings(url=url), osm=OsmSettings(), server=ServerSettings()
    )
    try:
        yield SchemaCaller(sessions, settings)
    finally:
        outer.rollback()
        connection.close()
        engine.dispose()
