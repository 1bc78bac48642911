"""The sweep planner's rules: who serves which home, on which days, how much, and in which window."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from tests.campaigns.sweep_world import DAY_SHIFT, crew, settings, town, weekdays

from sitecrew.campaigns.days import work_budget
from sitecrew.campaigns.sweep import plan_sweep
from sitecrew.domain.campaigns import FixedVisit, SweepPlan, SweepVisit

START = date(2026, 3, 2)  # a Monday
YEAR_END = date(2026, 12, 18)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _by_crew_day(plan: SweepPlan) -> dict[tuple[int, date], list[SweepVisit]]:
    days: dict[tuple[int, date], list[SweepVisit]] = defaultdict(list)
    for visit in plan.visits:
        days[visit.crew_id, visit.day].append(visit)
    return {key: sorted(visits, key=lambda v: v.order) for key, visits in days.items()}


def test_every_home_is_placed_or_unplaced_with_a_reason_never_both():
    homes = town(streets=6, buildings_per_street=8)
    few_days = weekdays(START, START + timedelta(days=13))
    plan = plan_sweep(homes, [crew(1, few_days)], settings(START, START + timedelta(days=13)))

    placed = [v.apartment_id for v in plan.visits]
    assert len(placed) == len(set(placed))
    assert not set(placed) & set(plan.unplaced)
    assert sorted(placed + list(plan.unplaced)) == sorted(h.apartment_id for h in homes)
    assert plan.unplaced, "two weeks of one crew cannot hold the town"
    assert set(plan.unplaced.values()) == {
        "capacity exhausted before the deadline: no crew of its owner has room left"
    }


def test_contractor_districts_go_only_to_the_contractors_crews():
    homes = town(streets=8, owner_of_district={3: 77})
    days = weekdays(START, YEAR_END)
    crews = [crew(1, days), crew(2, days), crew(3, days, contractor_id=77)]
    plan = plan_sweep(homes, crews, settings(START, YEAR_END))

    owner = {h.apartment_id: h.owner_id for h in homes}
    assert not plan.unplaced
    for visit in plan.visits:
        assert (visit.crew_id == 3) == (owner[visit.apartment_id] == 77)


def test_a_district_whose_owner_has_no_crew_is_unplaced_with_that_reason():
    homes = town(streets=8, owner_of_district={3: 77})
    plan = plan_sweep(homes, [crew(1, weekdays(START, YEAR_END))], settings(START, YEAR_END))

    contractor_homes = {h.apartment_id for h in homes if h.owner_id == 77}
    assert set(plan.unplaced) == contractor_homes
    assert all("contractor 77" in reason for reason in plan.unplaced.values())


def test_visits_fall_only_on_working_days_inside_the_horizon_and_within_capacity():
    homes = town(streets=6)
    holiday = START + timedelta(days=2)
    days = weekdays(START - timedelta(days=7), YEAR_END, off=[holiday])
    sweep = settings(START, YEAR_END, revisit_share=0.2)
    plan = plan_sweep(homes, [crew(1, days, visits_per_day=9), crew(2, days)], sweep)

    minutes = {h.apartment_id: h.minutes for h in homes}
    for (crew_id, day), visits in _by_crew_day(plan).items():
        assert day in days
        assert START <= day <= YEAR_END
        assert day != holiday
        assert len(visits) <= (9 if crew_id == 1 else 14)
        assert sum(minutes[v.apartment_id] for v in visits) <= work_budget(DAY_SHIFT, sweep)


def test_the_revisit_share_leaves_that_share_of_each_day_free():
    homes = town(streets=4)
    days = weekdays(START, YEAR_END)
    full = plan_sweep(
        homes, [crew(1, days, visits_per_day=99)], settings(START, YEAR_END, revisit_share=0.0)
    )
    kept = plan_sweep(
        homes, [crew(1, days, visits_per_day=99)], settings(START, YEAR_END, revisit_share=0.3)
    )

    def busiest(plan: SweepPlan) -> float:
        minutes = {h.apartment_id: h.minutes for h in homes}
        return max(sum(minutes[v.apartment_id] for v in vs) for vs in _by_crew_day(plan).values())

    shift_at_the_door = (8.5 * 60) - 60
    assert busiest(full) > 0.8 * shift_at_the_door
    assert busiest(kept) <= 0.7 * shift_at_the_door
    assert len({v.day for v in kept.visits}) > len({v.day for v in full.visits})


def test_days_whose_revisits_are_all_known_keep_nothing_free():
    """Before the first day an unknown re-visit can fall on, the sweep fills the whole day."""
    homes = town(streets=4)
    days = weekdays(START, YEAR_END)
    known_until = START + timedelta(days=7)
    sweep = replace(settings(START, YEAR_END, revisit_share=0.3), revisits_unknown_from=known_until)
    plan = plan_sweep(homes, [crew(1, days, visits_per_day=99)], sweep)

    minutes = {h.apartment_id: h.minutes for h in homes}
    load = {
        day: sum(minutes[v.apartment_id] for v in vs) for (_, day), vs in _by_crew_day(plan).items()
    }
    shift_at_the_door = (8.5 * 60) - 60
    assert work_budget(DAY_SHIFT, sweep, START) == shift_at_the_door
    assert work_budget(DAY_SHIFT, sweep, known_until) == pytest.approx(0.7 * shift_at_the_door)
    assert max(load[d] for d in load if d < known_until) > 0.8 * shift_at_the_door
    assert max(load[d] for d in load if d >= known_until) <= 0.7 * shift_at_the_door


def test_fixed_visits_keep_their_day_crew_and_window_and_count_first():
    homes = town(streets=4)
    days = weekdays(START, YEAR_END)
    fixed_day = START + timedelta(days=1)
    pinned = FixedVisit(day=fixed_day, crew_id=2, window_start=time(13, 0), window_end=time(15, 0))
    chosen = {homes[0].apartment_id, homes[500].apartment_id}
    homes = [replace(h, fixed=pinned) if h.apartment_id in chosen else h for h in homes]
    plan = plan_sweep(homes, [crew(1, days), crew(2, days)], settings(START, YEAR_END))

    kept = [v for v in plan.visits if v.apartment_id in chosen]
    assert len(kept) == 2
    for visit in kept:
        assert (visit.day, visit.crew_id, visit.window_start, visit.window_end, visit.fixed) == (
            fixed_day, 2, time(13, 0), time(15, 0), True,
        )  # fmt: skip
    assert not any(v.fixed for v in plan.visits if v.apartment_id not in chosen)
    minutes = {h.apartment_id: h.minutes for h in homes}
    that_day = _by_crew_day(plan)[2, fixed_day]
    sweep = settings(START, YEAR_END)
    assert sum(minutes[v.apartment_id] for v in that_day) <= work_budget(DAY_SHIFT, sweep)


def test_a_home_with_an_earliest_day_is_not_visited_before_it():
    homes = town(streets=4)
    later = START + timedelta(days=30)
    waiting = {homes[0].apartment_id, homes[1].apartment_id, homes[300].apartment_id}
    homes = [replace(h, earliest=later) if h.apartment_id in waiting else h for h in homes]
    too_late = replace(homes[2], earliest=YEAR_END + timedelta(days=1))
    homes[2] = too_late
    plan = plan_sweep(homes, [crew(1, weekdays(START, YEAR_END))], settings(START, YEAR_END))

    days = {v.apartment_id: v.day for v in plan.visits}
    assert all(days[a] >= later for a in waiting)
    assert "after the deadline" in plan.unplaced[too_late.apartment_id]


def test_windows_are_consecutive_inside_the_shift_and_cover_the_estimated_visit():
    homes = town(streets=6)
    days = weekdays(START, YEAR_END)
    plan = plan_sweep(homes, [crew(1, days), crew(2, days)], settings(START, YEAR_END))

    for visits in _by_crew_day(plan).values():
        assert [v.order for v in visits] == list(range(len(visits)))
        starts = [_minutes(v.window_start) for v in visits]
        assert starts[0] == _minutes(DAY_SHIFT[0])
        for before, after in pairwise(starts):
            assert 0 <= after - before <= 120, "the next window follows on, no gap"
        for visit in visits:
            assert DAY_SHIFT[0] <= visit.window_start < visit.window_end <= DAY_SHIFT[1]
            length = datetime.combine(START, visit.window_end) - datetime.combine(
                START, visit.window_start
            )
            assert length == timedelta(minutes=120)


def test_the_same_input_gives_the_same_plan_whatever_its_order():
    homes = town(streets=6, owner_of_district={1: 5})
    days = weekdays(START, YEAR_END)
    crews = [crew(1, days), crew(2, days, at=(400.0, 400.0)), crew(3, days, contractor_id=5)]
    sweep = settings(START, YEAR_END)

    assert plan_sweep(homes, crews, sweep) == plan_sweep(homes[::-1], crews[::-1], sweep)


def test_an_apartment_listed_twice_is_refused():
    homes = town(streets=1)
    with pytest.raises(ValueError, match="more than once"):
        plan_sweep(
            [*homes, homes[0]], [crew(1, weekdays(START, YEAR_END))], settings(START, YEAR_END)
        )


def test_each_window_contains_the_estimated_arrival_and_a_stairwell_walks_through_windows():
    """Arrivals: homes' minutes, a setup per entrance, a move per building change, stretched.

    Full days (no share kept free) reach the shift's end, where the window ends with the shift.
    """
    homes = town(streets=6)
    sweep = settings(START, YEAR_END, revisit_share=0.0)
    plan = plan_sweep(homes, [crew(1, weekdays(START, YEAR_END))], sweep)
    by_id = {h.apartment_id: h for h in homes}
    shift = _minutes(DAY_SHIFT[1]) - _minutes(DAY_SHIFT[0])
    stretch = shift / (shift - sweep.minutes_off_per_day)

    late_windows = 0
    for visits in _by_crew_day(plan).values():
        elapsed, building, entrances = 0.0, None, set()
        stairwells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for visit in visits:
            home = by_id[visit.apartment_id]
            elapsed += sweep.minutes_between_buildings * (building not in {None, home.building_id})
            elapsed += sweep.setup_minutes_per_entrance * (
                (home.building_id, home.entrance) not in entrances
            )
            arrival = _minutes(DAY_SHIFT[0]) + elapsed * stretch
            start, end = _minutes(visit.window_start), _minutes(visit.window_end)
            assert start <= arrival <= end
            late_windows += visit.window_end == DAY_SHIFT[1]
            elapsed += home.minutes
            building = home.building_id
            entrances.add((home.building_id, home.entrance))
            stairwells[home.building_id, home.entrance].append(start)
        for starts in stairwells.values():
            assert all(0 <= b - a <= 60 for a, b in pairwise(starts)), "same or next window"
    assert late_windows, "some days reach the window that ends with the shift"
