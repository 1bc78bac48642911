"""Small street-like worlds for solver tests: a Manhattan grid with a depot in the middle.

Routing gets matrices, never graphs, so a grid is enough to state each rule; the Solomon fixture
adds a real benchmark instance for a quality check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sitecrew.routing.check import violations_in
from sitecrew.routing.problem import CrewSpec, JobSpec, RoutingProblem
from sitecrew.routing.solve import solve_problem

if TYPE_CHECKING:
    from sitecrew.domain.plans import SolverPlan

HOUR = 3600
SEED = 7
ITERATIONS = 300


def grid_matrices(size: int = 7, *, block_m: int = 400, speed_mps: float = 8.0):
    """Return (durations s, distances m) between the points of a ``size`` x ``size`` grid."""
    xy = np.array([(i % size, i // size) for i in range(size * size)], dtype=np.float64)
    metres = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2) * block_m
    return np.rint(metres / speed_mps).astype(np.int64), metres.astype(np.int64)


DEPOT = 24  # the grid's centre


def crew(crew_id: str = "c1", **options) -> CrewSpec:
    """Return a 07:00-15:00 crew at the centre depot, with any field overridden."""
    fields = {"start_location": DEPOT, "end_location": DEPOT}
    fields |= {"shift_start_s": 7 * HOUR, "shift_end_s": 15 * HOUR}
    return CrewSpec(crew_id, **(fields | options))


def job(job_id: str, location: int | None, **options) -> JobSpec:
    """Return a 30-minute job at ``location`` with any field overridden."""
    return JobSpec(job_id, location, options.pop("service_s", 1800), **options)


def problem(jobs, crews, **options) -> RoutingProblem:
    """Return a grid problem with ``jobs`` and ``crews`` (travel time costs, too)."""
    durations, distances = grid_matrices()
    return RoutingProblem(durations, distances, tuple(jobs), tuple(crews), **options)


def solve_checked(routing_problem: RoutingProblem, **options) -> SolverPlan:
    """Solve with a fixed seed and iteration limit, and assert the independent check passes."""
    options = {"seed": SEED, "max_iterations": ITERATIONS} | options
    plan = solve_problem(routing_problem, **options)
    assert violations_in(routing_problem, plan) == ()
    return plan
