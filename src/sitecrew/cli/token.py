"""``sitecrew token``: create and revoke API tokens."""

from __future__ import annotations

import typer

from sitecrew.config import Settings
from sitecrew.domain.access import Role

app = typer.Typer(help="Create and revoke API bearer tokens.", no_args_is_help=True)


@app.command()
def create(
    role: Role = typer.Option(..., help="admin, planner, contractor or crew."),
    name: str = typer.Option("api token", help="A label to recognise the token by."),
    crew: int | None = typer.Option(None, "--crew", help="Crew id (required for crew tokens)."),
    organisation: int | None = typer.Option(
        None, "--organisation", help="Organisation id (required for contractor tokens)."
    ),
    region: int | None = typer.Option(None, "--region", help="Limit a planner to one region."),
) -> None:
    """Create a token and print its secret once (only a hash is stored)."""
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        session_factory,
    )
    from sitecrew.services.access import create_token  # noqa: PLC0415

    engine = engine_from_settings(Settings.from_env().database)
    check_connection(engine)
    with session_factory(engine).begin() as session:
        secret, principal = create_token(
            session,
            name=name,
            role=role,
            region_id=region,
            organisation_id=organisation,
            crew_id=crew,
        )
    typer.echo(secret)
    typer.echo(f"token {principal.token_id} ({role.value}) created; keep the secret safe", err=True)


@app.command()
def revoke(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke a token."""
    from sitecrew.db.engine import engine_from_settings, session_factory  # noqa: PLC0415
    from sitecrew.services.access import revoke_token  # noqa: PLC0415

    engine = engine_from_settings(Settings.from_env().database)
    with session_factory(engine).begin() as session:
        revoke_token(session, token_id)
    typer.echo(f"token {token_id} revoked")
