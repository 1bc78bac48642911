"""Travel for team capacity, estimated by planning sample weeks over the region's street graph.

Travel depends on how work spreads over the map and how many visits a crew chains in a day,
which no straight-line guess gets right. So the estimate routes real days with the product's own
day planner (:func:`~sitecrew.services.planning.pipeline.solve_day`: snap, street matrices,
solver), without storing anything: for each sample week (the busiest months' weeks, see
:func:`~sitecrew.domain.care_capacity.sample_weeks`) each working day gets its month's share of
visits (the month's visits over its working days), drawn from that month's visits with a seeded
generator, and the team's crews that work that day (their calendars, depots, shifts and lunch)
route them. The answer is the routes' travel minutes (depot and back included) per visit routed,
which the capacity table charges to every visit of the year.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sitecrew.domain.care_capacity import Visit, sample_weeks
from sitecrew.errors import InvalidInputError
from sitecrew.routing.problem import JobSpec
from sitecrew.services.care.capacity_team import Team
from sitecrew.services.planning.day import DayClock, DayInput, Points
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.planning.load_crews import day_crews
from sitecrew.services.planning.pipeline import Timings, solve_day
from sitecrew.services.progress import no_progress

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.routes import PlanOptions
    from sitecrew.services.progress import ProgressCallback

SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class TravelEstimate:
    """Travel minutes per visit from the days routed, or why travel was not estimated."""

    minutes_per_visit: float
    days: tuple[date, ...] = ()
    visits_sampled: int = 0
    visits_routed: int = 0
    note: str | None = None


@dataclass(frozen=True)
class TravelSample:
    """What to route: the region, the team, the year's visits and the team's working days."""

    region_id: int
    team: Team
    visits: Sequence[Visit]
    working_days: Sequence[date]
    weeks: int


def estimate_travel(
    session: Session,
    sample: TravelSample,
    *,
    osm: OsmSettings,
    options: PlanOptions,
    progress: ProgressCallback = no_progress,
) -> TravelEstimate:
    """Route the sample weeks (see the module text); return travel minutes per routed visit.

    Returns a zero estimate with a note, rather than failing, when there is nothing to route:
    no sample weeks asked for, no visit with a place on the map, no crew in the team, or a
    region without a street graph.

    Raises
    ------
    StreetGraphError
        When the street graph cannot be read or a depot lies off the streets.
    """
    if sample.weeks == 0:
        return TravelEstimate(0.0, note="travel not estimated (no sample weeks)")
    if not sample.team.crews:
        return TravelEstimate(0.0, note="travel not estimated: the region has no care crew")
    by_month: dict[int, list[Visit]] = defaultdict(list)
    for visit in sample.visits:
        if visit.point is not None:
            by_month[visit.month].append(visit)
    counts = {month: len(found) for month, found in by_month.items()}
    weeks = sample_weeks(counts, sample.working_days, sample.weeks)
    if not weeks:
        return TravelEstimate(0.0, note="travel not estimated: no visit to route")
    try:
        region = get_region_or_raise(session, sample.region_id)
    except InvalidInputError:
        return TravelEstimate(0.0, note="travel not estimated: the region has no street graph")
    per_month_day = {
        month: max(1, round(counts[month] / sum(d.month == month for d in sample.working_days)))
        for month in counts
    }
    days = [day for week in weeks for day in week]
    travel_s = sampled = routed = 0
    routed_days = []
    for index, day in enumerate(days):
        progress("sample days", index, len(days))
        rng = random.Random(f"{options.seed}:{day.isoformat()}")  # noqa: S311 (a sample)
        month_visits = by_month[day.month]
        chosen = rng.sample(month_visits, min(per_month_day[day.month], len(month_visits)))
        clock = DayClock.of(day, region.timezone)
        points = Points()
        working = day_crews(session, region_id=region.id, clock=clock, points=points)
        crews = tuple(crew for crew in working.crews if int(crew.id) in sample.team.ids)
        if not crews:
            continue
        jobs = tuple(_job(str(n), visit, points) for n, visit in enumerate(chosen))
        loaded = DayInput(region, clock, jobs, crews, tuple(points.lonlat), working.names)
        solved = solve_day(loaded, osm=osm, options=options, timings=Timings(), progress=progress)
        sampled += len(jobs)
        routed += len(solved.plan.assigned_job_ids)
        travel_s += sum(route.travel_s for route in solved.plan.routes if route.job_ids)
        routed_days.append(day)
    progress("sample days", len(days), len(days))
    if routed == 0:
        return TravelEstimate(
            0.0, tuple(routed_days), sampled, 0, note="travel not estimated: no visit was routed"
        )
    minutes = travel_s / SECONDS_PER_MINUTE / routed
    return TravelEstimate(minutes, tuple(routed_days), sampled, routed)


def _job(job_id: str, visit: Visit, points: Points) -> JobSpec:
    """Return a visit as the solver's job: the whole visit at its place, setup once."""
    assert visit.point is not None  # noqa: S101 (only visits with a place are sampled)
    return JobSpec(
        id=job_id,
        location=points.add(*visit.point),
        service_s=visit.service_minutes * SECONDS_PER_MINUTE,
        setup_s=visit.setup_minutes * SECONDS_PER_MINUTE,
        setup_group=visit.place,
    )
