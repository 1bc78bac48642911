"""Crews needed for a siting (issue 18 item 4): sample days planned by the real day planner.

How many crews a depot needs depends on how its sites spread over the streets and how many
visits a crew chains in a shift, which no straight-line guess gets right. So each depot's year
is estimated by planning sample days with the product's own day planner
(:func:`~sitecrew.services.planning.pipeline.solve_day`: snap, street matrices, the solver),
in memory, storing nothing.

Assumptions (each an input of :class:`CrewRates` where it is a choice):

* a site's yearly care work (``DemandSite.minutes_per_year``) is done in
  ``visits_per_site_year`` visits of equal length (the default plans' oiling, inspection and
  tightening fall in a few visits a year); a visit longer than half a net shift is split, so a
  big site never needs one impossible visit;
* visits spread evenly over ``working_days`` a year, and care visits have weeks of slack, so
  a planner fills a crew's day: a sample day plans the depot's visits of an average working
  day, or, where that is less than a crew's day, as many as fill :data:`FILL_SHARE` of a net
  shift with work (the rest is travel); the visits are drawn from the depot's year with a
  seeded generator, so the same inputs give the same days;
* every crew starts and ends its day at its depot, works ``shift_hours`` from 07:00 with a
  ``lunch_minutes`` break between 11:00 and 13:00 (the solver places it) and drives the
  street graph's free-flow times;
* a day's crews are the fewest the planner fits the day's visits into: it is planned with a
  lower bound (the day's work over a net shift) and again with one crew more until no visit
  is left out (at most :data:`MAX_EXTRA_CREWS` more);
* the routes give crew time per visit (depot to depot, lunch included), km per visit and travel
  per visit; times the depot's visits a year these are its crew-days a year (crew time over a
  shift: a crew is paid by the shift), its km and travel hours; crews = crew-days over working
  days, rounded up;
* cost a year = crew-days x shift hours x ``crew_hour_rate`` + km x ``cost_per_km`` +
  ``depot_cost_per_year``; per piece = that over the depot's pieces.

Sites the siting found unreachable are not planned (they are reported by the siting).
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sitecrew.domain.routes import PlanOptions
from sitecrew.errors import InvalidInputError
from sitecrew.routing.problem import CrewSpec, JobSpec
from sitecrew.services.planning.day import DayClock, DayInput, Points, RegionInfo
from sitecrew.services.planning.pipeline import Timings, solve_day
from sitecrew.services.progress import no_progress

if TYPE_CHECKING:
    from sitecrew.config import OsmSettings
    from sitecrew.services.expansion.demand import DemandSite
    from sitecrew.services.expansion.siting import DepotSiting
    from sitecrew.services.progress import ProgressCallback

SECONDS_PER_MINUTE = 60
SECONDS_PER_HOUR = 3600
SHIFT_START_S = 7 * SECONDS_PER_HOUR
LUNCH_WINDOW_S = (11 * SECONDS_PER_HOUR, 13 * SECONDS_PER_HOUR)
#: Crews added to a day's lower bound, one at a time, before visits are left out for good.
MAX_EXTRA_CREWS = 6
#: A light day is filled to this share of a net shift with service time (travel takes the rest).
FILL_SHARE = 0.7
#: Most sample days per depot (each is a solve).
MAX_SAMPLE_DAYS = 60
#: The first sample day (a Monday); the dates only name the days: travel is free-flow.
FIRST_SAMPLE_DAY = date(2026, 1, 5)
#: The street graph's time zone does not matter for free-flow travel; days are counted in UTC.
_ZONE = "UTC"


#: Accepted range of each rate (both ends included).
RATE_BOUNDS: dict[str, tuple[float, float]] = {
    "crew_hour_rate": (0, 1e6),
    "cost_per_km": (0, 1e4),
    "depot_cost_per_year": (0, 1e9),
    "working_days": (1, 366),
    "shift_hours": (2, 14),
    "lunch_minutes": (0, 90),
    "visits_per_site_year": (1, 365),
    "sample_days": (1, MAX_SAMPLE_DAYS),
    "solver_seconds": (0.1, 60),
}


@dataclass(frozen=True)
class CrewRates:
    """The estimate's inputs: calendar, shift, visits, rates and the sample's size.

    Attributes
    ----------
    crew_hour_rate
        Cost of one crew for one hour of its shift (all its people), currency units.
    cost_per_km
        Vehicle cost per km driven.
    depot_cost_per_year
        Rent and running cost of one depot a year.
    working_days
        Working days a year.
    shift_hours, lunch_minutes
        A crew's shift (from 07:00, lunch included) and its lunch break.
    visits_per_site_year
        Visits a site's yearly work is split into.
    sample_days
        Days planned per depot.
    solver_seconds
        Solver time per planned day.
    seed
        Seed of the visits drawn and of the solver.
    """

    crew_hour_rate: float = 600.0
    cost_per_km: float = 4.0
    depot_cost_per_year: float = 250_000.0
    working_days: int = 220
    shift_hours: float = 8.0
    lunch_minutes: int = 30
    visits_per_site_year: int = 4
    sample_days: int = 5
    solver_seconds: float = 2.0
    seed: int = 1

    def __post_init__(self) -> None:
        bad = [
            name
            for name, (low, high) in RATE_BOUNDS.items()
            if not (math.isfinite(_num(self, name)) and low <= _num(self, name) <= high)
        ]
        if bad:
            msg = (
                f"rate out of range: {', '.join(bad)} (bounds: "
                + ", ".join(
                    f"{name} {RATE_BOUNDS[name][0]:g}..{RATE_BOUNDS[name][1]:g}" for name in bad
                )
                + ")"
            )
            raise InvalidInputError(msg)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> CrewRates:
        """Return rates from a JSON object (unknown keys refused, missing ones defaulted).

        Raises
        ------
        InvalidInputError
            When a key is unknown or a value is not a number in range.
        """
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            msg = f"unknown rate {', '.join(unknown)[:80]}; known: {', '.join(sorted(known))}"
            raise InvalidInputError(msg)
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            kind = int if isinstance(getattr(cls(), name), int) else float
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidInputError(f"rate {name} must be a number")
            try:
                parsed[name] = kind(value)
            except ValueError:
                raise InvalidInputError(f"rate {name} must be a number") from None
        return cls(**parsed)

    def to_json(self) -> dict[str, Any]:
        """Return the rates as a JSON object."""
        return asdict(self)

    @property
    def shift_s(self) -> int:
        """A shift's length in seconds, lunch included."""
        return round(self.shift_hours * SECONDS_PER_HOUR)

    @property
    def net_shift_s(self) -> int:
        """A shift's working seconds (lunch taken out)."""
        return self.shift_s - self.lunch_minutes * SECONDS_PER_MINUTE


def _num(rates: CrewRates, name: str) -> float:
    return float(getattr(rates, name))


@dataclass(frozen=True)
class DepotCrews:
    """A depot's year as the sample days planned it."""

    depot: int
    name: str
    lon: float
    lat: float
    sites: int
    pieces: int
    visits_per_year: int
    sample_days: int
    visits_sampled: int
    visits_routed: int
    crew_days_per_year: float
    crews: int
    km_per_year: float
    travel_hours_per_year: float
    cost_per_year: float
    cost_per_piece_year: float | None
    day_crews: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class CrewEstimate:
    """Every depot's crews and the siting's totals."""

    depots: tuple[DepotCrews, ...]
    rates: CrewRates

    @property
    def crews(self) -> int:
        """Crews over all depots."""
        return sum(d.crews for d in self.depots)

    @property
    def crew_days_per_year(self) -> float:
        """Crew-days a year over all depots."""
        return sum(d.crew_days_per_year for d in self.depots)

    @property
    def km_per_year(self) -> float:
        """Km a year over all depots."""
        return sum(d.km_per_year for d in self.depots)

    @property
    def cost_per_year(self) -> float:
        """Cost a year over all depots."""
        return sum(d.cost_per_year for d in self.depots)

    @property
    def pieces(self) -> int:
        """Pieces served."""
        return sum(d.pieces for d in self.depots)

    @property
    def cost_per_piece_year(self) -> float | None:
        """Cost a year per piece served (``None`` when no piece is served)."""
        return self.cost_per_year / self.pieces if self.pieces else None


@dataclass(frozen=True)
class _Visit:
    site: int
    lon: float
    lat: float
    service_s: int


def estimate_crews(
    siting: DepotSiting,
    *,
    street_region: str,
    osm: OsmSettings,
    rates: CrewRates | None = None,
    extract: str | None = None,
    progress: ProgressCallback = no_progress,
) -> CrewEstimate:
    """Estimate each chosen depot's crews by planning sample days (see the module text).

    Parameters
    ----------
    siting
        The solved siting: depots and each site's depot.
    street_region
        The street graph's slug (the siting's network), as the planner loads it.
    osm
        Where street graphs live.
    rates
        Calendar, shift, rates and sample size (defaults: :class:`CrewRates`).
    extract
        The region's own extract, when it is not a manifest region.
    progress
        ``progress("crews", done, total)`` per planned day.

    Raises
    ------
    StreetGraphError
        When a depot lies off the streets.
    """
    rates = rates or CrewRates()
    region = RegionInfo(0, street_region, street_region, _ZONE, extract)
    depots = list(siting.result.depots)
    total = len(depots) * rates.sample_days
    found = []
    for n, j in enumerate(depots):
        candidate = siting.candidates[j]
        sites = siting.sites_of(j)

        def step(done: int, *, first: int = n * rates.sample_days) -> None:
            progress("crews", first + done, total)

        found.append(
            _depot_crews(
                region,
                index=j,
                name=candidate.name,
                point=(candidate.lon, candidate.lat),
                sites=sites,
                rates=rates,
                osm=osm,
                step=step,
            )
        )
    progress("crews", total, total)
    return CrewEstimate(tuple(found), rates)


def _depot_crews(
    region: RegionInfo,
    *,
    index: int,
    name: str,
    point: tuple[float, float],
    sites: list[DemandSite],
    rates: CrewRates,
    osm: OsmSettings,
    step: Any,
) -> DepotCrews:
    visits = _visits_of(sites, rates)
    count = _day_size(visits, rates)
    rng = random.Random(f"{rates.seed}:{index}")  # noqa: S311 (a sample, not a secret)
    day_crews: list[int] = []
    totals = _DayTotals()
    for d in range(rates.sample_days if visits else 0):
        step(d)
        chosen = rng.sample(visits, count)
        day = FIRST_SAMPLE_DAY + timedelta(days=d)
        day_crews.append(
            _plan_day(
                region, day=day, depot=point, chosen=chosen, rates=rates, osm=osm, totals=totals
            )
        )
    days = len(day_crews)
    per_visit = len(visits) / totals.routed if totals.routed else 0.0
    crew_days = totals.route_s / rates.shift_s * per_visit
    km = totals.distance_m / 1000 * per_visit
    cost = (
        crew_days * rates.shift_hours * rates.crew_hour_rate
        + km * rates.cost_per_km
        + rates.depot_cost_per_year
    )
    pieces = sum(s.pieces for s in sites)
    return DepotCrews(
        depot=index,
        name=name,
        lon=point[0],
        lat=point[1],
        sites=len(sites),
        pieces=pieces,
        visits_per_year=len(visits),
        sample_days=days,
        visits_sampled=totals.sampled,
        visits_routed=totals.routed,
        crew_days_per_year=round(crew_days, 3),
        crews=math.ceil(round(crew_days / rates.working_days, 6)),
        km_per_year=round(km, 1),
        travel_hours_per_year=round(totals.travel_s / SECONDS_PER_HOUR * per_visit, 1),
        cost_per_year=round(cost, 2),
        cost_per_piece_year=round(cost / pieces, 2) if pieces else None,
        day_crews=tuple(day_crews),
    )


def _visits_of(sites: list[DemandSite], rates: CrewRates) -> list[_Visit]:
    """Return the year's visits of ``sites``: each site's work split as the module text says."""
    longest = rates.net_shift_s // 2
    visits = []
    for n, site in enumerate(sites):
        work_s = site.minutes_per_year * SECONDS_PER_MINUTE
        if work_s <= 0:
            continue
        count = max(rates.visits_per_site_year, math.ceil(work_s / longest))
        visits += [_Visit(n, site.lon, site.lat, max(1, round(work_s / count)))] * count
    return visits


@dataclass
class _DayTotals:
    """What the sample days planned, summed: visits and the routes' time and distance."""

    sampled: int = 0
    routed: int = 0
    route_s: int = 0
    travel_s: int = 0
    distance_m: int = 0


def _day_size(visits: list[_Visit], rates: CrewRates) -> int:
    """Return how many visits a sample day plans (see the module text)."""
    if not visits:
        return 0
    mean_s = sum(v.service_s for v in visits) / len(visits)
    batch = max(1, math.floor(FILL_SHARE * rates.net_shift_s / mean_s))
    return min(len(visits), max(round(len(visits) / rates.working_days), batch))


def _plan_day(
    region: RegionInfo,
    *,
    day: date,
    depot: tuple[float, float],
    chosen: list[_Visit],
    rates: CrewRates,
    osm: OsmSettings,
    totals: _DayTotals,
) -> int:
    """Plan one day from the depot with the fewest crews that fit; return the crews used.

    Adds the day's visits, routed visits, route time, travel and distance to ``totals``.
    """
    points = Points()
    home = points.add(*depot)
    jobs = tuple(
        JobSpec(id=str(n), location=points.add(v.lon, v.lat), service_s=v.service_s)
        for n, v in enumerate(chosen)
    )
    lower = max(1, math.ceil(sum(v.service_s for v in chosen) / rates.net_shift_s))
    options = PlanOptions(seed=rates.seed, time_limit_s=rates.solver_seconds)
    clock = DayClock.of(day, _ZONE)
    for crews in range(lower, lower + MAX_EXTRA_CREWS + 1):
        specs = tuple(_crew(str(c), home, rates) for c in range(crews))
        loaded = DayInput(region, clock, jobs, specs, tuple(points.lonlat), {})
        plan = solve_day(
            loaded, osm=osm, options=options, timings=Timings(), progress=no_progress
        ).plan
        if not plan.unassigned:
            break
    used = [r for r in plan.routes if r.job_ids]
    totals.sampled += len(jobs)
    totals.routed += len(plan.assigned_job_ids)
    totals.route_s += sum(r.end_s - r.start_s for r in used)
    totals.travel_s += sum(r.travel_s for r in used)
    totals.distance_m += sum(r.distance_m for r in used)
    return len(used)


def _crew(crew_id: str, home: int, rates: CrewRates) -> CrewSpec:
    lunch = rates.lunch_minutes * SECONDS_PER_MINUTE
    return CrewSpec(
        id=crew_id,
        start_location=home,
        end_location=home,
        shift_start_s=SHIFT_START_S,
        shift_end_s=SHIFT_START_S + rates.shift_s,
        break_window=LUNCH_WINDOW_S if lunch else None,
        break_duration_s=lunch,
    )
