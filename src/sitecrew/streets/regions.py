"""The region manifest: which extracts Sitecrew knows and where each one comes from.

Region names decouple the rest of the system from file names, and a missing extract becomes an
error that says which file to put where and where to download it, instead of a bare path error.
Each name is a region slug (``oslo``, ``rhein-neckar``), the same form the database gives its
regions, and is looked up without regard to case.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sitecrew.domain.organisations import normalise_slug, require_slug
from sitecrew.errors import ConfigurationError, NotFoundError

MANIFEST_NAME = "regions.toml"
#: The repository's manifest (``data/osm/regions.toml``), used when the OSM directory has none.
REPOSITORY_MANIFEST = Path(__file__).resolve().parents[3] / "data" / "osm" / MANIFEST_NAME


@dataclass(frozen=True)
class Region:
    """One region of the manifest.

    Attributes
    ----------
    name
        The region's slug, used on the command line, in services and as the database regions'
        ``street_region`` (``oslo``, ``rhein-neckar``).
    title
        What the extract covers.
    extract
        File name expected in the OSM directory.
    bbox
        ``(west, south, east, north)`` in degrees.
    download
        Where a larger extract containing the region can be downloaded.
    clip
        How to cut the region out of that download (an osmium command), if needed.
    licence
        The attribution line the data require.
    """

    name: str
    title: str
    extract: str
    bbox: tuple[float, float, float, float]
    download: str
    clip: str
    licence: str


def manifest_path_for(directory: Path) -> Path:
    """Return the OSM directory's own ``regions.toml`` if present, else the repository's."""
    own = directory / MANIFEST_NAME
    return own if own.is_file() else REPOSITORY_MANIFEST


def load_regions(manifest: Path) -> dict[str, Region]:
    """Read every region of a manifest, keyed by name.

    Raises
    ------
    ConfigurationError
        When the manifest is missing or malformed, or a region's name is not a slug.
    """
    try:
        tables = tomllib.loads(manifest.read_text(encoding="utf-8"))["regions"]
        return {name: _region(name, table) for name, table in tables.items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        msg = f"cannot read the region manifest {manifest}: {error!r}"
        raise ConfigurationError(msg) from error


def get_region_or_raise(name: str, *, directory: Path) -> Region:
    """Return the named region (``oslo``, ``OSLO`` and `` Oslo `` are one name).

    Raises
    ------
    NotFoundError
        Naming the known regions when ``name`` is not one of them.
    """
    regions = load_regions(manifest_path_for(directory))
    key = normalise_slug(name)
    if key not in regions:
        msg = f"unknown region {name[:60]!r}; known regions: {', '.join(sorted(regions))}"
        raise NotFoundError(msg)
    return regions[key]


def extract_path_for(region: Region, *, directory: Path) -> Path:
    """Return the path of the region's extract in the OSM directory.

    Raises
    ------
    NotFoundError
        Naming the missing file, the directory and where to download the data.
    """
    path = directory / region.extract
    if not path.is_file():
        how = f" and cut it with: {region.clip}" if region.clip else ""
        msg = (
            f"extract {region.extract} for region {region.name!r} is not in {directory}; "
            f"download {region.download}{how}, or set SITECREW_OSM_DIR"
        )
        raise NotFoundError(msg)
    return path


def _region(name: str, table: dict[str, object]) -> Region:
    require_slug(name, "manifest region name")
    bbox = tuple(float(value) for value in table["bbox"])  # type: ignore[attr-defined]
    if len(bbox) != 4:  # noqa: PLR2004
        msg = f"region {name}: bbox needs 4 numbers"
        raise ValueError(msg)
    return Region(
        name=name,
        title=str(table["title"]),
        extract=str(table["extract"]),
        bbox=(bbox[0], bbox[1], bbox[2], bbox[3]),
        download=str(table["download"]),
        clip=str(table.get("clip", "")),
        licence=str(table["licence"]),
    )
