"""The ``sitecrew`` command line: one module per command group, registered here.

Command modules import their heavy dependencies inside the command functions, so
``sitecrew --help`` stays fast and a broken optional piece does not break every command.
"""

from __future__ import annotations

import sys

import typer

from sitecrew.cli import (
    campaign,
    care,
    care_capacity,
    care_codes,
    care_install,
    crew,
    db,
    demo,
    expand,
    imports,
    notifications,
    osm,
    plan,
    region,
    report,
    schema,
    serve,
    tenant,
    token,
    worker,
)
from sitecrew.cli.errors import DATABASE_EXIT_CODE, exit_code_for
from sitecrew.errors import SitecrewError

app = typer.Typer(
    name="sitecrew",
    help="Sites, furniture, apartments and daily crew routes over OpenStreetMap street graphs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(osm.app, name="osm")
app.add_typer(region.app, name="region")
app.add_typer(token.app, name="token")
app.add_typer(tenant.app, name="tenant")
app.add_typer(crew.app, name="crew")
app.add_typer(schema.app, name="schema")
app.add_typer(imports.app, name="import")
app.command("serve")(serve.serve)
app.add_typer(plan.app, name="plan")
app.add_typer(campaign.app, name="campaign")
app.add_typer(care.app, name="care")
care.app.add_typer(care_codes.app, name="codes")  # wear and failure codes (issue 17, item 4)
care.app.command("capacity")(care_capacity.capacity)  # team capacity (issue 17, item 7)
care.app.add_typer(care_install.app, name="install")  # installation projects (issue 17, item 6)
app.add_typer(notifications.app, name="notifications")
app.add_typer(report.app, name="report")  # the wear report (issue 17, item 5)
app.add_typer(expand.app, name="expand")  # expansion scenarios (issue 18, item 5)
app.command("worker")(worker.worker)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; known errors become a one-line message and an exit code."""
    try:
        app(args=argv, prog_name="sitecrew")
    except SitecrewError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        sys.exit(exit_code_for(error))
    except Exception as error:
        # The last safety net: a database failure nothing above foresaw is one line, not a trace.
        if "sqlalchemy" not in sys.modules:
            raise
        from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 (loaded: it raised)

        if not isinstance(error, SQLAlchemyError):
            raise
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        typer.secho(f"error: the database refused: {reason}", fg=typer.colors.RED, err=True)
        sys.exit(DATABASE_EXIT_CODE)
