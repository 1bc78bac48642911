"""Checks that run when a routing problem is built, so bad input never reaches the solver.

Each check raises :class:`~sitecrew.errors.InvalidInputError` with a message naming the offending
job or crew, which the CLI and API show as-is.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from sitecrew.routing.problem import CrewSpec, FixedStop, JobSpec, RoutingProblem


def validate_job(job: JobSpec) -> None:
    """Raise when a job's durations, windows, priority or load are impossible."""
    if not job.id:
        raise InvalidInputError("job id must not be empty")
    if min(job.service_s, job.setup_s, job.load) < 0:
        raise InvalidInputError(f"job {job.id}: service, setup and load must be >= 0")
    if job.priority < 1:
        raise InvalidInputError(f"job {job.id}: priority must be >= 1, got {job.priority}")
    if job.people < 1:
        raise InvalidInputError(f"job {job.id}: people must be >= 1, got {job.people}")
    for open_s, close_s in job.windows:
        if not 0 <= open_s <= close_s:
            raise InvalidInputError(f"job {job.id}: window ({open_s}, {close_s}) is not ordered")


def validate_fixed_stop(stop: FixedStop) -> None:
    """Raise when a fixed stop's times run backwards."""
    if not 0 <= stop.arrival_s <= stop.start_s <= stop.departure_s:
        msg = f"fixed stop {stop.job_id or 'break'}: need arrival <= start <= departure"
        raise InvalidInputError(msg)


def validate_crew(crew: CrewSpec) -> None:
    """Raise when a crew's shift, break, limits or fixed stops contradict each other."""
    name = f"crew {crew.id}"
    if not crew.id:
        raise InvalidInputError("crew id must not be empty")
    if not 0 <= crew.shift_start_s <= crew.shift_end_s:
        raise InvalidInputError(f"{name}: shift start must not be after shift end")
    if crew.service_factor <= 0:
        raise InvalidInputError(f"{name}: service factor must be > 0")
    for limit in (crew.max_jobs, crew.capacity, crew.people):
        if limit is not None and limit < 0:
            raise InvalidInputError(f"{name}: max_jobs, capacity and people must be >= 0")
    _validate_break(crew, name)
    departures = [s.departure_s for s in crew.fixed_stops]
    arrivals = [s.arrival_s for s in crew.fixed_stops]
    if any(a < d for a, d in zip(arrivals[1:], departures, strict=False)):
        raise InvalidInputError(f"{name}: fixed stops overlap or are out of order")
    if sum(s.job_id is None for s in crew.fixed_stops) > 1:
        raise InvalidInputError(f"{name}: at most one fixed break")


def _validate_break(crew: CrewSpec, name: str) -> None:
    if crew.break_duration_s < 0:
        raise InvalidInputError(f"{name}: break duration must be >= 0")
    if crew.break_window is None:
        return
    open_s, close_s = crew.break_window
    if close_s - open_s < crew.break_duration_s:
        raise InvalidInputError(f"{name}: break of {crew.break_duration_s} s does not fit window")
    if open_s < crew.shift_start_s or close_s > crew.shift_end_s:
        raise InvalidInputError(f"{name}: break window must lie inside the shift")


def validate_problem(problem: RoutingProblem) -> None:
    """Raise when matrices, ids or location indices of a problem do not fit together."""
    durations = np.asarray(problem.durations)
    distances = np.asarray(problem.distances)
    if durations.ndim != 2 or durations.shape[0] != durations.shape[1]:  # noqa: PLR2004
        raise InvalidInputError("durations must be a square matrix")
    if distances.shape != durations.shape:
        raise InvalidInputError("distances and durations must have the same shape")
    if min(problem.cost_per_metre, problem.cost_per_second) < 0:
        raise InvalidInputError("costs per metre and per second must be >= 0")
    _validate_ids(problem)
    size = durations.shape[0]
    places = [j.location for j in problem.jobs if j.location is not None]
    for crew in problem.crews:
        places += [crew.start_location, crew.end_location]
        places += [s.location for s in crew.fixed_stops]
    bad = [p for p in places if not 0 <= p < size]
    if bad:
        raise InvalidInputError(f"location index {bad[0]} outside the {size}x{size} matrix")


def _validate_ids(problem: RoutingProblem) -> None:
    for kind, ids in (
        ("job", [j.id for j in problem.jobs]),
        ("crew", [c.id for c in problem.crews]),
    ):
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        if duplicates:
            raise InvalidInputError(f"duplicate {kind} id {duplicates[0]!r}")
    job_ids = {j.id for j in problem.jobs}
    fixed = [s.job_id for c in problem.crews for s in c.fixed_stops if s.job_id is not None]
    unknown = [j for j in fixed if j not in job_ids]
    if unknown:
        raise InvalidInputError(f"fixed stop names unknown job {unknown[0]!r}")
    repeated = [i for i, n in Counter(fixed).items() if n > 1]
    if repeated:
        raise InvalidInputError(f"job {repeated[0]!r} is fixed in more than one stop")
