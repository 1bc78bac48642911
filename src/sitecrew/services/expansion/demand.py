"""Demand in a region: the sites an expansion would serve and the work each implies per year.

Sites come from the region's OpenStreetMap extract (schools, residential areas, parks: where
the furniture maker's pieces stand) or from the customer's own CSV file. The work a site
implies is its pieces times the catalogue's default care plans (``default_plans``): oiling on
the model's interval, yearly inspection, tightening every other year, each with its minutes
per piece and setup per visit.

Assumptions for OSM sites (no pieces are known yet, so they are estimated from the area):

* a school has one piece per 500 m2 of grounds, 4 to 40;
* a residential area (``landuse=residential``, the housing cooperatives' courtyards) one per
  2,000 m2, 2 to 60;
* a park one per 1,500 m2, 2 to 80;
* the pieces are the demo catalogue's weighted mix (benches, picnic sets, tables, planters,
  bike racks, bins), so a piece averages :data:`MINUTES_PER_PIECE_YEAR` minutes of care a year
  and a site pays :data:`SETUP_MINUTES_YEAR` minutes of setup a year on top;
* the site's point is a point inside its area (``representative_point``), where a van stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyproj import Geod

from sitecrew.errors import InvalidInputError
from sitecrew.places.extract import places_from_extract
from sitecrew.services.care.defaults import default_plans
from sitecrew.services.demo.catalogue import CATALOGUE
from sitecrew.services.expansion.files import (
    RowProblem,
    SiteFileError,
    lonlat_of,
    number_of,
    rows_from_csv,
)

if TYPE_CHECKING:
    from pathlib import Path

    from shapely.geometry import MultiPolygon, Polygon

    from sitecrew.places.extract import OsmArea

#: Kinds of OSM area that become sites, with (m2 per piece, fewest pieces, most pieces).
PIECES_PER_AREA: dict[str, tuple[float, int, int]] = {
    "school": (500.0, 4, 40),
    "residential": (2000.0, 2, 60),
    "park": (1500.0, 2, 80),
}
MONTHS_PER_YEAR = 12
_GEOD = Geod(ellps="WGS84")


def _catalogue_minutes() -> tuple[float, float]:
    """Return the catalogue mix's care minutes per piece-year and setup minutes per site-year."""
    total = sum(spec.weight for spec in CATALOGUE)
    piece = setup = 0.0
    for model_id, spec in enumerate(CATALOGUE, start=1):
        for plan in default_plans(model_id, spec.material, spec.interval_days):
            per_year = MONTHS_PER_YEAR / plan.interval_months
            piece += spec.weight / total * plan.minutes_per_piece * per_year
            setup += spec.weight / total * plan.setup_minutes * per_year
    return piece, setup


#: Care minutes a year of an average catalogue piece (the default plans, weighted mix).
#: Setup minutes a year of a site (paid per visit, not per piece).
MINUTES_PER_PIECE_YEAR, SETUP_MINUTES_YEAR = _catalogue_minutes()


@dataclass(frozen=True)
class DemandSite:
    """A place an expansion would serve and the work it implies per year.

    Attributes
    ----------
    name
        The OSM name (or ``school way/123`` when unnamed), or the file's name column.
    kind
        ``school``, ``residential``, ``park`` (OSM), or ``customer`` (a file row).
    lon, lat
        Where a van stops, WGS84.
    pieces
        Pieces of furniture at the site (estimated for OSM sites).
    minutes_per_year
        Care work a year at the site: pieces x the default plans, plus setup.
    source
        ``osm:way/123`` or ``file:line 7``: where the site came from.
    """

    name: str
    kind: str
    lon: float
    lat: float
    pieces: int
    minutes_per_year: float
    source: str


def minutes_per_year_for(pieces: int) -> float:
    """Return the yearly care minutes of a site with ``pieces`` pieces of the catalogue's mix."""
    return pieces * MINUTES_PER_PIECE_YEAR + (SETUP_MINUTES_YEAR if pieces else 0.0)


def demand_from_extract(
    path: Path, *, kinds: tuple[str, ...] = ("school", "residential", "park")
) -> list[DemandSite]:
    """Return the sites of an OSM extract's schools, residential areas and parks.

    Parameters
    ----------
    path
        The region's ``.osm.pbf`` extract.
    kinds
        Which kinds of area become sites (keys of :data:`PIECES_PER_AREA`).

    Returns
    -------
    list[DemandSite]
        One site per area, ordered by kind then OSM id (deterministic).

    Raises
    ------
    InvalidInputError
        When ``kinds`` names an unknown kind, or the extract holds no area of those kinds (a
        roads-only extract): the region's data cannot say where the demand is.
    NotFoundError
        When the extract does not exist.
    """
    unknown = sorted(set(kinds) - set(PIECES_PER_AREA))
    if unknown or not kinds:
        msg = f"site kinds must be among {', '.join(PIECES_PER_AREA)}, not {unknown or 'none'}"
        raise InvalidInputError(msg)
    places = places_from_extract(path)
    sites = [_site_of(area) for kind in kinds for area in places.areas_of(kind)]
    if not sites:
        msg = (
            f"{path.name} holds no {', '.join(kinds)} areas to make sites from (a roads-only "
            "extract?); use an extract with buildings and amenities, or a file of the "
            "customer's sites"
        )
        raise InvalidInputError(msg)
    return sites


def _site_of(area: OsmArea) -> DemandSite:
    per_piece, fewest, most = PIECES_PER_AREA[area.kind]
    pieces = min(most, max(fewest, round(_area_m2(area.area) / per_piece)))
    point = area.area.representative_point()
    return DemandSite(
        name=area.name or f"{area.kind} {area.osm_id}",
        kind=area.kind,
        lon=float(point.x),
        lat=float(point.y),
        pieces=pieces,
        minutes_per_year=minutes_per_year_for(pieces),
        source=f"osm:{area.osm_id}",
    )


def _area_m2(geometry: Polygon | MultiPolygon) -> float:
    area, _ = _GEOD.geometry_area_perimeter(geometry)
    return abs(float(area))


def demand_from_csv(source: Path | str) -> list[DemandSite]:
    """Return the customer's sites from a CSV file.

    Columns: ``lon``, ``lat``, ``name`` and either ``pieces`` (care minutes then follow from
    the default plans) or ``minutes_per_year`` (work as the customer counts it, e.g. a
    campaign's apartments times minutes each); a row may give both.

    Parameters
    ----------
    source
        A path, or the file's text.

    Returns
    -------
    list[DemandSite]
        One site per row, in file order, of kind ``customer``.

    Raises
    ------
    SiteFileError
        Listing every bad row (coordinates, numbers, missing work), when any row is bad.
    InvalidInputError
        When the header lacks ``lon``, ``lat`` or ``name``, or names neither ``pieces`` nor
        ``minutes_per_year``.
    NotFoundError
        When a path does not exist.
    """
    rows = rows_from_csv(source, required=("lon", "lat", "name"))
    if not ({"pieces", "minutes_per_year"} & set(rows[0])):
        msg = "the sites file must have a pieces or a minutes_per_year column"
        raise InvalidInputError(msg)
    sites: list[DemandSite] = []
    problems: list[RowProblem] = []
    for line, row in enumerate(rows, start=2):
        try:
            sites.append(_customer_site(row, line))
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
    if problems:
        raise SiteFileError("the sites file", problems)
    return sites


def _customer_site(row: dict[str, str], line: int) -> DemandSite:
    lon, lat = lonlat_of(row)
    name = row.get("name", "")
    if not name:
        msg = "name is empty"
        raise ValueError(msg)
    pieces = _whole(row, "pieces") if row.get("pieces") else 0
    minutes = number_of(row, "minutes_per_year") if row.get("minutes_per_year") else None
    if minutes is not None and minutes < 0:
        msg = f"minutes_per_year {minutes:g} is negative"
        raise ValueError(msg)
    if minutes is None and not pieces:
        msg = "give pieces (1 or more) or minutes_per_year"
        raise ValueError(msg)
    work = minutes if minutes is not None else minutes_per_year_for(pieces)
    return DemandSite(name[:200], "customer", lon, lat, pieces, work, f"file:line {line}")


def _whole(row: dict[str, str], column: str) -> int:
    value = number_of(row, column)
    if value < 0 or not math.isclose(value, round(value)) or value > 1_000_000:  # noqa: PLR2004
        msg = f"{column} {row[column][:20]!r} is not a whole number from 0 to 1,000,000"
        raise ValueError(msg)
    return round(value)
