"""A re-plan never drops a booking that the crews' current routes (plus insertions) can keep.

On the grid world (``tests.routing.world``): the centre depot, corner 0 and corner 48 each 300 s
away. Each case is checked against the independent checker by ``solve_checked``.
"""

from __future__ import annotations

from dataclasses import replace

from tests.routing.world import HOUR, crew, job, problem, solve_checked

from sitecrew.routing.model import plans_break
from sitecrew.routing.seed import seed_plan

#: Booked: 90 minutes at corner 0 starting 08:00-09:00, priority 3 + the booking bonus 5.
BOOKED = job("booked", 0, service_s=90 * 60, windows=((8 * HOUR, 9 * HOUR),), priority=8)
BOOKED = replace(BOOKED, booked=True)
#: Two unbooked jobs at the other corner, worth 10 together: more than the booking.
OTHERS = [job(name, 48, priority=5, setup_group="far") for name in ("x", "y")]
SHORT_DAY = crew(shift_start_s=8 * HOUR, shift_end_s=10 * HOUR)


def routed(plan) -> set[str]:
    return {j for route in plan.routes for j in route.job_ids}


def test_a_booking_is_kept_even_when_more_valuable_work_would_take_its_place():
    """Booked and 100 minutes with travel, the two-hour day has no room for x and y beside it."""
    plan = solve_checked(problem([BOOKED, *OTHERS], [SHORT_DAY]))
    assert routed(plan) == {"booked"}
    assert {u.job_id for u in plan.unassigned} == {"x", "y"}


def test_the_same_job_unbooked_is_dropped_for_the_more_valuable_pair():
    """The control case: without the booking flag the solver trades it for x and y."""
    plan = solve_checked(problem([replace(BOOKED, booked=False), *OTHERS], [SHORT_DAY]))
    assert routed(plan) == {"x", "y"}


def test_of_two_bookings_that_cannot_both_be_made_one_is_kept_and_the_day_still_planned():
    """Two 90-minute bookings in the same hour for one crew: one is routed, one unassigned."""
    second = replace(BOOKED, id="second", location=48)
    plan = solve_checked(problem([BOOKED, second, *OTHERS], [SHORT_DAY]))
    assert len(routed(plan) & {"booked", "second"}) == 1
    assert len([u for u in plan.unassigned if u.job_id in {"booked", "second"}]) == 1


def test_the_seed_keeps_the_current_order_and_inserts_a_new_booking():
    """Current route b (corner 6), a (corner 0), lunch; the new booking n joins, nothing moves."""
    lunch = crew(break_window=(11 * HOUR, 13 * HOUR), break_duration_s=1800)
    a, b = job("a", 0), job("b", 6)
    new = replace(job("n", 3, windows=((7 * HOUR, 15 * HOUR),)), booked=True)
    routing = problem([a, b, new], [lunch])
    plan = seed_plan(
        routing, {"c1": ("b", "a", None)}, jobs=[a, b, new], crews=[lunch], breaks=plans_break
    )
    order = [s.id if s else None for s in plan.days["c1"]]
    assert "n" in order
    assert [s for s in order if s != "n"] == ["b", "a", None]
    assert plan.kept == {"n"}


def test_a_current_route_that_no_longer_holds_keeps_only_its_bookings():
    """The route's unbooked job now closes before the crew can reach it: only bookings stay."""
    late = job("late", 0, windows=((7 * HOUR, 7 * HOUR),))
    kept = replace(job("kept", 6, windows=((8 * HOUR, 9 * HOUR),)), booked=True)
    routing = problem([late, kept], [crew()])
    plan = seed_plan(
        routing, {"c1": ("late", "kept")}, jobs=[late, kept], crews=[crew()], breaks=plans_break
    )
    assert [s.id if s else None for s in plan.days["c1"]] == ["kept"]
    assert plan.kept == {"kept"}
