"""What an expansion scenario asks, checked once when it is created and stored as JSON.

A scenario is a region (a database region, or a region of the OSM manifest known only by its
extract), a demand source (the extract's schools, residential areas and parks, or the
customer's CSV of sites), a candidate source (a seeded sample of the extract's addresses, or a
CSV of premises) or fixed depots (``serve from the existing depot``: given lon/lat, every site
served by its nearest one), ``k``, the objective and the rates of the crews estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitecrew.domain.geo import check_lon_lat
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.candidates import MAX_CANDIDATES, candidates_from_csv
from sitecrew.services.expansion.crews import CrewRates
from sitecrew.services.expansion.demand import PIECES_PER_AREA, demand_from_csv
from sitecrew.services.expansion.siting import MAX_LIMIT_MINUTES

if TYPE_CHECKING:
    from collections.abc import Callable

#: Most depots a scenario opens (or is given).
MAX_DEPOTS = 20
#: Longest CSV text a scenario carries (characters): a customer's register of sites.
MAX_CSV_CHARS = 2_000_000
MAX_NAME = 100
OBJECTIVES = ("pmedian", "coverage")


@dataclass(frozen=True)
class ScenarioInput:
    """An expansion scenario's question (see the module text)."""

    name: str
    region: str
    k: int = 1
    objective: str = "pmedian"
    limit_minutes: float | None = None
    sites_csv: str | None = None
    site_kinds: tuple[str, ...] = ("school", "residential", "park")
    candidates_csv: str | None = None
    candidates: int = 200
    seed: int = 1
    depots: tuple[tuple[float, float], ...] = ()
    rates: dict[str, Any] = field(default_factory=dict)

    def checked(self) -> ScenarioInput:
        """Return this input after checking it (the CSV texts parsed once).

        Raises
        ------
        InvalidInputError
            Naming what is wrong (a bad CSV row is a ``SiteFileError`` naming its lines).
        """
        name = self.name.strip()
        if not 1 <= len(name) <= MAX_NAME:
            raise InvalidInputError(f"a scenario's name has 1 to {MAX_NAME} characters")
        if not self.region.strip():
            raise InvalidInputError("name the region (its slug or id)")
        if self.objective not in OBJECTIVES:
            msg = f"objective must be pmedian or coverage, not {self.objective[:20]!r}"
            raise InvalidInputError(msg)
        if self.objective == "coverage" and not (
            self.limit_minutes is not None
            and math.isfinite(self.limit_minutes)
            and 0 < self.limit_minutes <= MAX_LIMIT_MINUTES
        ):
            msg = f"coverage needs a limit between 0 and {MAX_LIMIT_MINUTES} minutes"
            raise InvalidInputError(msg)
        self._check_sources()
        k = len(self.depots) if self.depots else self.k
        return ScenarioInput(
            name, self.region.strip(), k, self.objective, self.limit_minutes, self.sites_csv,
            tuple(self.site_kinds), self.candidates_csv, self.candidates, self.seed,
            tuple((float(lon), float(lat)) for lon, lat in self.depots), dict(self.rates),
        )  # fmt: skip

    def _check_sources(self) -> None:
        """Check the depots or k, the candidates, the site kinds, the CSV texts and the rates."""
        if self.depots:
            if len(self.depots) > MAX_DEPOTS:
                raise InvalidInputError(f"give at most {MAX_DEPOTS} depots")
            for lon, lat in self.depots:
                check_lon_lat(lon, lat)
        elif not 1 <= self.k <= MAX_DEPOTS:
            raise InvalidInputError(f"k (depots to open) must lie between 1 and {MAX_DEPOTS}")
        if not 1 <= self.candidates <= MAX_CANDIDATES:
            msg = f"the number of candidate depots must lie between 1 and {MAX_CANDIDATES}"
            raise InvalidInputError(msg)
        unknown = sorted(set(self.site_kinds) - set(PIECES_PER_AREA))
        if unknown or not self.site_kinds:
            msg = f"site kinds must be among {', '.join(PIECES_PER_AREA)}"
            raise InvalidInputError(msg)
        _check_csv(self.sites_csv, demand_from_csv)
        _check_csv(self.candidates_csv, candidates_from_csv)
        CrewRates.from_json(self.rates)

    def to_json(self) -> dict[str, Any]:
        """Return the input as stored on the scenario row."""
        return {
            "name": self.name,
            "region": self.region,
            "k": self.k,
            "objective": self.objective,
            "limit_minutes": self.limit_minutes,
            "sites_csv": self.sites_csv,
            "site_kinds": list(self.site_kinds),
            "candidates_csv": self.candidates_csv,
            "candidates": self.candidates,
            "seed": self.seed,
            "depots": [list(p) for p in self.depots],
            "rates": self.rates,
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ScenarioInput:
        """Return the input stored by :meth:`to_json`."""
        return cls(
            name=values["name"],
            region=values["region"],
            k=int(values["k"]),
            objective=values["objective"],
            limit_minutes=values.get("limit_minutes"),
            sites_csv=values.get("sites_csv"),
            site_kinds=tuple(values.get("site_kinds") or ()),
            candidates_csv=values.get("candidates_csv"),
            candidates=int(values.get("candidates", 200)),
            seed=int(values.get("seed", 1)),
            depots=tuple((float(p[0]), float(p[1])) for p in values.get("depots") or ()),
            rates=dict(values.get("rates") or {}),
        )


def _check_csv(text: str | None, parse: Callable[[str], object]) -> None:
    """Parse a CSV text once to refuse bad rows at creation (``None``: no file given)."""
    if text is None:
        return
    if len(text) > MAX_CSV_CHARS:
        raise InvalidInputError(f"a CSV file may hold {MAX_CSV_CHARS:,} characters")
    parse(text)
