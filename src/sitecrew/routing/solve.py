"""The route solver facade: one call from a :class:`RoutingProblem` to a :class:`SolverPlan`.

Built on PyVRP, the strongest open VRP solver measured here (0.23 % mean gap on Solomon at 5 s
against 1.52 % for VROOM and 5.55 % for OR-Tools). It lacks native skills and breaks, which
:mod:`sitecrew.routing.model` encodes with profiles, load dimensions and break visit groups.
Every solve states its seed and its stopping rule; tests stop on iterations, never on time.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

import pyvrp
from pyvrp import PenaltyParams, Route, Solution, SolveParams
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from sitecrew.domain.plans import SolverPlan, UnassignedJob
from sitecrew.errors import InfeasiblePlanError, InvalidInputError
from sitecrew.routing._read import Visit, crew_route, int_matrices, visits_from_solution
from sitecrew.routing._start import solution_from_seed
from sitecrew.routing.explain import capacity_reason, impossible_reason, travel_seconds
from sitecrew.routing.insertion import break_place
from sitecrew.routing.model import SolverModel, crews_to_route, model_from_problem, plans_break
from sitecrew.routing.seed import seed_plan, solver_travel

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sitecrew.routing.problem import CrewSpec, JobSpec, RoutingProblem

DEFAULT_MAX_PENALTY = 100_000
"""PyVRP's own penalty ceiling, kept whenever prizes are small (as in Solomon)."""

PROGRESS_EVERY = 100
"""Iterations between two progress callbacks."""


class _CountingStop:
    """Wraps a stopping rule to count iterations and report progress now and then."""

    def __init__(
        self, inner: StoppingCriterion, progress: Callable[[int, int], None] | None
    ) -> None:
        self.inner = inner
        self.progress = progress
        self.iterations = 0

    def __call__(self, best_cost: int) -> bool:
        self.iterations += 1
        if self.progress is not None and self.iterations % PROGRESS_EVERY == 0:
            self.progress(self.iterations, best_cost)
        return bool(self.inner(best_cost))


def solve_problem(
    problem: RoutingProblem,
    *,
    seed: int,
    max_iterations: int | None = None,
    time_limit_s: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    current: Mapping[str, Sequence[str | None]] | None = None,
) -> SolverPlan:
    """Plan the day: assign and sequence jobs per crew, and explain every job left out.

    Bookings (``JobSpec.booked``) are never dropped when a plan keeping them exists: the
    crews' ``current`` routes with the bookings not on them inserted at their cheapest places
    (:mod:`sitecrew.routing.seed`). The bookings that plan keeps are required in the search,
    which starts from it when its own start finds no feasible plan.

    Parameters
    ----------
    problem
        The validated routing problem.
    seed
        Seed of the solver's random stream; the same seed and iteration limit give the same plan.
    max_iterations
        Stop after this many iterations (deterministic; use in tests).
    time_limit_s
        Stop after this many seconds. With both limits, whichever comes first.
    progress
        Called every :data:`PROGRESS_EVERY` iterations with ``(iteration, best cost)``.
    current
        Per crew id, the job ids of its current route in order (``None``: the break); the
        plan the search keeps the bookings of. Missing crews start from an empty day.

    Returns
    -------
    SolverPlan
        A route per crew (empty for idle crews) and the unassigned jobs with reasons.

    Raises
    ------
    InvalidInputError
        When no stopping rule is given.
    InfeasiblePlanError
        When a required job cannot be planned, or no feasible plan was found in time.
    """
    stop = _CountingStop(_stopping_rule(max_iterations, time_limit_s), progress)
    travel = travel_seconds(problem)
    impossible: list[UnassignedJob] = []
    open_jobs: list[JobSpec] = []
    for job in problem.jobs:
        if job.id in problem.fixed_job_ids:
            continue
        reason = impossible_reason(problem, job, travel)
        if reason is None:
            open_jobs.append(job)
            continue
        if job.required:
            raise InfeasiblePlanError(f"required job {job.id}: {reason.detail}")
        impossible.append(reason)
    visits, objective, runtime = _run(
        problem,
        tuple(open_jobs),
        stop,
        seed,
        restart=lambda: _stopping_rule(max_iterations, time_limit_s),
        current=current or {},
    )
    matrices = int_matrices(problem)
    routes = tuple(crew_route(problem, c, visits.get(c.id), matrices) for c in problem.crews)
    plan_jobs = {j for r in routes for j in r.job_ids}
    dropped = [capacity_reason(problem, j) for j in open_jobs if j.id not in plan_jobs]
    if any(problem.job_index[d.job_id].required for d in dropped):
        raise InfeasiblePlanError("the solver could not fit every required job")
    return SolverPlan(
        routes=routes,
        unassigned=tuple(impossible + dropped),
        objective=objective,
        iterations=stop.iterations,
        runtime_s=runtime,
    )


def _stopping_rule(max_iterations: int | None, time_limit_s: float | None) -> StoppingCriterion:
    rules: list[StoppingCriterion] = []
    if max_iterations is not None:
        rules.append(MaxIterations(max_iterations))
    if time_limit_s is not None:
        rules.append(MaxRuntime(time_limit_s))
    if not rules:
        raise InvalidInputError("give max_iterations or time_limit_s: a solve must stop")
    return rules[0] if len(rules) == 1 else MultipleCriteria(rules)


def _run(
    problem: RoutingProblem,
    jobs: tuple[JobSpec, ...],
    stop: _CountingStop,
    seed: int,
    *,
    restart: Callable[[], StoppingCriterion],
    current: Mapping[str, Sequence[str | None]],
) -> tuple[dict[str, tuple[int, list[Visit]]], int, float]:
    """Solve the PyVRP model; return the visits per crew, the objective and the runtime.

    PyVRP starts from a random solution, which is best on average but, with required breaks and
    large prizes, is sometimes still infeasible after a short search. Then the search runs once
    more (with the same stopping rule) from a plan that is feasible by construction: the seed
    plan keeping the bookings when there are any (:func:`_kept_model`), else every crew only
    taking its break at its depot, and the search adds jobs from there.
    """
    crews = crews_to_route(problem, jobs)
    if not jobs or not crews:
        return {}, 0, 0.0
    model, start = _kept_model(problem, jobs, crews, current)
    result = _search(model, stop, seed, None)
    runtime = float(result.runtime)
    if not result.is_feasible():
        start = breaks_only_solution(model) if start is None else start
        if start.is_feasible():
            stop.inner = restart()
            result = _search(model, stop, seed, start)
            runtime += float(result.runtime)
    if not result.is_feasible():
        raise InfeasiblePlanError("no feasible plan found; try a longer time limit")
    visits = visits_from_solution(model, result.best)
    return visits, int(result.cost()), runtime


def _kept_model(
    problem: RoutingProblem,
    jobs: tuple[JobSpec, ...],
    crews: tuple[CrewSpec, ...],
    current: Mapping[str, Sequence[str | None]],
) -> tuple[SolverModel, Solution | None]:
    """Return the model with the seed plan's bookings required, and the seed as a solution.

    Without bookings, or when PyVRP does not accept the seed as feasible, the plain model and
    no seed: the bookings stay optional (with their bonus prize), as they were.
    """
    plan = seed_plan(problem, current, jobs=jobs, crews=crews, breaks=plans_break)
    if plan.kept:
        kept = tuple(replace(j, required=True) if j.id in plan.kept else j for j in jobs)
        spots = {
            crew.id: place
            for crew in crews
            if (place := break_place(crew, plan.days.get(crew.id, ()))) is not None
        }
        model = model_from_problem(problem, jobs=kept, break_spots=spots)
        start = solution_from_seed(model, plan, solver_travel(problem))
        if start is not None and start.is_feasible():
            return model, start
    return model_from_problem(problem, jobs=jobs), None


def _search(
    model: SolverModel, stop: _CountingStop, seed: int, start: Solution | None
) -> pyvrp.Result:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        params = SolveParams(penalty=PenaltyParams(max_penalty=_max_penalty(model)))
        return pyvrp.solve(
            model.data, stop, seed, collect_stats=False, params=params, initial_solution=start
        )


def breaks_only_solution(model: SolverModel) -> Solution:
    """Return the plan in which each crew with a break takes it at its depot and does no job.

    It is feasible whenever no job is required: break windows lie inside shifts, and each
    crew's first break place is its depot.
    """
    routes = []
    for group in model.data.groups():
        first = group.clients[0]
        crew = model.roles[first].crew_id
        if crew is None:
            continue
        kind = next(i for i, fleet in enumerate(model.fleets) if fleet[0].id == crew)
        routes.append(Route(model.data, [first], kind))
    return Solution(model.data, routes)


def _max_penalty(model: SolverModel) -> float:
    """Return a penalty ceiling above the largest prize, so overloading never pays for a job."""
    largest = max((c.prize for c in model.data.clients()), default=0)
    return float(max(DEFAULT_MAX_PENALTY, 10 * largest))
