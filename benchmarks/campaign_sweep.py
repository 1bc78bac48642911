"""Time the sweep planner on a campaign's scale: 22,010 homes, 15 crews, a year and a week.

Synthetic town (streets on a grid, buildings of 6-40 homes in 1-4 entrances, 20-45 minutes a
home); Swedish public holidays and weekends off. Writes benchmarks/results/campaign_sweep.json.

    .venv/bin/python benchmarks/campaign_sweep.py
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import holidays

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.campaigns.sweep_world import crew, settings, town, weekdays  # noqa: E402

from sitecrew.campaigns.sweep import plan_sweep  # noqa: E402

START, DEADLINE = date(2026, 1, 12), date(2026, 12, 31)
CONTRACTOR = 900


def _homes() -> list:
    homes = town(streets=97, buildings_per_street=10, seed=15, owner_of_district={3: CONTRACTOR})
    return homes[:22_010]


def _crews(start: date, end: date) -> list:
    days = weekdays(start, end, off=holidays.country_holidays("SE", years=[start.year, end.year]))
    own = [crew(i, days, visits_per_day=14, at=(i * 40.0, i * 500.0)) for i in range(1, 11)]
    hired = [crew(100 + i, days, contractor_id=CONTRACTOR, at=(200.0, 6500.0)) for i in range(5)]
    return own + hired


def _measure(homes: list, start: date, end: date) -> dict[str, float]:
    crews = _crews(start, end)
    began = time.perf_counter()
    plan = plan_sweep(homes, crews, settings(start, end))
    wall = time.perf_counter() - began
    crew_days = {(v.crew_id, v.day) for v in plan.visits}
    day_of = {v.apartment_id: v.day for v in plan.visits}
    entrances: dict[tuple[int, int], set[date]] = defaultdict(set)
    for home in homes:
        if home.apartment_id in day_of:
            entrances[home.building_id, home.entrance].add(day_of[home.apartment_id])
    return {
        "homes": len(homes),
        "crews": len(crews),
        "placed": len(plan.visits),
        "unplaced": len(plan.unplaced),
        "wall_s": round(wall, 3),
        "homes_per_crew_day": round(len(plan.visits) / max(len(crew_days), 1), 2),
        "entrances_split_share": round(
            sum(len(d) > 1 for d in entrances.values()) / max(len(entrances), 1), 3
        ),
        "last_day": max(day_of.values()).isoformat() if day_of else "",
    }


def main() -> None:
    """Print the year and the week, and write the JSON."""
    homes = _homes()
    year = _measure(homes, START, DEADLINE)
    week_end = START + timedelta(days=6)
    week = _measure(homes, START, week_end)
    print(f"{'run':6} " + " ".join(f"{k:>22}" for k in year))
    for name, row in (("year", year), ("week", week)):
        print(f"{name:6} " + " ".join(f"{v!s:>22}" for v in row.values()))
    out = ROOT / "benchmarks" / "results" / "campaign_sweep.json"
    out.write_text(json.dumps({"year": year, "week": week}, indent=2) + "\n")


if __name__ == "__main__":
    main()
