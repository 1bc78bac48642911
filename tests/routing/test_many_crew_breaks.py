"""Lunch breaks at realistic scale: many crews, each with its own break, on a city-sized grid."""

from __future__ import annotations

import numpy as np
import pytest
from tests.routing.world import HOUR, solve_checked

from sitecrew.domain.plans import StopKind
from sitecrew.routing._breaks import BREAK_PLACES, break_spots
from sitecrew.routing.problem import CrewSpec, JobSpec, RoutingProblem

SIZE = 15
BLOCK_M = 300
SLOTS = (8, 10, 12, 14)


def city(crews: int, jobs: int, *, seed: int = 3) -> RoutingProblem:
    """Return a 15 x 15 grid day: ``crews`` installer pairs, ``jobs`` two-hour appointments."""
    xy = np.array([(i % SIZE, i // SIZE) for i in range(SIZE * SIZE)], dtype=np.float64)
    metres = (np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2) * BLOCK_M).astype(np.int64)
    seconds = np.rint(metres / 8.0).astype(np.int64)
    rng = np.random.default_rng(seed)
    depot = SIZE * SIZE // 2
    crew_specs = tuple(
        CrewSpec(
            f"crew{n:02d}",
            depot,
            depot,
            8 * HOUR,
            16 * HOUR,
            break_window=(11 * HOUR, 13 * HOUR),
            break_duration_s=1800,
            max_jobs=14,
            skills=frozenset({"media_box"}),
        )
        for n in range(crews)
    )
    job_specs = []
    for n in range(jobs):
        start = int(rng.choice(SLOTS)) * HOUR
        job_specs.append(
            JobSpec(
                f"job{n:03d}",
                int(rng.integers(SIZE * SIZE)),
                1800,
                setup_s=300,
                windows=((start, start + 2 * HOUR - 1800),),
                skills=frozenset({"media_box"}),
            )
        )
    return RoutingProblem(seconds, metres, tuple(job_specs), crew_specs)


@pytest.mark.parametrize(("crews", "jobs"), [(12, 150), (20, 240)])
def test_every_working_crew_takes_its_own_break_when_many_crews_have_lunch(crews, jobs):
    """Ten-plus crews with breaks get a feasible plan in which each working crew pauses once."""
    problem = city(crews, jobs)
    plan = solve_checked(problem, max_iterations=300)
    working = [r for r in plan.routes if r.job_ids]
    assert len(working) >= crews - 1
    for route in working:
        breaks = [s for s in route.stops if s.kind is StopKind.BREAK]
        assert len(breaks) == 1, route.crew_id
    assert len(plan.assigned_job_ids) >= 0.6 * jobs


def test_break_places_are_few_and_spread_when_a_crew_can_work_everywhere():
    """A crew's break candidates are its depot plus a handful of far-apart job places."""
    problem = city(1, 150)
    crew = problem.crews[0]
    spots = break_spots(crew, problem.jobs, np.asarray(problem.durations))
    assert spots[0] == crew.start_location
    assert len(spots) == len(set(spots)) <= BREAK_PLACES + 1
    lunch_places = {j.location for j in problem.jobs if j.windows[0][0] in (10 * HOUR, 12 * HOUR)}
    assert set(spots[1:]) <= lunch_places
    durations = np.asarray(problem.durations)
    farthest = max(int(durations[crew.start_location, p]) for p in lunch_places)
    nearest_pick = {p: min(int(durations[p, s]) for s in spots) for p in lunch_places}
    assert max(nearest_pick.values()) < farthest


def test_plan_is_feasible_when_the_search_is_too_short_to_repair_a_random_start():
    """A very short search still returns a checked plan, grown from breaks at the depots."""
    problem = city(20, 240)
    plan = solve_checked(problem, max_iterations=5)
    assert plan.assigned_job_ids
    assert all(
        sum(s.kind is StopKind.BREAK for s in r.stops) == 1 for r in plan.routes if r.job_ids
    )
