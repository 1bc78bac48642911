"""``sitecrew campaign links``: the tenants' self-service links of a campaign, for a mail merge.

Writes one CSV row per open home (apartment id, address, flat, tenant's name, link, expiry) to a
file or the terminal, issuing the links that are missing (``issue_links``: a link still valid is
handed out again unchanged). ``--revoke APARTMENT`` stops one home's link instead. Links are
signed with ``SITECREW_TENANT_LINK_SECRET`` and point at ``SITECREW_PUBLIC_URL``. The names
handed out are recorded in the personal-data log, with the operating-system account that ran it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from collections.abc import Sequence

COLUMNS = ("apartment_id", "address", "unit", "tenant_name", "url", "expires_at")


def links(
    campaign_id: int = typer.Argument(
        ..., help="The campaign's id (see `sitecrew campaign list`)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the CSV here (default: the terminal)."
    ),
    apartment: list[int] = typer.Option(
        [], "--apartment", help="Only this apartment (repeat for more)."
    ),
    revoke: int | None = typer.Option(
        None, "--revoke", help="Stop this apartment's link instead (its tokens stop at once)."
    ),
) -> None:
    """Write the tenants' links of a campaign as CSV (apartment, tenant, URL) for a mail merge."""
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services import tenant_links as service  # noqa: PLC0415
    from sitecrew.services.personal_data import command_line_actor  # noqa: PLC0415

    settings = Settings.from_env().tenant_links
    admin = Principal(Role.ADMIN)
    with configured_sessions() as sessions, write_session_factory(sessions.kw["bind"]).begin() as s:
        if revoke is not None:
            when = service.revoke_link(s, admin, service.RevokeLink(campaign_id, revoke))
            typer.echo(f"link of apartment {revoke} in campaign {campaign_id} revoked at {when}")
            return
        command = service.IssueLinks(campaign_id, tuple(apartment))
        issued = service.issue_links(s, admin, command, links=settings, actor=command_line_actor())
    rows = [
        (i.apartment_id, i.address, i.unit, i.tenant_name or "", i.url, i.expires_at.isoformat())
        for i in issued
    ]
    if out is None:
        _write(sys.stdout, rows)
        return
    with out.open("w", newline="", encoding="utf-8") as handle:
        _write(handle, rows)
    typer.echo(f"wrote {len(rows)} links of campaign {campaign_id} to {out}", err=True)


def _write(handle: TextIO, rows: Sequence[tuple[object, ...]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
