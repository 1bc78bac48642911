"""``sitecrew demo``: load a demo world built from a real OpenStreetMap extract."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer

from sitecrew.config import Settings

app = typer.Typer(
    help="Load demo data built from real OpenStreetMap extracts.", no_args_is_help=True
)

DEFAULT_PLAN_DAY = "2026-06-02"


@app.command()
def load(
    extract: Path | None = typer.Option(
        None, help="OSM extract to read (default: oslo.osm.pbf in the OSM directory)."
    ),
    region_name: str = typer.Option("Oslo sentrum", help="Name of the demo region."),
    street_region: str = typer.Option(
        "oslo", help="Region of the OSM manifest whose street graph routes this region."
    ),
    plan_day: str = typer.Option(
        DEFAULT_PLAN_DAY, "--date", help="The day the demo's bookings centre on (YYYY-MM-DD)."
    ),
    seed: int = typer.Option(2018, help="Random seed: the same seed gives the same world."),
    flats: int = typer.Option(22_000, min=100, max=200_000, help="Apartments to create."),
    replace: bool = typer.Option(False, "--replace", help="Wipe existing data first."),
) -> None:
    """Migrate the database if needed, then load the demo world in one transaction."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.db import migrate  # noqa: PLC0415
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        refresh_statistics,
        session_factory,
    )
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.demo import load_demo  # noqa: PLC0415

    settings = Settings.from_env()
    try:
        day = date.fromisoformat(plan_day)
    except ValueError:
        raise InvalidInputError(f"--date must be YYYY-MM-DD, got {plan_day!r}") from None
    path = extract or settings.osm.directory / "oslo.osm.pbf"
    engine = engine_from_settings(settings.database)
    check_connection(engine)
    started = time.perf_counter()
    migrate.upgrade(engine)
    with progress_bar() as progress, session_factory(engine).begin() as session:
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
    refresh_statistics(engine)
    elapsed = time.perf_counter() - started
    table = Table(title=f"Demo loaded from {path.name} in {elapsed:.1f} s")
    table.add_column("entity")
    table.add_column("count", justify="right")
    for name, value in vars(summary).items():
        table.add_row(name.replace("_", " "), str(value))
    Console().print(table)
