"""The planning pipeline: load -> snap -> matrix -> solve -> geometry -> persist, timed per stage.

Loading and persisting need the database, the middle stages only the street network and the
solver, so a background run holds no transaction while it solves (SQLite allows one writer, and
a run's progress updates must get through meanwhile).
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitecrew.domain.plans import SolverPlan
from sitecrew.routing.problem import RoutingProblem
from sitecrew.routing.solve import solve_problem
from sitecrew.services.graphs import get_network
from sitecrew.services.planning.day import DayInput
from sitecrew.services.planning.geometry import legs_for_plan
from sitecrew.services.planning.persist import save_plan
from sitecrew.services.planning.problem import matrices_for, problem_from_day, snap_day
from sitecrew.streets import Leg

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.routes import PlanOptions
    from sitecrew.services.progress import ProgressCallback

#: Stages in order, as reported to progress callbacks and in timings.
STAGES = ("load", "graph", "snap", "matrix", "solve", "geometry", "persist")


@dataclass
class Timings:
    """Wall seconds per stage."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (repeated stages add up)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed


@dataclass(frozen=True, eq=False)
class SolvedDay:
    """A solved day ready to store: the input, the routing problem, the plan and its legs."""

    day: DayInput
    problem: RoutingProblem
    plan: SolverPlan
    legs: dict[str, list[Leg]]


def solve_day(
    day: DayInput,
    *,
    osm: OsmSettings,
    options: PlanOptions,
    timings: Timings,
    progress: ProgressCallback,
) -> SolvedDay:
    """Snap, build matrices, solve and lay out the road legs of a loaded day (no database).

    Raises
    ------
    NotFoundError, StreetGraphError
        When the region's street graph cannot be loaded, or a depot is off the streets.
    InfeasiblePlanError
        When the solver finds no feasible plan within its limits.
    """
    with timings.stage("graph"):
        network = get_network(
            day.region.street_region,
            settings=osm,
            progress=progress,
            extract=day.region.extract_path,
        )
    with timings.stage("snap"):
        progress("snap", 0, 1)
        snapped = snap_day(day, network)
        progress("snap", 1, 1)
    with timings.stage("matrix"):
        progress("matrix", 0, 1)
        problem = problem_from_day(day, snapped, matrices_for(snapped, network))
        progress("matrix", 1, 1)
    with timings.stage("solve"):
        plan = _solve(problem, options, progress, current=day.current)
    with timings.stage("geometry"):
        legs = legs_for_plan(plan, problem, snapped, network, progress=progress)
    return SolvedDay(day, problem, plan, legs)


def _solve(
    problem: RoutingProblem,
    options: PlanOptions,
    progress: ProgressCallback,
    *,
    current: dict[str, tuple[str | None, ...]],
) -> SolverPlan:
    started = time.perf_counter()
    limit = options.time_limit_s
    iterations = options.max_iterations

    def report(iteration: int, _best_cost: int) -> None:
        if iterations is not None:
            progress("solve", iteration, iterations)
        elif limit is not None:
            progress("solve", round(10 * (time.perf_counter() - started)), round(10 * limit))

    total = iterations or round(10 * (limit or 1))
    progress("solve", 0, total)
    plan = solve_problem(
        problem,
        seed=options.seed,
        max_iterations=iterations,
        time_limit_s=limit,
        progress=report,
        current=current,
    )
    progress("solve", total, total)
    return plan


def store_day(
    session: Session, solved: SolvedDay, *, run_id: int, timings: Timings
) -> tuple[list[int], dict[str, Any]]:
    """Persist the solved day as draft routes of ``run_id``; return route ids and a summary."""
    with timings.stage("persist"):
        route_ids = save_plan(
            session,
            run_id=run_id,
            day=solved.day,
            plan=solved.plan,
            legs=solved.legs,
        )
    return route_ids, summary_of(solved, timings)


def summary_of(solved: SolvedDay, timings: Timings) -> dict[str, Any]:
    """Return the JSON summary stored with a run: counts, objective and stage timings.

    ``crews_off`` names the crews that do not work the day and why; ``note`` says why nobody is
    planned when no crew works at all (a Sunday, a public holiday), instead of an empty plan.
    """
    plan = solved.plan
    reasons = Counter(u.reason.value for u in plan.unassigned)
    return {
        "jobs": len(solved.problem.jobs),
        "crews": len(solved.problem.crews),
        "routes": sum(1 for r in plan.routes if r.stops),
        "visits": sum(len(r.job_ids) for r in plan.routes),
        "breaks": sum(1 for r in plan.routes for s in r.stops if s.job_id is None),
        "unassigned": len(plan.unassigned),
        "by_reason": dict(sorted(reasons.items())),
        "objective": plan.objective,
        "iterations": plan.iterations,
        "travel_s": sum(r.travel_s for r in plan.routes),
        "distance_m": sum(round(leg.distance_m) for v in solved.legs.values() for leg in v),
        "timings_s": {k: round(v, 3) for k, v in timings.seconds.items()},
        "crews_off": dict(sorted(solved.day.crews_off.items())),
        "note": solved.day.no_crew_note,
    }
