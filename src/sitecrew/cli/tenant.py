"""``sitecrew tenant``: erase a tenant's personal data, and read who handled personal data."""

from __future__ import annotations

import typer

from sitecrew.cli.database import configured_sessions

app = typer.Typer(
    help="Tenants' personal data: erase it on request, show the personal-data log.",
    no_args_is_help=True,
)


@app.command()
def erase(
    apartment: int | None = typer.Option(None, "--apartment", help="The apartment's id."),
    external_ref: str | None = typer.Option(
        None, "--external-ref", help="Or the apartment's reference in your register."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove the tenant's name, phone and e-mail everywhere they are kept; keep the history."""
    from sqlalchemy import select  # noqa: PLC0415

    from sitecrew.db import models as m  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError, NotFoundError  # noqa: PLC0415
    from sitecrew.services.personal_data import command_line_actor  # noqa: PLC0415
    from sitecrew.services.tenants import erase_tenant  # noqa: PLC0415

    if (apartment is None) == (external_ref is None):
        raise InvalidInputError("name the apartment by exactly one of --apartment, --external-ref")
    with configured_sessions() as sessions, sessions() as session:
        apartment_id = apartment
        if external_ref is not None:
            query = select(m.Apartment.id).where(m.Apartment.external_ref == external_ref)
            apartment_id = session.scalar(query)
            if apartment_id is None:
                raise NotFoundError(f"no apartment has the external reference {external_ref!r}")
        assert apartment_id is not None  # noqa: S101 (one of the two options named it)
        if not yes:
            typer.confirm(
                f"Erase the tenant's name, phone and e-mail of apartment {apartment_id}?",
                abort=True,
            )
        erasure = erase_tenant(
            session, Principal(Role.ADMIN), apartment_id, actor=command_line_actor()
        )
        session.commit()
    cleared = ", ".join(erasure.fields_cleared) or "nothing (no tenant data was stored)"
    typer.echo(
        f"apartment {erasure.apartment_id}: erased {cleared}; "
        f"{erasure.notes_scrubbed} note(s) scrubbed; work history kept; logged"
    )


@app.command()
def log(
    last: int = typer.Option(50, "--last", min=1, max=500, help="How many lines, newest first."),
) -> None:
    """Show who imported or erased personal data, when, and from which file."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.tenants import personal_data_log  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        lines = personal_data_log(session, Principal(Role.ADMIN), limit=last)
    table = Table(title="Personal-data log (newest first)")
    for column in ("at (UTC)", "actor", "action", "subject", "sha256", "detail"):
        table.add_column(column)
    for line in lines:
        detail = ", ".join(f"{key}={value}" for key, value in (line.detail or {}).items())
        table.add_row(
            line.at.strftime("%Y-%m-%d %H:%M:%S"),
            line.actor,
            line.action,
            line.subject,
            (line.file_sha256 or "-")[:12],
            detail,
        )
    Console(width=160).print(table)
