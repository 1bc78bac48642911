"""``sitecrew care install``: order new furniture for a site, list and cancel orders.

``add --site S --model M --count N [--from D --to D]`` orders N pieces of model M (name or id;
give ``--model`` and ``--count`` once per model, in pairs) for site S (its id) and prints the
jobs that will install them: two people with the van, one job per crew-day of work (the order's
parts), planned like any job. When a part's job is done its pieces enter the register.
``list`` prints orders by region, site and status with their parts; ``cancel`` cancels the parts
still to do. The command line acts as an administrator.
"""

from __future__ import annotations

import typer

from sitecrew.cli.care import _admin, _model_id, _region_id
from sitecrew.cli.database import configured_sessions

app = typer.Typer(help="Installation projects: new furniture for a site.", no_args_is_help=True)


@app.command("add")
def add(
    site: int = typer.Option(..., "--site", help="The site's id."),
    model: list[str] = typer.Option(..., "--model", help="A catalogue model (name or id)."),
    count: list[int] = typer.Option(..., "--count", help="Pieces of the model before it."),
    wanted_from: str | None = typer.Option(None, "--from", help="Wanted from (YYYY-MM-DD)."),
    wanted_to: str | None = typer.Option(None, "--to", help="Wanted by (YYYY-MM-DD)."),
    minutes: int | None = typer.Option(None, "--minutes", help="Minutes per piece (90)."),
    notes: str | None = typer.Option(None, "--notes", help="For the installers."),
) -> None:
    """Order pieces for a site: a job for two people with the van per crew-day of work."""
    from sitecrew.domain.days import parse_day  # noqa: PLC0415
    from sitecrew.domain.installations import CreateInstallation, InstallationLine  # noqa: PLC0415
    from sitecrew.domain.jobs import DEFAULT_MINUTES, JobKind  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.care.installations import create_installation  # noqa: PLC0415

    if len(model) != len(count):
        raise InvalidInputError("give --model and --count in pairs, one --count per --model")
    start = None if wanted_from is None else parse_day(wanted_from, name="--from")
    end = None if wanted_to is None else parse_day(wanted_to, name="--to")
    per_piece = DEFAULT_MINUTES[JobKind.INSTALL_FURNITURE] if minutes is None else minutes
    with configured_sessions() as sessions, sessions.begin() as session:
        lines = tuple(
            InstallationLine(_model_id(session, ref), number, per_piece)
            for ref, number in zip(model, count, strict=True)
        )
        order = create_installation(
            session, _admin(), CreateInstallation(site, lines, start, end, notes)
        )
    jobs = ", ".join(str(part.job_id) for part in order.parts)
    noun = "job" if len(order.parts) == 1 else f"{len(order.parts)} parts, jobs"
    typer.echo(
        f"installation {order.id}: {order.pieces} pieces at site {order.site_id}, "
        f"{noun} {jobs} for 2 people, wanted {order.wanted_from}..{order.wanted_to}"
    )


@app.command("list")
def list_orders(
    region: str | None = typer.Option(None, "--region", help="Region slug or id."),
    site: int | None = typer.Option(None, "--site", help="Only this site (id)."),
    status: str | None = typer.Option(None, "--status", help="open, scheduled, done..."),
) -> None:
    """Print installation orders, newest first."""
    from sitecrew.domain.jobs import JobStatus  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.care.installations import list_installations  # noqa: PLC0415

    wanted = None
    if status is not None:
        try:
            wanted = JobStatus(status.lower())
        except ValueError:
            known = ", ".join(s.value for s in JobStatus)
            raise InvalidInputError(f"unknown status {status[:40]!r}; known: {known}") from None
    with configured_sessions() as sessions, sessions() as session:
        region_id = _region_id(session, region)
        found = list_installations(
            session, _admin(), region_id=region_id, site_id=site, status=wanted
        )
    typer.echo(f"{len(found)} installations")
    for order in found:
        lines = ", ".join(f"{line.count} x model {line.model_id}" for line in order.lines)
        done = sum(part.status is JobStatus.DONE for part in order.parts)
        parts = f"{len(order.parts)} part{'' if len(order.parts) == 1 else 's'}"
        typer.echo(
            f"installation {order.id}\tsite {order.site_id}\t"
            f"{parts} ({done} done)\t{order.status.value}\t"
            f"{order.wanted_from}..{order.wanted_to}\t{lines}\t"
            f"installed {order.installed_on or '-'}\tversion {order.version}"
        )


@app.command("cancel")
def cancel(
    installation_id: int = typer.Argument(..., help="The installation's id."),
    version: int = typer.Option(..., "--version", help="The version you read."),
) -> None:
    """Cancel the parts of an installation still to do (done parts stay installed)."""
    from sitecrew.services.care.installations import (  # noqa: PLC0415
        CancelInstallation,
        cancel_installation,
    )

    with configured_sessions() as sessions, sessions.begin() as session:
        order = cancel_installation(session, _admin(), CancelInstallation(installation_id, version))
    typer.echo(f"installation {order.id} is {order.status.value}")
