"""A region's public holidays, from the maintained ``holidays`` library, cached per country-year.

Holiday rules (Easter-based days, moved days, new holidays) change by law; a library that is
kept up to date knows them, a hand-written table would not. Names are in English so messages
read the same for every region ("public holiday: Constitution Day").
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

import holidays

from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date

#: Years a holiday may be asked for: the library computes any year, a calendar needs only these.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def public_holidays(country: str, year: int) -> Mapping[date, str]:
    """Return the public holidays of ``country`` (ISO 3166 alpha-2) in ``year``, by date.

    Raises
    ------
    InvalidInputError
        When the library knows no such country, or the year is outside 1900-2200.
    """
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        msg = f"public holidays are known for {EARLIEST_YEAR}-{LATEST_YEAR}, not {year}"
        raise InvalidInputError(msg)
    return _cached(country.strip().upper(), year)


def holidays_between(country: str, years: Iterable[int]) -> dict[date, str]:
    """Return the public holidays of ``country`` in all of ``years`` (one mapping)."""
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        found.update(public_holidays(country, year))
    return found


@lru_cache(maxsize=256)
def _cached(country: str, year: int) -> Mapping[date, str]:
    try:
        table = holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        raise InvalidInputError(f"no public holidays are known for country {country!r}") from None
    return MappingProxyType({day: str(name) for day, name in sorted(table.items())})
