"""An independent feasibility check of a plan against its problem, without the solver.

It re-derives every rule from :mod:`sitecrew.routing.problem` (windows, shifts, breaks, skills,
districts, job limits, loads, fixed stops, setups, trainee speed) using only the problem's own
matrices, so a modelling mistake in the solver layer shows up as a violation here.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sitecrew.domain.plans import StopKind
from sitecrew.routing._read import int_matrices
from sitecrew.routing.problem import is_eligible, service_for

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from sitecrew.domain.plans import SolverPlan, SolverRoute, SolverStop
    from sitecrew.routing.problem import CrewSpec, RoutingProblem

Matrices = tuple["npt.NDArray[np.int64]", "npt.NDArray[np.int64]"]


def violations_in(problem: RoutingProblem, plan: SolverPlan) -> tuple[str, ...]:
    """Return every rule ``plan`` breaks, as readable sentences; empty when it is feasible.

    Parameters
    ----------
    problem
        The problem the plan answers.
    plan
        The plan to verify.

    Returns
    -------
    tuple of str
        One message per violation.
    """
    found = _coverage(problem, plan)
    crews = {c.id: c for c in problem.crews}
    matrices = int_matrices(problem)
    for route in plan.routes:
        crew = crews.get(route.crew_id)
        if crew is None:
            found.append(f"route for unknown crew {route.crew_id}")
            continue
        found += _route_violations(problem, crew, route, matrices)
    return tuple(found)


def _coverage(problem: RoutingProblem, plan: SolverPlan) -> list[str]:
    seen = Counter(j for r in plan.routes for j in r.job_ids)
    seen.update(u.job_id for u in plan.unassigned)
    found = [f"job {j} appears {n} times" for j, n in seen.items() if n > 1]
    found += [
        f"job {j.id} neither planned nor unassigned" for j in problem.jobs if j.id not in seen
    ]
    unassigned = {u.job_id for u in plan.unassigned}
    found += [
        f"required job {j.id} unassigned" for j in problem.jobs if j.required and j.id in unassigned
    ]
    crews = Counter(r.crew_id for r in plan.routes)
    found += [f"crew {c} has {n} routes" for c, n in crews.items() if n > 1]
    return found


def _route_violations(
    problem: RoutingProblem, crew: CrewSpec, route: SolverRoute, matrices: Matrices
) -> list[str]:
    name = f"crew {crew.id}"
    found = _fixed_violations(crew, route)
    found += _limit_violations(problem, crew, route)
    if [s.sequence for s in route.stops] != list(range(1, len(route.stops) + 1)):
        found.append(f"{name}: stop sequence numbers are not 1..n")
    if route.stops and route.start_s < crew.shift_start_s:
        found.append(f"{name}: leaves at {route.start_s}, before its shift")
    return (
        found
        + _timeline_violations(problem, crew, route, matrices)
        + _break_violations(crew, route)
    )


def _timeline_violations(
    problem: RoutingProblem, crew: CrewSpec, route: SolverRoute, matrices: Matrices
) -> list[str]:
    """Walk the route leg by leg: travel, setups, windows, service times and the way home."""
    name = f"crew {crew.id}"
    found: list[str] = []
    location, leave, site = crew.start_location, route.start_s, None
    for index, stop in enumerate(route.stops):
        travel = int(matrices[0][location, stop.location])
        if travel < 0:
            found.append(f"{name}: no street path to stop {stop.sequence}")
        if (stop.travel_s, stop.distance_m) != (travel, int(matrices[1][location, stop.location])):
            found.append(f"{name}: stop {stop.sequence} reports wrong travel or distance")
        if index == len(crew.fixed_stops):
            leave = max(leave, crew.ready_s)
        if not stop.fixed:
            found += _stop_violations(problem, crew, stop, leave + travel, site)
        location, leave = stop.location, stop.departure_s
        if stop.job_id is not None:
            site = problem.job_index[stop.job_id].site
    if route.stops:
        back = int(matrices[0][location, crew.end_location])
        if back < 0 or route.end_s < leave + back or route.end_s > crew.shift_end_s:
            found.append(f"{name}: back home at {route.end_s}, not feasible by shift end")
    return found


def _stop_violations(
    problem: RoutingProblem, crew: CrewSpec, stop: SolverStop, earliest: int, site: str | None
) -> list[str]:
    label = f"crew {crew.id} stop {stop.sequence}"
    found = [] if stop.arrival_s >= earliest else [f"{label}: arrives before it can get there"]
    if stop.kind is StopKind.BREAK:
        if stop.start_s < stop.arrival_s:
            found.append(f"{label}: break starts before arrival")
        return found
    if stop.job_id is None:
        return [*found, f"{label}: a job stop without a job"]
    job = problem.job_index[stop.job_id]
    setup = job.setup_s if site != job.site else 0
    if stop.location != job.location:
        found.append(f"{label}: job {job.id} visited at the wrong place")
    if not is_eligible(job, crew):
        found.append(f"{label}: job {job.id} needs skills, people or a district the crew lacks")
    if stop.start_s < stop.arrival_s + setup:
        found.append(f"{label}: work on {job.id} starts before arrival plus setup")
    if job.windows and not any(o <= stop.start_s <= c for o, c in job.windows):
        found.append(f"{label}: work on {job.id} starts outside its time windows")
    if stop.departure_s != stop.start_s + service_for(job, crew):
        found.append(f"{label}: {job.id} takes the wrong time for this crew")
    return found


def _break_violations(crew: CrewSpec, route: SolverRoute) -> list[str]:
    breaks = [s for s in route.stops if s.kind is StopKind.BREAK and not s.fixed]
    fixed = [s for s in route.stops if s.kind is StopKind.BREAK and s.fixed]
    has_work = any(s.job_id is not None and not s.fixed for s in route.stops)
    if len(breaks) + len(fixed) > 1:
        return [f"crew {crew.id}: more than one break"]
    if not breaks:
        needed = crew.has_break_to_plan and has_work and not _too_late(crew)
        return [f"crew {crew.id}: no lunch break"] if needed else []
    stop = breaks[0]
    if crew.break_window is None:
        return [f"crew {crew.id}: a break the crew does not have"]
    open_s, close_s = crew.break_window
    ok = open_s <= stop.start_s and stop.start_s + crew.break_duration_s <= close_s
    ok = ok and stop.departure_s == stop.start_s + crew.break_duration_s
    return [] if ok else [f"crew {crew.id}: break outside its window or of the wrong length"]


def _too_late(crew: CrewSpec) -> bool:
    """Return whether a re-planned crew resumes after its break could still start."""
    if crew.break_window is None:
        return True
    return crew.ready_s > crew.break_window[1] - crew.break_duration_s


def _fixed_violations(crew: CrewSpec, route: SolverRoute) -> list[str]:
    head = route.stops[: len(crew.fixed_stops)]
    actual = [(s.job_id, s.location, s.arrival_s, s.start_s, s.departure_s, s.fixed) for s in head]
    wanted = [
        (s.job_id, s.location, s.arrival_s, s.start_s, s.departure_s, True)
        for s in crew.fixed_stops
    ]
    extra = any(s.fixed for s in route.stops[len(crew.fixed_stops) :])
    if actual != wanted or extra:
        return [f"crew {crew.id}: fixed stops changed, moved or added"]
    return []


def _limit_violations(problem: RoutingProblem, crew: CrewSpec, route: SolverRoute) -> list[str]:
    jobs = [problem.job_index[j] for j in route.job_ids]
    found = []
    if crew.max_jobs is not None and len(jobs) > crew.max_jobs:
        found.append(f"crew {crew.id}: {len(jobs)} jobs, more than its limit {crew.max_jobs}")
    if crew.capacity is not None and sum(j.load for j in jobs) > crew.capacity:
        found.append(f"crew {crew.id}: load over its capacity {crew.capacity}")
    return found
