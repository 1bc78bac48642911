"""``sitecrew token``: create, list and revoke API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions
from sitecrew.domain.access import Role

if TYPE_CHECKING:
    from datetime import datetime

app = typer.Typer(help="Create, list and revoke API bearer tokens.", no_args_is_help=True)


@app.command()
def create(
    role: Role = typer.Option(..., help="admin, planner, contractor or crew."),
    name: str = typer.Option("api token", help="A label to recognise the token by."),
    crew: int | None = typer.Option(None, "--crew", help="Crew id (required for crew tokens)."),
    organisation: int | None = typer.Option(
        None, "--organisation", help="Organisation id (required for contractor tokens)."
    ),
    region: str | None = typer.Option(
        None, "--region", help="Limit a planner to one region (slug, any case, or id)."
    ),
    expires_in_days: int | None = typer.Option(
        None, "--expires-in-days", help="Days until the token stops working (default 90)."
    ),
    no_expiry: bool = typer.Option(
        False, "--no-expiry", help="A long-lived service token: works until revoked."
    ),
) -> None:
    """Create a token and print its secret once (only a hash is stored)."""
    from sitecrew.services.access import create_token, lifetime_from_days  # noqa: PLC0415
    from sitecrew.services.regions import get_region_by_ref  # noqa: PLC0415

    lifetime = lifetime_from_days(expires_in_days, no_expiry=no_expiry)
    with configured_sessions() as sessions, sessions.begin() as session:
        issued = create_token(
            session,
            name=name,
            role=role,
            region_id=None if region is None else get_region_by_ref(session, region).id,
            organisation_id=organisation,
            crew_id=crew,
            lifetime=lifetime,
        )
    token = issued.token
    typer.echo(issued.secret)
    typer.echo(
        f"token {token.id} ({role.value}, {token.scope}) created, expires "
        f"{_moment(token.expires_at, never='never')}; keep the secret safe",
        err=True,
    )


@app.command("list")
def list_() -> None:
    """List every token (never its secret), with its scope, expiry and whether it is revoked."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.services.access import list_tokens  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        tokens = list_tokens(session)
    now = datetime.now(UTC)
    table = Table(title="API tokens (times in UTC)")
    for column in ("id", "name", "role", "scope", "created", "expires", "revoked", "active"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            str(token.id),
            token.name,
            token.role.value,
            token.scope,
            _moment(token.created_at),
            _moment(token.expires_at, never="never"),
            _moment(token.revoked_at),
            "yes" if token.is_active(now) else "no",
        )
    Console().print(table)


@app.command()
def revoke(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke a token: every server refuses it within a second."""
    from sitecrew.services.access import revoke_token  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        revoke_token(session, token_id)
    typer.echo(f"token {token_id} revoked")


def _moment(moment: datetime | None, *, never: str = "") -> str:
    return never if moment is None else moment.strftime("%Y-%m-%d %H:%M")
