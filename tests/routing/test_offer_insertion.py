"""Inserting one visit into a crew's day (routing.insertion), on a toy street matrix.

Places: 0 the depot, 1 and 2 two buildings ten minutes apart, 3 another site of building 1's
street. Times are seconds since midnight; the crew works 08:00-16:00.
"""

from __future__ import annotations

from sitecrew.routing.insertion import (
    insertions_into_day,
    start_bounds,
    window_grid,
    with_break,
    with_jobs,
)
from sitecrew.routing.problem import CrewSpec, JobSpec

H = 3600
TRAVEL = [
    [0, 600, 600, 600],
    [600, 0, 600, 60],
    [600, 600, 0, 600],
    [600, 60, 600, 0],
]
GRID = window_grid((8 * H, 16 * H), 2 * H)


def travel(a: int, b: int) -> int:
    return TRAVEL[a][b]


def crew(**more) -> CrewSpec:
    return CrewSpec("c", 0, 0, 8 * H, 16 * H, **more)


def job(name: str, place: int, site: str, *, windows=(), minutes: int = 30, **more) -> JobSpec:
    return JobSpec(name, place, minutes * 60, 300, site, windows=windows, **more)


NEW = job("new", 2, "b2")


def starts(found) -> list[int]:
    return [i.window[0] // H for i in found]


def test_the_grid_is_two_hour_windows_every_hour_inside_the_shift():
    """08-10, 09-11, ... 14-16; a 7.5-hour shift ends on a window ending with it."""
    assert GRID[0] == (8 * H, 10 * H)
    assert GRID[-1] == (14 * H, 16 * H)
    assert window_grid((8 * H, 15 * H + 1800), 2 * H)[-1] == (13 * H + 1800, 15 * H + 1800)


def test_a_window_binds_the_start_so_the_work_ends_inside_it():
    """A 30-minute visit in 10-12 starts 10:00-11:30; longer than the window: at 10:00."""
    assert start_bounds((10 * H, 12 * H), 1800) == (10 * H, 11 * H + 1800)
    assert start_bounds((10 * H, 12 * H), 3 * H) == (10 * H, 10 * H)


def test_an_empty_day_takes_the_visit_in_every_window():
    """Nothing planned: every window fits, each costing the round trip and the work."""
    found = insertions_into_day(crew(), [], NEW, GRID, travel)
    assert starts(found) == [8, 9, 10, 11, 12, 13, 14]
    assert {(i.extra_travel_s, i.extra_time_s) for i in found} == {(1200, 1200 + 300 + 1800)}


def test_a_confirmed_job_filling_ten_to_twelve_closes_the_windows_it_overlaps():
    """A two-hour job starting exactly at 10:00 leaves no room in 10-12; 08-10 and 11-13 stay."""
    booked = job("booked", 1, "b1", windows=((10 * H, 10 * H),), minutes=120)
    found = starts(insertions_into_day(crew(), [booked], NEW, GRID, travel))
    assert 10 not in found
    assert {8, 9, 11, 12} <= set(found)


def test_the_break_keeps_its_window():
    """Lunch exactly 12:00-12:30 after a job until 12:00: the visit cannot start before 12:40."""
    booked = job("booked", 1, "b1", windows=((10 * H, 10 * H),), minutes=120)
    lunch = crew(break_window=(12 * H, 12 * H + 1800), break_duration_s=1800)
    found = starts(insertions_into_day(lunch, [booked, None], NEW, GRID, travel))
    assert 11 not in found  # 11-13 would need a start by 12:30
    assert 12 in found


def test_the_shift_end_and_the_job_limit_hold():
    """A job 14:00-15:50 then home by 16:00 leaves no room at 14-16; at its limit, none at all."""
    late = job("late", 1, "b1", windows=((14 * H, 14 * H),), minutes=110)
    found = insertions_into_day(crew(), [late], NEW, GRID, travel)
    assert 14 not in starts(found)
    assert 13 in starts(found)
    later = job("later", 1, "b1", windows=((14 * H, 14 * H),), minutes=111)
    assert insertions_into_day(crew(), [later], NEW, GRID, travel) == []  # already late home
    full = crew(max_jobs=1)
    assert insertions_into_day(full, [late], NEW, GRID, travel) == []


def test_a_visit_next_to_one_in_the_same_building_is_flagged_and_cheaper():
    """Same building: no setup, no detour, flagged; it outranks a visit elsewhere."""
    planned = job("planned", 2, "b2", windows=((9 * H, 9 * H),))
    same = insertions_into_day(crew(), [planned], NEW, GRID[:2], travel)
    other = insertions_into_day(crew(), [planned], job("o", 3, "b3"), GRID[:2], travel)
    assert all(i.same_building for i in same)
    assert not any(i.same_building for i in other)
    assert min(i.cost for i in same) < min(i.cost for i in other)
    assert same[0].extra_travel_s == 0


def test_a_crew_without_the_skill_or_district_gets_no_insertion():
    """Eligibility is the planner's: skills and districts."""
    needs = job("n", 2, "b2", skills=frozenset({"welding"}))
    assert insertions_into_day(crew(), [], needs, GRID, travel) == []
    fenced = crew(allowed_districts=frozenset({"east"}))
    assert insertions_into_day(fenced, [], job("w", 2, "b2", district="west"), GRID, travel) == []


def test_the_break_of_an_unrouted_day_goes_where_its_window_opens():
    """Booked jobs without a route: the break sits before the first job from its opening on."""
    lunch = crew(break_window=(11 * H, 13 * H), break_duration_s=1800)
    morning = job("m", 1, "b1", windows=((9 * H, 10 * H),))
    noon = job("n", 1, "b1", windows=((12 * H, 13 * H),))
    assert with_break(lunch, [morning, noon]) == [morning, None, noon]
    assert with_break(crew(), [morning]) == [morning]


def test_a_job_booked_after_the_route_takes_its_time_before_the_offer():
    """Route: a job 10-12. Booked since, not on it: two hours from 13:00. Its time is gone."""
    routed = job("routed", 1, "b1", windows=((10 * H, 10 * H),), minutes=120)
    later = job("later", 3, "b3", windows=((13 * H, 13 * H),), minutes=120)
    assert starts(insertions_into_day(crew(), [routed], NEW, GRID, travel)) == [
        8,
        9,
        11,
        12,
        13,
        14,
    ]
    day = with_jobs(crew(), [routed], [later], travel)
    assert day == [routed, later]
    # 13-15 would need a half hour between 13:00 and 15:00, and the job fills them
    assert starts(insertions_into_day(crew(), day, NEW, GRID, travel)) == [8, 9, 11, 12, 14]


def test_unrouted_jobs_go_in_cheapest_first_each_inside_its_own_windows():
    """One open all day in the second stop's building goes beside it; one at 14:00 goes last."""
    first = job("first", 1, "b1", windows=((9 * H, 9 * H),))
    second = job("second", 2, "b2", windows=((11 * H, 11 * H),))
    pinned = job("pinned", 1, "b1", windows=((14 * H, 15 * H),))
    free = job("free", 2, "b2")
    day = with_jobs(crew(), [first, second], [pinned, free], travel)
    assert day is not None
    order = [s.id for s in day if s is not None]
    assert order[0] == "first"
    assert set(order[1:3]) == {"second", "free"}  # no detour, no second setup
    assert order[3] == "pinned"


def test_a_crew_day_whose_unrouted_job_fits_nowhere_is_full():
    """A job booked 10:00 sharp on a day whose route works 09:00-11:00: no offer is possible."""
    routed = job("routed", 1, "b1", windows=((9 * H, 9 * H),), minutes=120)
    clash = job("clash", 2, "b2", windows=((10 * H, 10 * H),))
    assert with_jobs(crew(), [routed], [clash], travel) is None
    assert with_jobs(crew(), [routed], [], travel) == [routed]
