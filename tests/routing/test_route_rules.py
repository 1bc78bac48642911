"""Each crew rule holds in solved plans (the independent checker runs on every solve)."""

from __future__ import annotations

from dataclasses import replace

from tests.routing.world import HOUR, crew, job, problem, solve_checked

from sitecrew.domain.plans import StopKind, UnassignedReason
from sitecrew.routing.problem import FixedStop


def _stop(plan, job_id):
    return next(s for r in plan.routes for s in r.stops if s.job_id == job_id)


def test_all_jobs_planned_when_one_crew_has_room():
    """Six short jobs fit one crew's day and all get planned."""
    jobs = [job(f"j{i}", loc) for i, loc in enumerate([0, 6, 42, 48, 10, 38])]
    plan = solve_checked(problem(jobs, [crew()]))
    assert plan.unassigned == ()
    assert len(plan.route_for("c1").job_ids) == len(jobs)


def test_work_starts_inside_appointment_when_windows_are_tight():
    """Appointments in reverse geographic order are still met inside their windows."""
    windows = {"a": (8 * HOUR, 8 * HOUR + 900), "b": (10 * HOUR, 10 * HOUR + 900)}
    jobs = [job("a", 48, windows=(windows["a"],)), job("b", 0, windows=(windows["b"],))]
    plan = solve_checked(problem(jobs, [crew()]))
    for job_id, (open_s, close_s) in windows.items():
        assert open_s <= _stop(plan, job_id).start_s <= close_s


def test_second_window_used_when_first_is_out_of_reach():
    """A job open 06:00-06:30 and 12:00-13:00 is done in the second window by a 07:00 crew."""
    windows = ((6 * HOUR, 6 * HOUR + 1800), (12 * HOUR, 13 * HOUR))
    plan = solve_checked(problem([job("a", 30, windows=windows)], [crew()]))
    assert 12 * HOUR <= _stop(plan, "a").start_s <= 13 * HOUR


def test_lunch_is_taken_inside_its_window_when_the_crew_works_through_midday():
    """A crew busy all day pauses 30 minutes inside 11:00-13:00, between jobs."""
    jobs = [job(f"j{i}", loc, service_s=3600) for i, loc in enumerate([0, 6, 42, 48, 3, 45])]
    lunch = crew(break_window=(11 * HOUR, 13 * HOUR), break_duration_s=1800)
    plan = solve_checked(problem(jobs, [lunch]))
    breaks = [s for s in plan.route_for("c1").stops if s.kind is StopKind.BREAK]
    assert len(breaks) == 1
    assert 11 * HOUR <= breaks[0].start_s <= 13 * HOUR - 1800
    assert breaks[0].departure_s - breaks[0].start_s == 1800


def test_each_crew_takes_its_own_lunch_when_several_crews_work():
    """Three crews with breaks each get exactly one break in their own route."""
    jobs = [job(f"j{i}", loc, service_s=2400) for i, loc in enumerate(range(0, 49, 4))]
    crews = [
        crew(f"c{k}", break_window=(11 * HOUR, 13 * HOUR), break_duration_s=1800) for k in range(3)
    ]
    plan = solve_checked(problem(jobs, crews))
    for route in plan.routes:
        if route.job_ids:
            assert sum(s.kind is StopKind.BREAK for s in route.stops) == 1


def test_only_the_skilled_crew_gets_jobs_when_jobs_need_a_skill():
    """Welding jobs go to the welder, plain jobs may go to anyone."""
    jobs = [job(f"w{i}", loc, skills=frozenset({"weld"})) for i, loc in enumerate([0, 48])]
    jobs += [job(f"p{i}", loc) for i, loc in enumerate([6, 42])]
    crews = [crew("welder", skills=frozenset({"weld"})), crew("plain")]
    plan = solve_checked(problem(jobs, crews))
    assert {"w0", "w1"} <= set(plan.route_for("welder").job_ids)


def test_contractor_stays_in_its_district_when_restricted():
    """A contractor limited to district east never gets a job in district west."""
    jobs = [job(f"e{i}", loc, district="east") for i, loc in enumerate([6, 13, 20])]
    jobs += [job(f"w{i}", loc, district="west") for i, loc in enumerate([0, 7, 14])]
    contractor = crew("contractor", allowed_districts=frozenset({"east"}))
    plan = solve_checked(problem(jobs, [contractor, crew("own")]))
    assert not any(j.startswith("w") for j in plan.route_for("contractor").job_ids)


def test_lowest_priority_jobs_are_dropped_when_max_jobs_is_reached():
    """With room for 3 of 5 jobs, the two priority-1 jobs are left out for capacity."""
    jobs = [job(f"hi{i}", loc, priority=5) for i, loc in enumerate([0, 6, 42])]
    jobs += [job(f"lo{i}", loc, priority=1) for i, loc in enumerate([23, 25])]
    plan = solve_checked(problem(jobs, [crew(max_jobs=3)]))
    assert set(plan.route_for("c1").job_ids) == {"hi0", "hi1", "hi2"}
    assert {u.job_id: u.reason for u in plan.unassigned} == {
        "lo0": UnassignedReason.CAPACITY,
        "lo1": UnassignedReason.CAPACITY,
    }


def test_van_capacity_limits_the_load_when_jobs_carry_boxes():
    """A van holding 4 boxes takes at most 4 boxes of work."""
    jobs = [job(f"j{i}", loc, load=2) for i, loc in enumerate([1, 2, 3])]
    plan = solve_checked(problem(jobs, [crew(capacity=4)]))
    assert len(plan.route_for("c1").job_ids) == 2


def test_setup_is_paid_once_when_consecutive_jobs_share_a_building():
    """Three flats in one building cost one 20-minute setup, not three."""
    jobs = [
        job(f"flat{i}", 10, service_s=600, setup_s=1200, setup_group="building") for i in range(3)
    ]
    plan = solve_checked(problem(jobs, [crew()]))
    stops = plan.route_for("c1").stops
    assert stops[0].start_s - stops[0].arrival_s >= 1200
    assert stops[-1].departure_s - stops[0].start_s == 3 * 600


def test_trainee_crew_works_longer_when_its_service_factor_is_higher():
    """A crew with factor 1.5 spends 45 minutes on a 30-minute job."""
    plan = solve_checked(problem([job("a", 10)], [crew(service_factor=1.5)]))
    stop = _stop(plan, "a")
    assert stop.departure_s - stop.start_s == 2700


def test_fixed_stops_stay_first_when_replanning_during_the_day():
    """A crew that did job a and is at job b continues from b after 10:00 with the rest."""
    start = 7 * HOUR + 400
    done = FixedStop(0, arrival_s=start, start_s=start, departure_s=start + 1800, job_id="a")
    doing = FixedStop(6, arrival_s=9 * HOUR, start_s=9 * HOUR, departure_s=10 * HOUR, job_id="b")
    jobs = [job("a", 0), job("b", 6), job("c", 48), job("d", 42)]
    busy = crew(fixed_stops=(done, doing), available_from_s=10 * HOUR)
    plan = solve_checked(problem(jobs, [busy]))
    stops = plan.route_for("c1").stops
    assert [s.job_id for s in stops[:2]] == ["a", "b"]
    assert all(s.fixed for s in stops[:2])
    assert all(s.start_s >= 10 * HOUR for s in stops[2:])
    assert set(plan.route_for("c1").job_ids) == {"a", "b", "c", "d"}


def test_same_plan_when_solved_twice_with_the_same_seed():
    """A fixed seed and iteration limit make solving deterministic."""
    jobs = [job(f"j{i}", loc) for i, loc in enumerate(range(0, 49, 5))]
    routing_problem = problem(jobs, [crew("a"), crew("b")], cost_per_second=1)
    first, second = solve_checked(routing_problem), solve_checked(routing_problem)
    assert (first.routes, first.unassigned) == (second.routes, second.unassigned)


def test_job_is_unreachable_when_its_matrix_row_has_no_path():
    """A job whose street node has no path to the depot is unassigned as unreachable."""
    base = problem([job("a", 5), job("island", 9)], [crew()])
    durations = base.durations.astype(float)
    durations[9, :] = durations[:, 9] = float("inf")
    durations[9, 9] = 0
    cut = replace(base, durations=durations)
    plan = solve_checked(cut)
    assert [(u.job_id, u.reason) for u in plan.unassigned] == [
        ("island", UnassignedReason.UNREACHABLE)
    ]
