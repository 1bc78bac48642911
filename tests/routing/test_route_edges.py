"""Unassigned reasons, awkward days and bad input behave as a dispatcher would expect."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from tests.routing.world import HOUR, crew, job, problem, solve_checked

from sitecrew.domain.plans import UnassignedReason
from sitecrew.errors import InfeasiblePlanError, InvalidInputError
from sitecrew.routing.instances import problem_from_instance
from sitecrew.routing.solve import solve_problem
from sitecrew.routing.units import PROHIBITIVE, SolverScalingWarning, matrix_to_solver

REASON_CASES = {
    "skill": (job("x", 10, skills=frozenset({"crane"})), crew(), UnassignedReason.SKILL),
    "district": (
        job("x", 10, district="north"),
        crew(allowed_districts=frozenset({"south"})),
        UnassignedReason.DISTRICT,
    ),
    "window": (job("x", 10, windows=((HOUR, 2 * HOUR),)), crew(), UnassignedReason.TIME_WINDOW),
    "shift": (job("x", 10, service_s=9 * HOUR), crew(), UnassignedReason.SHIFT_LENGTH),
    "no street": (job("x", None), crew(), UnassignedReason.UNREACHABLE),
    "van load": (job("x", 10, load=2), crew(capacity=1), UnassignedReason.CAPACITY),
}


@pytest.mark.parametrize("case", REASON_CASES, ids=list(REASON_CASES))
def test_job_is_unassigned_with_its_reason_when_no_crew_can_do_it(case):
    """Each impossible job is left out with the reason that rules it out, and a detail."""
    impossible, only_crew, reason = REASON_CASES[case]
    plan = solve_checked(problem([impossible, job("ok", 30, district="south")], [only_crew]))
    assert [(u.job_id, u.reason) for u in plan.unassigned] == [("x", reason)]
    assert plan.unassigned[0].detail


def test_plan_is_empty_when_the_day_has_no_jobs():
    """No jobs: every crew gets an empty route, nothing is unassigned, the solver is skipped."""
    plan = solve_checked(problem([], [crew("a"), crew("b")]))
    assert [r.stops for r in plan.routes] == [(), ()]
    assert plan.unassigned == ()


def test_idle_crew_gets_an_empty_route_when_others_take_all_jobs():
    """A crew whose skills match no job gets an empty route, without a lone lunch stop."""
    jobs = [job("w", 10, skills=frozenset({"weld"}))]
    crews = [
        crew("welder", skills=frozenset({"weld"})),
        crew("idle", break_window=(11 * HOUR, 13 * HOUR), break_duration_s=1800),
    ]
    plan = solve_checked(problem(jobs, crews))
    assert plan.route_for("idle").stops == ()
    assert plan.route_for("welder").job_ids == ("w",)


def test_plan_fails_when_a_required_job_is_impossible():
    """A required job nobody has the skill for makes the plan infeasible, with the reason."""
    impossible = job("x", 10, skills=frozenset({"crane"}), required=True)
    with pytest.raises(InfeasiblePlanError, match="crane"):
        solve_problem(problem([impossible], [crew()]), seed=1, max_iterations=10)


def test_solve_is_refused_when_no_stopping_rule_is_given():
    """A solve without iteration or time limit would never end, so it is refused."""
    with pytest.raises(InvalidInputError, match="stop"):
        solve_problem(problem([job("a", 1)], [crew()]), seed=1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: job("a", 1, windows=((5, 3),)), "not ordered"),
        (lambda: job("a", 1, priority=0), "priority"),
        (lambda: crew(shift_start_s=10, shift_end_s=5), "shift"),
        (lambda: crew(break_window=(6 * HOUR, 8 * HOUR), break_duration_s=600), "inside"),
        (lambda: problem([job("a", 1), job("a", 2)], [crew()]), "duplicate"),
        (lambda: problem([job("a", 99)], [crew()]), "outside"),
    ],
    ids=["window", "priority", "shift", "break", "duplicate", "location"],
)
def test_invalid_input_is_rejected_when_a_rule_is_broken(build, message):
    """Contradictory jobs, crews and problems fail at construction with a clear message."""
    with pytest.raises(InvalidInputError, match=message):
        build()


def test_no_path_becomes_prohibitive_when_converting_a_matrix():
    """Negative, NaN and infinite entries mean no street path and become prohibitive."""
    result = matrix_to_solver(np.array([[0, -1], [np.nan, np.inf]]), name="durations")
    assert result.tolist() == [[0, PROHIBITIVE], [PROHIBITIVE, PROHIBITIVE]]


def test_scaling_warning_is_raised_when_values_near_solver_limits():
    """Entries whose route sums could overflow the solver raise a SolverScalingWarning."""
    huge = np.full((4, 4), float(PROHIBITIVE // 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        matrix_to_solver(huge, name="distances")
    assert any(issubclass(w.category, SolverScalingWarning) for w in caught)


def test_solomon_c101_is_near_its_optimum_when_solved_briefly(solomon_c101):
    """C101 under the DIMACS convention comes within 1 % of its proven optimum 827.3."""
    routing_problem = problem_from_instance(solomon_c101)
    plan = solve_checked(routing_problem, max_iterations=1500)
    distance = sum(r.distance_m for r in plan.routes) / 10
    assert plan.unassigned == ()
    assert distance <= 827.3 * 1.01
