"""``sitecrew region``: add a region from any OSM extract, list, show and remove regions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions, migrated_session
from sitecrew.config import Settings

if TYPE_CHECKING:


    from sitecrew.domain.geo import BBox
    from sitecrew.services.region_details import RegionDetails
    from sitecrew.services.region_setup import RegionSetupSummary

app = typer.Typer(help="Operating regions in the database.", no_args_is_help=True)

COLUMNS = (
    "slug",
    "id",
    "title",
    "country",
    "time zone",
    "street graph",
    "districts",
    "sites",
    "buildings",
    "crews",
    "open jobs",
    "address points",
)
#: Numbers, aligned right.
NUMERIC = frozenset(
    {"id", "districts", "sites", "buildings", "crews", "open jobs", "address points"}
)
_BBOX_HELP = "The region's box inside the extract, west,south,east,north in degrees."
_DISTRICTS_HELP = (
    "GeoJSON FeatureCollection of named (Multi)Polygons (property name/navn/namn; optional "
    "contractor: an organisation's name) to make the region's districts."
)
_ADMIN_HELP = "Make districts of the extract's OSM administrative areas of this admin_level."
_TZ_HELP = "IANA time zone of shifts and appointments (default: the country's main zone)."


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The region's slug: lower-case letters, digits, -."),
    extract: Path = typer.Option(..., "--extract", help="The .osm.pbf file to read."),
    title: str | None = typer.Option(None, help="The region's title (default: its slug)."),
    bbox: str | None = typer.Option(None, help=_BBOX_HELP),
    country: str = typer.Option("NO", help="ISO 3166 alpha-2 code (public holidays)."),
    timezone: str | None = typer.Option(None, help=_TZ_HELP),
    districts: Path | None = typer.Option(None, help=_DISTRICTS_HELP),
    districts_from_osm: int | None = typer.Option(None, min=1, max=12, help=_ADMIN_HELP),
) -> None:
    """Create a region from an extract: boundary, street graph, address points, places, districts.

    Refused (nothing written) for a missing or unreadable extract, one without drivable roads, a
    slug that exists, or a box outside the extract. An extract of roads only is accepted for
    routing, with a warning that address matching is unavailable.
    """
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.services.region_setup import NewRegion, add_region_from_extract  # noqa: PLC0415

    command = NewRegion(
        slug=name,
        extract=extract.expanduser().resolve(),
        title=title,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        country=country.strip().upper(),
        timezone=timezone,
        districts_file=districts,
        districts_admin_level=districts_from_osm,
    )
    settings = Settings.from_env()
    started = time.perf_counter()
    with migrated_session(settings) as session, progress_bar() as progress:
        summary = add_region_from_extract(session, command, osm=settings.osm, progress=progress)
    _print_added(summary, time.perf_counter() - started)


@app.command("list")
def list_() -> None:
    """List every region: its slug (what `--region` takes), title, clock, street graph, size."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.services.regions import list_region_summaries  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        summaries = list_region_summaries(session)
    if not summaries:
        typer.echo(
            "no regions yet; `sitecrew region add NAME --extract FILE.osm.pbf` creates one "
            "(`sitecrew demo load` the demo's oslo)",
            err=True,
        )
        return
    table = Table(title="Regions (name one with its slug, in any case, or its id)")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in NUMERIC else "left")
    for region in summaries:
        table.add_row(
            region.slug,
            str(region.id),
            region.title,
            region.country,
            region.timezone,
            region.street_region or "-",
            *(str(n) for n in (region.districts, region.sites, region.buildings)),
            *(str(n) for n in (region.crews, region.open_jobs, region.address_points)),
        )
    Console(width=180).print(table)


@app.command("show")
def show(name: str = typer.Argument(..., help="The region's slug (any case) or id.")) -> None:
    """Show one region: names, country, clock, extract, box, places, districts, street graph."""
    from sitecrew.services.region_details import region_details  # noqa: PLC0415

    settings = Settings.from_env()
    with configured_sessions() as sessions, sessions() as session:
        details = region_details(session, name, osm=settings.osm)
    _print_details(details)


@app.command("remove")
def remove(
    name: str = typer.Argument(..., help="The region's slug (any case) or id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete a region that holds no operational data, with its places and districts.

    Refused while buildings, sites, crews, depots, jobs, planning runs or tokens belong to it.
    """
    from sitecrew.services.region_details import remove_region  # noqa: PLC0415

    if not yes:
        typer.confirm(f"Remove region {name!r} with its address points and places?", abort=True)
    with configured_sessions() as sessions, sessions.begin() as session:
        removed = remove_region(session, name)
    typer.echo(
        f"removed region {removed.slug!r} with {removed.address_points} address points, "
        f"{removed.place_areas} place areas and {removed.districts} districts"
    )


def parse_bbox(text: str) -> BBox:
    """Return ``west,south,east,north`` as a box.

    Raises
    ------
    InvalidInputError
        Unless it is four numbers, west < east and south < north, in range.
    """
    from sitecrew.domain.geo import BBox  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    parts = text.replace(" ", "").split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        msg = f"--bbox must be four numbers west,south,east,north, got {text[:80]!r}"
        raise InvalidInputError(msg) from None
    return BBox(west, south, east, north)



def _print_added(summary: RegionSetupSummary, seconds: float) -> None:
    region = summary.region
    typer.echo(f"Region {region.slug!r} ({region.name}) added in {seconds:.1f} s")
    typer.echo(f"  country {region.country}, time zone {region.timezone}")
    typer.echo(f"  extract {region.extract_path or '-'}")
    typer.echo(f"  box {_box(region.area.bounds)}")
    graph = summary.street_graph
    if graph is not None:
        how = "from the cache" if graph.cached else f"built in {graph.seconds:.1f} s"
        typer.echo(f"  street graph: {graph.nodes} nodes, {graph.edges} edges ({how})")
    typer.echo(f"  address points: {summary.address_points}")
    areas = ", ".join(f"{kind} {n}" for kind, n in summary.place_areas.items()) or "none"
    typer.echo(f"  place areas: {areas}")
    typer.echo(f"  districts: {', '.join(summary.districts) or 'none'}")
    for warning in summary.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)


def _print_details(details: RegionDetails) -> None:
    region = details.region
    typer.echo(f"{region.name} ({region.slug}, id {region.id})")
    typer.echo(f"  country:        {region.country}")
    typer.echo(f"  time zone:      {region.timezone}")
    typer.echo(f"  extract:        {region.extract_path or '-'}")
    typer.echo(f"  box:            {_box(region.area.bounds)}")
    typer.echo(f"  street graph:   {details.street_graph}")
    typer.echo(f"  address points: {details.address_points}")
    areas = ", ".join(f"{kind} {n}" for kind, n in details.place_areas.items()) or "none"
    typer.echo(f"  place areas:    {areas}")
    typer.echo(f"  districts:      {len(details.districts)}")
    for district, contractor in details.districts:
        typer.echo(f"    {district}" + (f" (contractor: {contractor})" if contractor else ""))
    held = ", ".join(f"{kind} {n}" for kind, n in details.holds.items())
    typer.echo(f"  holds:          {held}")
    if not details.address_points:
        from sitecrew.services.region_setup_rows import no_addresses_warning  # noqa: PLC0415

        typer.secho(f"warning: {no_addresses_warning(region.slug)}", fg=typer.colors.YELLOW)


def _box(bounds: tuple[float, float, float, float]) -> str:
    return ",".join(f"{value:.5f}" for value in bounds) + " (west,south,east,north)"
