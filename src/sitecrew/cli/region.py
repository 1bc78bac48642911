"""``sitecrew region``: the operating regions in the database, by the one name commands take."""

from __future__ import annotations

import typer

from sitecrew.cli.database import configured_sessions

app = typer.Typer(help="Operating regions in the database.", no_args_is_help=True)

COLUMNS = (
    "slug",
    "id",
    "title",
    "time zone",
    "street graph",
    "districts",
    "sites",
    "buildings",
    "crews",
    "open jobs",
)
#: Numbers, aligned right.
NUMERIC = frozenset({"id", "districts", "sites", "buildings", "crews", "open jobs"})


@app.command("list")
def list_() -> None:
    """List every region: its slug (what `--region` takes), title, clock, street graph, size."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.services.regions import list_region_summaries  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        summaries = list_region_summaries(session)
    if not summaries:
        typer.echo("no regions yet; `sitecrew demo load` creates one (oslo)", err=True)
        return
    table = Table(title="Regions (name one with its slug, in any case, or its id)")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in NUMERIC else "left")
    for region in summaries:
        table.add_row(
            region.slug,
            str(region.id),
            region.title,
            region.timezone,
            region.street_region or "-",
            *(str(n) for n in (region.districts, region.sites, region.buildings)),
            *(str(n) for n in (region.crews, region.open_jobs)),
        )
    Console(width=160).print(table)
