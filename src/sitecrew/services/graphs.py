"""Per-region street networks for services: load from the cache (or build once), then reuse.

Loading a cached network takes tens of milliseconds and building one seconds to minutes, while
a planning request needs it at once; so each process keeps the networks it loaded, keyed by
the region's slug (lower-cased, so ``OSLO`` and ``oslo`` share one network) and directories.
Worker processes of background planning runs have their own memo.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sitecrew.domain.organisations import normalise_slug
from sitecrew.errors import NotFoundError
from sitecrew.services.regions import get_region_by_ref
from sitecrew.streets import network_from_extract, network_from_region
from sitecrew.streets.network import BUILD_STAGES
from sitecrew.streets.regions import load_regions, manifest_path_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.services.progress import ProgressCallback
    from sitecrew.streets import StreetNetwork

_networks: dict[tuple[str, Path, Path, float], StreetNetwork] = {}
_lock = threading.Lock()


def get_network(
    street_region: str,
    *,
    settings: OsmSettings,
    progress: ProgressCallback | None = None,
    extract: str | Path | None = None,
) -> StreetNetwork:
    """Return a region's street network, loading or building it on first use.

    Parameters
    ----------
    street_region
        The slug of a region of the OSM manifest (``Region.street_region`` in the database),
        in any case; for a region added from its own extract, its slug.
    settings
        Where extracts and the graph cache live, and the snap limit.
    progress
        Called as ``progress("street graph: <stage>", n, total)`` while loading or building.
    extract
        The region's own extract (``Region.extract_path``, set by ``sitecrew region add``):
        the network is built from that file, and the manifest is not asked.

    Returns
    -------
    StreetNetwork
        Shared by later calls in this process (its contraction hierarchy is built once).

    Raises
    ------
    NotFoundError
        When the region or its extract is unknown.
    StreetGraphError
        When the extract holds no drivable network.
    """
    slug = normalise_slug(street_region)
    source = settings.directory.resolve() if extract is None else Path(extract).resolve()
    key = (slug, source, settings.cache_directory.resolve(), settings.max_snap_distance_m)
    with _lock:
        if key not in _networks:

            def report(stage: str) -> None:
                if progress is not None and stage in BUILD_STAGES:
                    done = BUILD_STAGES.index(stage) + 1
                    progress("street graph", done, len(BUILD_STAGES))

            if extract is None:
                network = network_from_region(slug, settings=settings, progress=report)
            else:
                network = _network_of_own_extract(slug, source, settings=settings, report=report)
            _ = network.topology  # built (or read from the cache) once, outside any request
            _networks[key] = network
        return _networks[key]


def _network_of_own_extract(
    slug: str, extract: Path, *, settings: OsmSettings, report: Callable[[str], None]
) -> StreetNetwork:
    """Return the network of a region added from its own extract (``regions.extract_path``)."""
    if not extract.is_file():
        msg = (
            f"the extract of region {slug!r}, {extract}, is missing; put it back, or remove "
            "and add the region again from another extract"
        )
        raise NotFoundError(msg)
    return network_from_extract(
        extract,
        cache_directory=settings.cache_directory,
        max_snap_distance_m=settings.max_snap_distance_m,
        progress=report,
    )


def street_region_for(ref: str, *, directory: Path, session: Session | None = None) -> str:
    """Return the manifest region (its slug) that a region name given by a user means.

    A manifest slug in any case names itself; otherwise a database region's slug or id names the
    street graph that serves it, so ``sitecrew osm build`` takes the same names as ``sitecrew
    plan``.

    Parameters
    ----------
    ref
        ``"oslo"``, ``"OSLO"``, or a database region's slug or id.
    directory
        The OSM directory (its manifest, else the repository's).
    session
        A session on the database, or ``None`` when there is none to ask.

    Raises
    ------
    NotFoundError
        Listing the manifest's regions, when neither the manifest nor the database knows
        ``ref`` or the database region has no street graph.
    ConfigurationError
        When the manifest cannot be read.
    """
    manifest = load_regions(manifest_path_for(directory))
    key = normalise_slug(ref)
    if key in manifest:
        return key
    street_region = None
    if session is not None:
        try:
            street_region = get_region_by_ref(session, ref).street_region
        except NotFoundError:
            street_region = None
    if street_region is None:
        known = ", ".join(sorted(manifest))
        msg = f"unknown region {ref[:60]!r}; known regions: {known} (or a database region's slug)"
        raise NotFoundError(msg)
    return normalise_slug(street_region)


def clear_networks() -> None:
    """Forget every loaded network (tests; or after rebuilding a region's cache)."""
    with _lock:
        _networks.clear()
