"""``sitecrew osm``: list the known regions and build their street graphs into the cache."""

from __future__ import annotations

import time

import typer

from sitecrew.config import Settings

app = typer.Typer(
    help="OpenStreetMap regions: list them, build and cache their street graphs.",
    no_args_is_help=True,
)


@app.command()
def regions() -> None:
    """List the regions of the manifest and whether each extract is present."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.streets.regions import load_regions, manifest_path_for  # noqa: PLC0415

    directory = Settings.from_env().osm.directory
    table = Table(title=f"OSM regions (extracts in {directory})")
    for column in ("region", "extract", "present", "covers"):
        table.add_column(column)
    for region in load_regions(manifest_path_for(directory)).values():
        present = "yes" if (directory / region.extract).is_file() else "no"
        table.add_row(region.name, region.extract, present, region.title)
    Console().print(table)


@app.command()
def build(
    region: str = typer.Argument(..., help="Region name, see `sitecrew osm regions`."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build even if cached."),
) -> None:
    """Build REGION's drivable street graph (or load it from the cache) and report its size."""
    from rich.progress import Progress  # noqa: PLC0415

    from sitecrew.streets.network import BUILD_STAGES, network_from_region  # noqa: PLC0415

    settings = Settings.from_env().osm
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{region}: starting", total=len(BUILD_STAGES))

        def report(stage: str) -> None:
            progress.update(
                task, completed=BUILD_STAGES.index(stage), description=f"{region}: {stage}"
            )

        network = network_from_region(region, settings=settings, progress=report, rebuild=rebuild)
        progress.update(task, completed=len(BUILD_STAGES))
    arrays = network.arrays
    typer.echo(
        f"{region}: {arrays.node_count:,} intersections, {arrays.edge_count:,} directed edges "
        f"in {time.perf_counter() - started:.1f} s; cached in {network.cache_folder}"
    )
