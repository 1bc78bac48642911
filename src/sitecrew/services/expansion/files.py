"""Reading the customer's CSV files (sites, premises): every bad row named, nothing half-read.

A file is read whole before anything is used: one bad row refuses the file with every bad row
listed (line number and what is wrong), so a planner fixes the file once instead of once per
row.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.imports.reading import csv_text, sniff_delimiter

#: Rows a siting file may hold (the solver's practical size; a larger file is a mistake).
MAX_ROWS = 20_000
#: Bad rows quoted in the error message (the rest are counted).
_SHOWN = 10


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row of a file (``line`` counts the header as line 1)."""

    line: int
    message: str


class SiteFileError(InvalidInputError):
    """A CSV file of sites or premises holds bad rows; ``problems`` names each one."""

    def __init__(self, name: str, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(f"line {p.line}: {p.message}" for p in problems[:_SHOWN])
        more = f" and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        super().__init__(f"{name}: {len(problems)} bad row(s): {shown}{more}")


def rows_from_csv(source: Path | str, *, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Return a CSV file's rows as dicts of stripped strings (header names lower-cased).

    Parameters
    ----------
    source
        A path, or the file's text itself (uploads).
    required
        Columns the header must name.

    Raises
    ------
    NotFoundError
        When a path does not exist.
    InvalidInputError
        When the header lacks a required column, or the file is empty or too long.
    """
    name = source.name if isinstance(source, Path) else "the file"
    if isinstance(source, Path):
        if not source.is_file():
            msg = f"file {source} does not exist"
            raise NotFoundError(msg)
        text = csv_text(source.read_bytes(), source.name)
    else:
        text = source
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text))
    header = [(field or "").strip().lower() for field in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        msg = f"{name}: the header must name the column(s) {', '.join(missing)}"
        raise InvalidInputError(msg)
    reader.fieldnames = header
    rows = [
        {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        for row in reader
    ]
    if not rows:
        msg = f"{name} holds no rows below its header"
        raise InvalidInputError(msg)
    if len(rows) > MAX_ROWS:
        msg = f"{name} holds {len(rows):,} rows; at most {MAX_ROWS:,} are read"
        raise InvalidInputError(msg)
    return rows


def lonlat_of(row: dict[str, str]) -> tuple[float, float]:
    """Return a row's ``lon``/``lat`` as a checked WGS84 pair; ``ValueError`` says what is wrong."""
    lon, lat = number_of(row, "lon"), number_of(row, "lat")
    if not -180 <= lon <= 180:  # noqa: PLR2004 (degrees)
        msg = f"lon {lon:g} is not a longitude (-180..180)"
        raise ValueError(msg)
    if not -90 <= lat <= 90:  # noqa: PLR2004 (degrees)
        msg = f"lat {lat:g} is not a latitude (-90..90)"
        raise ValueError(msg)
    return lon, lat


def number_of(row: dict[str, str], column: str) -> float:
    """Return a row's finite number in ``column``; ``ValueError`` says what is wrong.

    A decimal comma is accepted (Excel in Norway and Sweden writes ``59,91``), as the register
    imports accept it.
    """
    raw = (row.get(column) or "").strip()
    if not raw:
        msg = f"{column} is empty"
        raise ValueError(msg)
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        msg = f"{column} {raw[:20]!r} is not a number"
        raise ValueError(msg) from None
    if not math.isfinite(value):
        msg = f"{column} {raw[:20]!r} is not a finite number"
        raise ValueError(msg)
    return value
