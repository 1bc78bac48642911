"""``sitecrew import KIND FILE``: bring a register (CSV or XLSX) into a region.

Each kind is a subcommand with the same options. The command prints a summary (rows read,
created, updated, unchanged, rejected, how addresses matched), writes the rejected rows to
``FILE.rejects.csv`` and one line per row read (outcome, match quality and score, the matched OSM
address and its osm_ref, a differing postcode, the reason of a rejection) to
``FILE.report.csv``. It exits 0 when the import ran, even with rejected rows (their count is
in the summary); non-zero when nothing could be imported: an unreadable file, unknown or
missing columns, an unknown region (3 or 4), or ``--strict`` with rejected rows (3).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from sitecrew.services.imports.report import ImportReport

app = typer.Typer(
    help="Import a register (CSV or XLSX): apartments, furniture, crews, organisations, districts.",
    no_args_is_help=True,
)

_FILE = typer.Argument(..., help="CSV (UTF-8, ';' or ',') or XLSX file; header on line 1.")
_REGION = typer.Option(
    None, "--region", help="Region slug or id (may be left out when there is only one)."
)
_DRY_RUN = typer.Option(
    False, "--dry-run", help="Match and report everything; write nothing (the log notes the run)."
)
_STRICT = typer.Option(False, "--strict", help="Write nothing when any row is rejected.")


def _run(kind: str, path: Path, region: str | None, *, dry_run: bool, strict: bool) -> None:
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.imports.runner import import_file  # noqa: PLC0415
    from sitecrew.services.personal_data import command_line_actor  # noqa: PLC0415
    from sitecrew.services.progress import no_progress  # noqa: PLC0415

    # A writer's session (SQLite: BEGIN IMMEDIATE), so an import waits for a running server's
    # write instead of failing with "database is locked" when it starts to write.
    with (
        configured_sessions() as sessions,
        write_session_factory(sessions.kw["bind"]).begin() as session,
    ):
        if sys.stderr.isatty():
            with progress_bar() as progress:
                report = import_file(
                    session, kind, path, region=region, actor=command_line_actor(),
                    dry_run=dry_run, strict=strict, progress=progress,
                )  # fmt: skip
        else:
            report = import_file(
                session, kind, path, region=region, actor=command_line_actor(),
                dry_run=dry_run, strict=strict, progress=no_progress,
            )  # fmt: skip
    print_report(report)
    if report.refused:
        msg = (
            f"--strict: {report.rejected} of {report.rows_read} rows rejected, nothing was "
            f"written (see {report.rejects_path})"
        )
        raise InvalidInputError(msg)


def print_report(report: ImportReport) -> None:
    """Print the import's summary: what happened to the rows, and where the rejects are."""
    verb = "Checked (dry run)" if report.dry_run else "Imported"
    if report.refused:
        verb = "Refused (--strict)"
    typer.echo(f"{verb} {report.kind} from {report.file_name}")
    for label, count in report.counts().items():
        typer.echo(f"  {label.replace('_', ' '):<12}{count:>8}")
    if report.qualities:
        matched = ", ".join(f"{name} {count}" for name, count in report.qualities.items())
        typer.echo(f"  matched by   {matched}")
    for label, count in report.extra.items():
        typer.echo(f"  {label}: {count}")
    if report.rejects_path is not None:
        typer.echo(f"  rejected rows (line and reason): {report.rejects_path}")
    if report.report_path is not None:
        typer.echo(f"  every row (outcome, address match, reason): {report.report_path}")
    if not report.written:
        typer.echo("  nothing was written")


@app.command()
def apartments(
    path: Path = _FILE,
    region: str | None = _REGION,
    dry_run: bool = _DRY_RUN,
    strict: bool = _STRICT,
) -> None:
    """Flats: external_ref, street, housenumber, [letter], postcode, city, unit, floor, tenant_*."""
    _run("apartments", path, region, dry_run=dry_run, strict=strict)


@app.command()
def furniture(
    path: Path = _FILE,
    region: str | None = _REGION,
    dry_run: bool = _DRY_RUN,
    strict: bool = _STRICT,
) -> None:
    """Furniture: serial, model, installed_on, street + housenumber or lon + lat, [site]."""
    _run("furniture", path, region, dry_run=dry_run, strict=strict)


@app.command()
def crews(
    path: Path = _FILE,
    region: str | None = _REGION,
    dry_run: bool = _DRY_RUN,
    strict: bool = _STRICT,
) -> None:
    """Crews, one row per member: crew, organisation, depot, member, role, skills, pattern."""
    _run("crews", path, region, dry_run=dry_run, strict=strict)


@app.command()
def organisations(
    path: Path = _FILE,
    dry_run: bool = _DRY_RUN,
    strict: bool = _STRICT,
) -> None:
    """Organisations: name, kind (owner, furniture_maker, contractor, service_provider)."""
    _run("organisations", path, None, dry_run=dry_run, strict=strict)


@app.command()
def districts(
    path: Path = _FILE,
    region: str | None = _REGION,
    dry_run: bool = _DRY_RUN,
    strict: bool = _STRICT,
) -> None:
    """District bindings: district, contractor (empty contractor unbinds the district)."""
    _run("districts", path, region, dry_run=dry_run, strict=strict)
