"""``sitecrew tenant``: erase a tenant's personal data, and read who handled personal data."""

from __future__ import annotations

from datetime import UTC, datetime

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
    apartment: int | None = typer.Option(
        None, "--apartment", help="Only lines about this apartment (reads, edits, erasure...)."
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Only this actor, e.g. 'api:crew:token/7' or 'cli:kari@host'."
    ),
    action: str | None = typer.Option(
        None, "--action", help="Only this action: read, erase, edit:tenant, import:<kind>..."
    ),
    since: str | None = typer.Option(
        None, "--since", help="From this day or moment (ISO 8601; a day is midnight UTC)."
    ),
) -> None:
    """Show who imported, edited, exported, read or erased tenants' data, and when."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.tenants import (  # noqa: PLC0415
        PersonalDataLogQuery,
        personal_data_log,
    )

    query = PersonalDataLogQuery(
        limit=last, actor=actor, action=action, apartment_id=apartment, since=_moment(since)
    )
    with configured_sessions() as sessions, sessions() as session:
        lines, _ = personal_data_log(session, Principal(Role.ADMIN), query)
    table = Table(title="Personal-data log (newest first)")
    for column in ("at (UTC)", "actor", "action", "subject", "apartments", "detail"):
        table.add_column(column)
    for line in lines:
        detail = ", ".join(
            f"{key}={value}" for key, value in (line.detail or {}).items() if key != "read"
        )
        if line.file_sha256:
            detail = f"sha256={line.file_sha256[:12]} {detail}"
        fields = _read_fields(line.detail)
        if fields:
            detail = f"fields={','.join(fields)} {detail}"
        table.add_row(
            line.at.strftime("%Y-%m-%d %H:%M:%S"),
            line.actor,
            line.action,
            line.subject,
            _apartments(line.apartment_ids),
            detail,
        )
    Console(width=200).print(table)


def _read_fields(detail: dict[str, object] | None) -> list[str]:
    """Return the tenant fields a ``read`` line names (its groups of fields and apartments)."""
    groups = (detail or {}).get("read")
    if not isinstance(groups, list):
        return []
    return sorted({field for group in groups for field in group.get("fields", [])})


def _moment(text: str | None) -> datetime | None:
    """Parse ``--since``: an ISO day (midnight UTC) or moment (UTC when it names no zone)."""
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"--since {text!r} is no ISO 8601 day or moment") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _apartments(ids: tuple[int, ...], shown: int = 8) -> str:
    """Return the first ids and how many more, so a 500-apartment read fits one cell."""
    text = ",".join(str(i) for i in ids[:shown])
    return f"{text} (+{len(ids) - shown})" if len(ids) > shown else text or "-"
