"""A plan that keeps every booking: the crews' current routes with the new bookings inserted.

A window offered to a tenant was checked against the crew's current day by the insertion test
(:mod:`sitecrew.routing.insertion`). The solver does not see that day: it searches from scratch
and takes the lunch break only at a few sampled places, so on a tight day it may not find the
plan the offer counted on and drop the booking. A confirmed appointment must never be dropped by
a re-plan, so the planner builds that plan itself before searching:

- each crew's current stops (its published route, else its newest draft) that are still to be
  made, in their order, with its break where it was (or where its window opens);
- a day that no longer holds (a window moved, a job got longer) keeps only its bookings, else
  nothing, and the bookings it gave up are placed again like new ones;
- every booking not on a route yet goes in at its cheapest place among the crews that may do
  it: the jobs held for a crew first on that crew's day, then the others, cheapest first (each
  inside its own windows, the offers' rule, so an offered window is found again); a booking
  that fits nowhere stays out.

The solver then treats the bookings this plan keeps as required and may start from it, so it
can only move them (:func:`sitecrew.routing.solve.solve_problem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.routing.insertion import cheapest_place, start_times, with_break
from sitecrew.routing.problem import JobSpec, is_eligible
from sitecrew.routing.units import PROHIBITIVE, matrix_to_solver

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sitecrew.routing.problem import CrewSpec, RoutingProblem

CHEAPEST_FIRST_UP_TO = 40
"""Above this many bookings to place, they go in by window order (cheapest-first is quadratic)."""


@dataclass(frozen=True)
class SeedPlan:
    """Per crew id, its stops in order (jobs, ``None`` for the break); ``kept``: bookings held."""

    days: dict[str, list[JobSpec | None]]
    kept: frozenset[str]


def solver_travel(problem: RoutingProblem) -> Callable[[int, int], int]:
    """Return the solver's street seconds between two places (negative: no path)."""
    seconds = matrix_to_solver(problem.durations, name="durations")

    def travel(frm: int, to: int) -> int:
        value = int(seconds[frm, to])
        return -1 if value >= PROHIBITIVE else value

    return travel


def seed_plan(
    problem: RoutingProblem,
    current: Mapping[str, Sequence[str | None]],
    *,
    jobs: Sequence[JobSpec],
    crews: Sequence[CrewSpec],
    breaks: Callable[[CrewSpec], bool],
) -> SeedPlan:
    """Return the plan keeping the current routes and every booking that fits (see the module).

    Parameters
    ----------
    problem
        The routing problem (its matrices and fixed stops).
    current
        Per crew id, the job ids of its current route in order, ``None`` for the break.
    jobs
        The jobs the solver may place (fixed and impossible ones left out).
    crews
        The crews the solver routes.
    breaks
        Whether the solver must place a crew's break.
    """
    travel = solver_travel(problem)
    open_jobs = {j.id: j for j in jobs}
    used: set[str] = set()
    days: dict[str, list[JobSpec | None]] = {}
    for crew in crews:
        stops = _current_day(crew, current.get(crew.id, ()), open_jobs, used, breaks(crew))
        day = _holding_day(problem, crew, stops, travel, breaks(crew))
        used.update(j.id for j in day if j is not None)
        days[crew.id] = day
    missing = [j for j in jobs if j.booked and j.id not in used]
    held = [j for j in missing if j.crews is not None]
    for batch in (held, [j for j in missing if j.crews is None]):
        place_bookings(crews, days, batch, travel, job_index=problem.job_index)
    kept = frozenset(j.id for day in days.values() for j in day if j is not None and j.booked)
    return SeedPlan(days, kept)


def _current_day(
    crew: CrewSpec,
    route: Sequence[str | None],
    open_jobs: dict[str, JobSpec],
    used: set[str],
    with_lunch: bool,
) -> list[JobSpec | None]:
    """Return the crew's current stops the solver may still place, with its break if it has one."""
    stops: list[JobSpec | None] = []
    for job_id in route:
        if job_id is None:
            if with_lunch and None not in stops:
                stops.append(None)
            continue
        job = open_jobs.get(job_id)
        if job is not None and job_id not in used and is_eligible(job, crew):
            stops.append(job)
            used.add(job_id)
    if with_lunch and None not in stops:
        return with_break(crew, [s for s in stops if s is not None])
    return stops


def _holding_day(
    problem: RoutingProblem,
    crew: CrewSpec,
    stops: list[JobSpec | None],
    travel: Callable[[int, int], int],
    with_lunch: bool,
) -> list[JobSpec | None]:
    """Return ``stops`` if they still hold, else only their bookings, else the bare day."""
    booked_only = [s for s in stops if s is None or s.booked]
    bare: list[JobSpec | None] = [None] if with_lunch else []
    for day in (stops, booked_only):
        if (
            _within_limits(problem.job_index, crew, day)
            and start_times(crew, day, travel) is not None
        ):
            return day
    return bare


def _within_limits(
    job_index: Mapping[str, JobSpec], crew: CrewSpec, day: Sequence[JobSpec | None]
) -> bool:
    """Return whether the day respects the crew's job limit and van capacity (fixed stops too).

    ``job_index``: the jobs by id, for the crew's fixed stops.
    """
    fixed = [job_index[s.job_id] for s in crew.fixed_stops if s.job_id is not None]
    work = [*fixed, *(j for j in day if j is not None)]
    if crew.max_jobs is not None and len(work) > crew.max_jobs:
        return False
    return crew.capacity is None or sum(j.load for j in work) <= crew.capacity


def place_bookings(
    crews: Sequence[CrewSpec],
    days: dict[str, list[JobSpec | None]],
    jobs: Sequence[JobSpec],
    travel: Callable[[int, int], int],
    *,
    job_index: Mapping[str, JobSpec],
) -> None:
    """Put each job at its cheapest place on any crew's day; a job that fits nowhere stays out.

    Cheapest first while few are left to place, else by window order (one pass). A crew takes
    a job it is eligible for, within its job limit and van capacity. ``days`` (per crew id, its
    stops in order) is changed in place; ``job_index`` holds the jobs of the crews' fixed stops.
    Public because appointment offers count a day's bookings the same way before they offer
    (:mod:`sitecrew.services.appointments.offers`).
    """
    left = sorted(jobs, key=lambda j: (min((o for o, _ in j.windows), default=0), j.id))
    options: dict[tuple[str, str], tuple[tuple[int, int, int], int] | None] = {}
    while left:
        many = len(left) > CHEAPEST_FIRST_UP_TO
        candidates = [(0, left[0])] if many else list(enumerate(left))
        best: tuple[tuple[int, int, int], int, str, int] | None = None
        for index, job in candidates:
            for crew in crews:
                key = (job.id, crew.id)
                if key not in options:
                    options[key] = _place(job_index, crew, days[crew.id], job, travel)
                found = options[key]
                if found is not None and (best is None or (*found, crew.id) < best[:3]):
                    best = (*found, crew.id, index)
        if best is None:
            if many:
                left.pop(0)
                continue
            return
        _cost, position, crew_id, index = best
        days[crew_id].insert(position, left.pop(index))
        for key in [k for k in options if k[1] == crew_id]:
            del options[key]


def _place(
    job_index: Mapping[str, JobSpec],
    crew: CrewSpec,
    day: list[JobSpec | None],
    job: JobSpec,
    travel: Callable[[int, int], int],
) -> tuple[tuple[int, int, int], int] | None:
    if not is_eligible(job, crew) or not _within_limits(job_index, crew, [*day, job]):
        return None
    return cheapest_place(crew, day, job, travel)
