"""``sitecrew osm``: list the known regions and build their street graphs into the cache."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sitecrew.config import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

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
    region: str = typer.Argument(
        ...,
        help="Region slug, any case (see `sitecrew osm regions`), or a database region's slug "
        "or id (see `sitecrew region list`).",
    ),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build even if cached."),
) -> None:
    """Build REGION's drivable street graph (or load it from the cache) and report its size."""
    from rich.progress import Progress  # noqa: PLC0415

    from sitecrew.services.graphs import street_region_for  # noqa: PLC0415
    from sitecrew.streets.network import (  # noqa: PLC0415
        BUILD_STAGES,
        network_from_extract,
        network_from_region,
    )

    settings = Settings.from_env()
    with _database_if_present(settings) as session:
        own = _own_extract(region, session)
        if own is None:
            name = street_region_for(region, directory=settings.osm.directory, session=session)
        else:
            name, extract = own
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{name}: starting", total=len(BUILD_STAGES))

        def report(stage: str) -> None:
            progress.update(
                task, completed=BUILD_STAGES.index(stage), description=f"{name}: {stage}"
            )

        if own is None:
            network = network_from_region(
                name, settings=settings.osm, progress=report, rebuild=rebuild
            )
        else:
            network = network_from_extract(
                extract,
                cache_directory=settings.osm.cache_directory,
                max_snap_distance_m=settings.osm.max_snap_distance_m,
                progress=report,
                rebuild=rebuild,
            )
        progress.update(task, completed=len(BUILD_STAGES))
    arrays = network.arrays
    typer.echo(
        f"{name}: {arrays.node_count:,} intersections, {arrays.edge_count:,} directed edges "
        f"in {time.perf_counter() - started:.1f} s; cached in {network.cache_folder}"
    )


def _own_extract(ref: str, session: Session | None) -> tuple[str, Path] | None:
    """Return the slug and extract of a region added from its own extract, if ``ref`` names one.

    Regions made by ``sitecrew region add`` carry their extract's path; manifest regions and
    unknown names give ``None`` (the manifest decides then).
    """
    from sitecrew.errors import NotFoundError  # noqa: PLC0415
    from sitecrew.services.regions import get_region_by_ref  # noqa: PLC0415

    if session is None:
        return None
    try:
        region = get_region_by_ref(session, ref)
    except NotFoundError:
        return None
    if not region.extract_path:
        return None
    return region.slug, Path(region.extract_path)


@contextmanager
def _database_if_present(settings: Settings) -> Iterator[Session | None]:
    """Yield a session on the configured database when it exists, answers and is migrated.

    Street graphs need no database, so its absence is no error here: a region name the
    manifest does not know is then simply unknown. A SQLite file that does not exist is not
    created by asking.
    """
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    from sitecrew.db.engine import engine_from_settings, session_factory  # noqa: PLC0415

    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        yield None
        return
    engine = engine_from_settings(settings.database)
    try:
        usable = _has_region_slugs(engine)
        with session_factory(engine)() as session:
            yield session if usable else None
    finally:
        engine.dispose()


def _has_region_slugs(engine: Engine) -> bool:
    """Tell whether the database answers and holds regions with slugs (migration 0005)."""
    from sqlalchemy import inspect  # noqa: PLC0415
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    try:
        columns = inspect(engine).get_columns("regions")
    except SQLAlchemyError:
        return False
    return any(column["name"] == "slug" for column in columns)
