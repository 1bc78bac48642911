"""Candidate depots: where a new depot could open.

Either any address of the region (a depot can be rented almost anywhere, so a seeded sample of
the extract's addresses stands in for "any address"; buildings are used where a region maps no
addresses) or the customer's file of available premises.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.errors import InvalidInputError
from sitecrew.places.addresses import addresses_from_extract
from sitecrew.services.expansion.files import RowProblem, SiteFileError, lonlat_of, rows_from_csv

if TYPE_CHECKING:
    from pathlib import Path

#: Candidates sampled from a region when not told otherwise (the issue's benchmark size).
DEFAULT_CANDIDATES = 200
#: Most candidates a siting takes (the model has one binary per candidate).
MAX_CANDIDATES = 2_000


@dataclass(frozen=True)
class CandidateDepot:
    """A place where a depot could open.

    Attributes
    ----------
    name
        The address (``Triq il-Kbira 12``) or the file's name column.
    lon, lat
        WGS84.
    source
        ``osm:node/123`` or ``file:line 4``.
    """

    name: str
    lon: float
    lat: float
    source: str


def candidates_from_extract(
    path: Path, *, count: int = DEFAULT_CANDIDATES, seed: int = 1
) -> list[CandidateDepot]:
    """Return ``count`` addresses (else buildings) of an extract, sampled with ``seed``.

    Parameters
    ----------
    path
        The region's ``.osm.pbf`` extract.
    count
        How many candidates (all of them when the extract has fewer).
    seed
        The sample's seed: the same extract, count and seed give the same candidates.

    Returns
    -------
    list[CandidateDepot]
        In the extract's order (by OSM reference), not the sample's.

    Raises
    ------
    InvalidInputError
        When ``count`` is out of range or the extract maps no addresses or buildings.
    NotFoundError
        When the extract does not exist.
    """
    if not 1 <= count <= MAX_CANDIDATES:
        msg = f"the number of candidate depots must lie between 1 and {MAX_CANDIDATES}"
        raise InvalidInputError(msg)
    found = addresses_from_extract(path)
    places = [
        CandidateDepot(f"{a.street} {a.housenumber}", a.lon, a.lat, f"osm:{a.osm_ref}")
        for a in found.addresses
    ]
    if not places:
        places = [
            CandidateDepot(
                b.address or f"building {b.osm_ref}",
                float(b.footprint.representative_point().x),
                float(b.footprint.representative_point().y),
                f"osm:{b.osm_ref}",
            )
            for b in found.buildings
        ]
    if not places:
        msg = (
            f"{path.name} maps no addresses or buildings to take candidate depots from; give "
            "a file of available premises instead"
        )
        raise InvalidInputError(msg)
    sample = random.Random(seed).sample  # noqa: S311 (a reproducible sample, not a secret)
    chosen = sorted(sample(range(len(places)), min(count, len(places))))
    return [places[i] for i in chosen]


def candidates_from_csv(source: Path | str) -> list[CandidateDepot]:
    """Return the available premises of a CSV file with ``lon``, ``lat`` and ``name`` columns.

    Raises
    ------
    SiteFileError
        Listing every bad row, when any row is bad.
    InvalidInputError
        When the header lacks a column or the file holds too many premises.
    NotFoundError
        When a path does not exist.
    """
    rows = rows_from_csv(source, required=("lon", "lat", "name"))
    if len(rows) > MAX_CANDIDATES:
        msg = f"at most {MAX_CANDIDATES} premises are weighed, not {len(rows)}"
        raise InvalidInputError(msg)
    depots: list[CandidateDepot] = []
    problems: list[RowProblem] = []
    for line, row in enumerate(rows, start=2):
        try:
            lon, lat = lonlat_of(row)
            if not row.get("name"):
                msg = "name is empty"
                raise ValueError(msg)  # noqa: TRY301 (collected with the other row problems)
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
            continue
        depots.append(CandidateDepot(row["name"][:200], lon, lat, f"file:line {line}"))
    if problems:
        raise SiteFileError("the premises file", problems)
    return depots
