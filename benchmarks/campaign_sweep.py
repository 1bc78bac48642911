"""Time and judge the sweep planner on a campaign's scale: 22,010 homes, 15 crews, a year and a week.

Synthetic town (streets on a grid, buildings of 6-40 homes in 1-4 entrances, 20-45 minutes a
home); Swedish public holidays and weekends off. Besides the wall time it measures what the
campaign is judged on later (issue #15): stairwells that fit in one day visited on one day,
crew-days filled tightly (a year replay must stay within 1.3 x the pure-work lower bound), and
crew-days that stay compact. Writes benchmarks/results/campaign_sweep.json.

    .venv/bin/python benchmarks/campaign_sweep.py
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from statistics import mean
from typing import TYPE_CHECKING

import holidays

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.campaigns.sweep_world import (  # noqa: E402
    METRES_PER_LAT,
    METRES_PER_LON,
    crew,
    settings,
    town,
    weekdays,
)

from sitecrew.campaigns.days import work_budget  # noqa: E402
from sitecrew.campaigns.sweep import plan_sweep  # noqa: E402

if TYPE_CHECKING:
    from sitecrew.domain.campaigns import SweepCrew, SweepHome, SweepPlan, SweepSettings

START, DEADLINE = date(2026, 1, 12), date(2026, 12, 31)
CONTRACTOR = 900
#: A crew-day counts as tightly packed from this share of its work budget on.
TIGHT = 0.9


def _homes() -> list[SweepHome]:
    homes = town(streets=97, buildings_per_street=10, seed=15, owner_of_district={3: CONTRACTOR})
    return homes[:22_010]


def _crews(start: date, end: date) -> list[SweepCrew]:
    days = weekdays(start, end, off=holidays.country_holidays("SE", years=[start.year, end.year]))
    own = [crew(i, days, visits_per_day=14, at=(i * 40.0, i * 500.0)) for i in range(1, 11)]
    hired = [crew(100 + i, days, contractor_id=CONTRACTOR, at=(200.0, 6500.0)) for i in range(5)]
    return own + hired


def stairwell_days(
    homes: list[SweepHome], plan: SweepPlan, sweep: SweepSettings, budget: float, cap: int
) -> dict[str, float]:
    """Share of stairwells that fit a day visited on one day; extra days of the larger ones."""
    day_of = {v.apartment_id: v.day for v in plan.visits}
    days: dict[tuple[int, int], set[date]] = defaultdict(set)
    members: dict[tuple[int, int], list[SweepHome]] = defaultdict(list)
    for home in homes:
        if home.apartment_id in day_of:
            days[home.building_id, home.entrance].add(day_of[home.apartment_id])
            members[home.building_id, home.entrance].append(home)
    fitting, larger_extra = [], []
    for key, group in members.items():
        cost = sum(h.minutes for h in group) + sweep.setup_minutes_per_entrance
        if cost <= budget and len(group) <= cap:
            fitting.append(len(days[key]) == 1)
        else:
            least = max(math.ceil(cost / budget), math.ceil(len(group) / cap))
            larger_extra.append(len(days[key]) - least)
    return {
        "stairwells_fitting": len(fitting),
        "fitting_in_one_day": round(sum(fitting) / max(len(fitting), 1), 3),
        "stairwells_larger": len(larger_extra),
        "larger_extra_days_mean": round(mean(larger_extra), 3) if larger_extra else 0.0,
        "entrances_split_share": round(sum(len(d) > 1 for d in days.values()) / len(days), 3),
    }


def day_fill(
    homes: list[SweepHome], plan: SweepPlan, sweep: SweepSettings, budget: float
) -> dict[str, float]:
    """Planned work (homes, setups, moves) over the work budget, per crew-day.

    Each crew's last day is left out: the territory's rest is whatever is left.
    """
    by_id = {h.apartment_id: h for h in homes}
    work: dict[tuple[int, date], list[SweepHome]] = defaultdict(list)
    for visit in plan.visits:
        work[visit.crew_id, visit.day].append(by_id[visit.apartment_id])
    last = {crew_id: max(d for c, d in work if c == crew_id) for crew_id, _ in work}
    fills, moves, pure = [], 0.0, 0.0
    for (crew_id, day), group in work.items():
        buildings = {h.building_id for h in group}
        entrances = {(h.building_id, h.entrance) for h in group}
        own = sum(h.minutes for h in group) + sweep.setup_minutes_per_entrance * len(entrances)
        move = sweep.minutes_between_buildings * (len(buildings) - 1)
        pure += own
        moves += move
        if day != last[crew_id]:
            fills.append((own + move) / budget)
    fills.sort()
    return {
        "crew_days": len(work),
        "fill_mean": round(mean(fills), 3),
        "fill_p10": round(fills[len(fills) // 10], 3),
        "days_tight_share": round(sum(f >= TIGHT for f in fills) / len(fills), 3),
        "days_over_pure_work_bound": round(len(work) / (pure / budget), 3),
        "move_share_of_work": round(moves / (pure + moves), 3),
    }


def compactness(homes: list[SweepHome], plan: SweepPlan) -> dict[str, float]:
    """Mean distance of a crew-day's homes from their centre; weeks a street's homes take."""
    where = {h.apartment_id: (h.lon * METRES_PER_LON, h.lat * METRES_PER_LAT) for h in homes}
    street = {h.apartment_id: h.street for h in homes}
    days: dict[tuple[int, date], list[int]] = defaultdict(list)
    weeks: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for visit in plan.visits:
        days[visit.crew_id, visit.day].append(visit.apartment_id)
        weeks[street[visit.apartment_id]].add(visit.day.isocalendar()[:2])
    spreads = []
    for ids in days.values():
        xs, ys = [where[i][0] for i in ids], [where[i][1] for i in ids]
        cx, cy = mean(xs), mean(ys)
        spreads.append(mean(math.hypot(x - cx, y - cy) for x, y in zip(xs, ys, strict=True)))
    return {
        "day_spread_m": round(mean(spreads), 1),
        "street_weeks_max": max(len(w) for w in weeks.values()),
    }


def _measure(homes: list[SweepHome], start: date, end: date) -> dict[str, float | str]:
    crews = _crews(start, end)
    sweep = settings(start, end)
    began = time.perf_counter()
    plan = plan_sweep(homes, crews, sweep)
    wall = time.perf_counter() - began
    shift = next(iter(crews[0].days.values()))
    budget = work_budget(shift, sweep)
    crew_days = {(v.crew_id, v.day) for v in plan.visits}
    day_of = {v.apartment_id: v.day for v in plan.visits}
    return {
        "homes": len(homes),
        "crews": len(crews),
        "placed": len(plan.visits),
        "unplaced": len(plan.unplaced),
        "wall_s": round(wall, 3),
        "homes_per_crew_day": round(len(plan.visits) / max(len(crew_days), 1), 2),
        **stairwell_days(homes, plan, sweep, budget, crews[0].visits_per_day),
        **day_fill(homes, plan, sweep, budget),
        **compactness(homes, plan),
        "last_day": max(day_of.values()).isoformat() if day_of else "",
    }


def main() -> None:
    """Print the year and the week, and write the JSON."""
    homes = _homes()
    year = _measure(homes, START, DEADLINE)
    week_end = START + timedelta(days=6)
    week = _measure(homes, START, week_end)
    for key in year:
        print(f"{key:28} {year[key]!s:>12} {week[key]!s:>12}")
    out = ROOT / "benchmarks" / "results" / "campaign_sweep.json"
    out.write_text(json.dumps({"year": year, "week": week}, indent=2) + "\n")


if __name__ == "__main__":
    main()
