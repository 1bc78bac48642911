"""``sitecrew demo``: load a demo world built from a real OpenStreetMap extract, or start it.

``demo start`` is what ``scripts/demo.sh`` runs: it loads the demo only into an empty database,
keeps whatever a database already holds, and prints a fresh planner token and the URL to open.
``demo load`` loads explicitly; ``demo load --replace`` wipes everything first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import migrated_session
from sitecrew.config import Settings
from sitecrew.errors import SitecrewError

if TYPE_CHECKING:
    from datetime import date

    from sitecrew.services.demo import DemoSummary
    from sitecrew.services.demo.start import DemoStart

app = typer.Typer(
    help="Load demo data built from real OpenStreetMap extracts.", no_args_is_help=True
)

_EXTRACT_HELP = "OSM extract to read (default: oslo.osm.pbf in the OSM directory)."
_DATE_HELP = (
    "The demo's plan day, YYYY-MM-DD: its bookings start that day (default: the next working "
    "day after today in Oslo: Monday to Friday and no Norwegian public holiday)."
)
_FLATS_HELP = "Apartments to create (when loading)."
_TITLE_HELP = "Title of the demo region."
_STREET_HELP = (
    "Slug of the OSM manifest region whose street graph routes the demo region; "
    "the demo region gets the same slug."
)


@app.command()
def load(
    extract: Path | None = typer.Option(None, help=_EXTRACT_HELP),
    region_name: str = typer.Option("Oslo sentrum", help=_TITLE_HELP),
    street_region: str = typer.Option("oslo", help=_STREET_HELP),
    plan_day: str | None = typer.Option(None, "--date", help=_DATE_HELP),
    seed: int = typer.Option(2018, help="Random seed: the same seed gives the same world."),
    flats: int = typer.Option(22_000, min=100, max=200_000, help=_FLATS_HELP),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Wipe EVERYTHING first (tokens, routes, edits), then load the demo.",
    ),
) -> None:
    """Migrate the database if needed, then load the demo world in one transaction."""
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.services.demo import load_demo  # noqa: PLC0415

    settings = Settings.from_env()
    day = _plan_day(plan_day)
    path = extract or settings.osm.directory / "oslo.osm.pbf"
    started = time.perf_counter()
    with migrated_session(settings) as session, progress_bar() as progress:
        summary = load_demo(
            session,
            path,
            region_name=region_name,
            street_region=street_region,
            plan_day=day,
            seed=seed,
            target_flats=flats,
            replace=replace,
            progress=progress,
        )
    _print_summary(
        summary, f"Demo loaded from {path.name} in {time.perf_counter() - started:.1f} s"
    )
    typer.echo(f"The demo's plan day is {day} ({day:%A}).")


@app.command()
def start(
    extract: Path | None = typer.Option(None, help=_EXTRACT_HELP),
    region_name: str = typer.Option("Oslo sentrum", help=_TITLE_HELP),
    street_region: str = typer.Option("oslo", help=_STREET_HELP),
    plan_day: str | None = typer.Option(None, "--date", help=_DATE_HELP),
    flats: int = typer.Option(22_000, min=100, max=200_000, help=_FLATS_HELP),
    plan: bool = typer.Option(
        True,
        "--plan/--no-plan",
        help="Plan and publish the plan day once the demo is loaded, so the console opens on "
        "a planned day's routes (a loaded database is never re-planned).",
    ),
) -> None:
    """Load the demo into an empty database (never over data) and print a fresh planner token.

    A database that already holds data is kept as it is. A secret is shown only once, so each
    start hands out a new token; earlier demo tokens keep working until they expire.
    """
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.services.demo.start import start_demo  # noqa: PLC0415

    settings = Settings.from_env()
    day = _plan_day(plan_day)
    path = extract or settings.osm.directory / "oslo.osm.pbf"
    with migrated_session(settings) as session, progress_bar() as progress:
        started = start_demo(
            session,
            path,
            region_name=region_name,
            street_region=street_region,
            plan_day=day,
            target_flats=flats,
            progress=progress,
        )
    planned = False
    if started.loaded and plan:
        try:
            _plan_the_day(settings, day)
            planned = True
        except SitecrewError as error:  # the demo is loaded and its token still wanted
            typer.echo(f"The plan day was not planned ({error}); plan it in the console.", err=True)
    _print_start(started, day, settings, planned=planned)


def _plan_the_day(settings: Settings, day: date) -> None:
    """Plan and publish the demo region's plan day, as ``sitecrew plan --publish`` does."""
    from sqlalchemy import select  # noqa: PLC0415

    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.db import models as m  # noqa: PLC0415
    from sitecrew.db.engine import engine_from_settings, session_factory  # noqa: PLC0415
    from sitecrew.domain.routes import PlanOptions  # noqa: PLC0415
    from sitecrew.services.planning.runs import plan_day  # noqa: PLC0415

    options = PlanOptions(
        seed=settings.routing.seed, time_limit_s=settings.routing.time_limit_s, publish=True
    )
    engine = engine_from_settings(settings.database)
    try:
        with progress_bar() as progress, session_factory(engine).begin() as session:
            region = session.scalar(select(m.Region.slug).order_by(m.Region.id))
            outcome = plan_day(
                session,
                region=str(region),
                day=day,
                osm=settings.osm,
                options=options,
                progress=progress,
            )
    finally:
        engine.dispose()
    summary = outcome.summary
    typer.echo(
        f"Planned and published the plan day: {summary.get('routes')} routes, "
        f"{summary.get('visits')} visits, {summary.get('unassigned')} unassigned "
        "(the console's Plan the day plans it again)."
    )


def _plan_day(text: str | None) -> date:
    """Return the ``--date`` given, or the next working day when none is."""
    from sitecrew.domain.days import parse_day  # noqa: PLC0415
    from sitecrew.services.demo.start import default_plan_day  # noqa: PLC0415

    return default_plan_day() if text is None else parse_day(text, name="--date")



def _print_summary(summary: DemoSummary, title: str) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=title)
    table.add_column("entity")
    table.add_column("count", justify="right")
    for name, value in vars(summary).items():
        table.add_row(name.replace("_", " "), str(value))
    Console().print(table)


def _print_start(started: DemoStart, day: date, settings: Settings, *, planned: bool) -> None:
    """Say what the start did, how to start over, and print the token and the URL to open."""
    if started.loaded:
        _print_summary(started.held, "Demo loaded into the empty database")
        typer.echo(f"The demo's plan day is {day} ({day:%A}); its bookings start that day.")
    else:
        _print_summary(started.held, "Kept: the database already holds data")
        typer.echo(
            "Nothing was loaded or changed (so --date and --flats do not apply). To start over\n"
            "with a fresh demo, run\n"
            "  .venv/bin/sitecrew demo load --replace [--date YYYY-MM-DD]\n"
            "which DESTROYS everything in the database: tokens, routes and edits."
        )
    if started.earlier_tokens:
        typer.echo(
            f"{started.earlier_tokens} earlier demo token(s) still work "
            "(sitecrew token list; sitecrew token revoke ID ends one)."
        )
    token = started.token.token
    next_step = " and its published routes" if planned else "; press Plan the day, then Publish"
    host = settings.server.host
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    typer.echo(
        f"\nPlanner token ({token.scope}, expires {token.expires_at:%Y-%m-%d}), shown only now:\n"
        f"  {started.token.secret}\n"
        f"Open http://{shown_host}:{settings.server.port}/#view=planner&date={day} and sign in "
        f"with it: the map opens on the plan day{next_step}.\n"
    )
