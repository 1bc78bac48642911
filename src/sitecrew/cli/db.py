"""``sitecrew db``: schema migrations on the configured database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sitecrew.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(help="Create, upgrade or downgrade the database schema.", no_args_is_help=True)


def _engine() -> Engine:
    from sitecrew.db.engine import check_connection, engine_from_settings  # noqa: PLC0415

    engine = engine_from_settings(Settings.from_env().database)
    check_connection(engine)
    return engine


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Upgrade the schema (creates it on an empty database; adds PostGIS where missing)."""
    from sitecrew.db import migrate  # noqa: PLC0415

    engine = _engine()
    migrate.upgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine)}")


@app.command()
def downgrade(
    revision: str = typer.Argument("base", help="Target revision (default: empty schema)."),
) -> None:
    """Downgrade the schema; ``base`` drops every Sitecrew table and its data."""
    from sitecrew.db import migrate  # noqa: PLC0415

    engine = _engine()
    migrate.downgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")


@app.command()
def current() -> None:
    """Print the schema revision the database is at."""
    from sitecrew.db import migrate  # noqa: PLC0415

    typer.echo(migrate.current_revision(_engine()) or "base (empty)")
