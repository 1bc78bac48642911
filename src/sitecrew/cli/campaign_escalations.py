"""``sitecrew campaign escalations``: the homes a campaign gave up on, for the planner's calls.

One row per escalated home: apartment, address and flat, every attempt (day, window, crew,
outcome and the times the crew was really there), and how the tenant said the crew may get in.
Tenants' names and phone numbers are shown only with ``--contacts``, and then the read is
written to the personal-data log (with the operating-system account that ran it), as the API
logs what it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from sitecrew.services.campaigns.escalations import Attempt, EscalatedHome


def escalations(
    campaign_id: int = typer.Argument(
        ..., help="The campaign's id (see `sitecrew campaign list`)."
    ),
    contacts: bool = typer.Option(
        False, "--contacts", help="Also show tenants' names and phones (logged as a read)."
    ),
    limit: int = typer.Option(500, "--limit", help="At most this many homes (1-500)."),
) -> None:
    """List a campaign's escalated homes with their attempts and how to get in."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.campaigns import escalations as service  # noqa: PLC0415
    from sitecrew.services.personal_data import (  # noqa: PLC0415
        command_line_actor,
        record_personal_data_event,
    )

    query = service.ListEscalations(campaign_id, limit=limit)
    with configured_sessions() as sessions, write_session_factory(sessions.kw["bind"]).begin() as s:
        found, more = service.list_escalations(s, Principal(Role.ADMIN), query)
        if contacts and found:
            record_personal_data_event(
                s,
                actor=command_line_actor(),
                action="read",
                subject=f"campaign/{campaign_id}/escalations",
                detail={"fields": ["tenant.name", "tenant.phone"]},
                apartments=[e.home.apartment_id for e in found],
            )
    columns = ["apartment", "address", "attempts", "access"]
    table = Table(title=f"campaign {campaign_id}: {len(found)} escalated homes")
    for column in columns + (["tenant", "phone"] if contacts else []):
        table.add_column(column)
    for home in found:
        table.add_row(*_row(home, contacts=contacts))
    Console().print(table)
    if more:
        typer.echo(f"more than {len(found)} escalated homes; raise --limit (500 at most)")


def _row(home: EscalatedHome, *, contacts: bool) -> list[str]:
    flat = home.apartment
    row = [
        str(home.home.apartment_id),
        f"{home.address or ''} {flat.unit}".strip(),
        "\n".join(_attempt(a) for a in home.attempts),
        "not answered" if home.access is None else home.access.value,
    ]
    if contacts:
        tenant = flat.tenant
        row += [tenant.name if tenant else "", (tenant.phone or "") if tenant else ""]
    return row


def _attempt(attempt: Attempt) -> str:
    visit = attempt.visit
    outcome = visit.outcome.value if visit.outcome else "open"
    there = ""
    if visit.started_at is not None and visit.ended_at is not None:
        there = f", there {visit.started_at:%H:%M}-{visit.ended_at:%H:%M} UTC"
    return f"{visit.day} {outcome} ({attempt.crew_name}{there})"
