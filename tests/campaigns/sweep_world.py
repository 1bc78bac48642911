"""A generated town for sweep tests: streets on a grid, buildings of 6-40 homes in 1-4 entrances.

Real-looking coordinates (around central Oslo, 59.91 N) so that the local projection and the
Hilbert order see the distances they will see in production.
"""

from __future__ import annotations

import math
import random
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sitecrew.domain.campaigns import SweepCrew, SweepHome, SweepSettings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sitecrew.domain.calendars import Shift

LON0, LAT0 = 10.75, 59.91
METRES_PER_LAT = 110_540.0
METRES_PER_LON = 111_320.0 * math.cos(math.radians(LAT0))
DAY_SHIFT: Shift = (time(7, 0), time(15, 30))


def town(
    streets: int = 12,
    buildings_per_street: int = 10,
    seed: int = 1,
    owner_of_district: dict[int, int] | None = None,
) -> list[SweepHome]:
    """Return the homes of a grid town; street *s* runs east-west, 80 m apart.

    Districts are the town's quarters by street: streets ``0..streets/4`` are district 0, and so
    on; ``owner_of_district`` names a contractor per district (default: none, all in-house).
    """
    rng = random.Random(seed)
    owners = owner_of_district or {}
    homes: list[SweepHome] = []
    apartment = 1
    building = 1
    for street in range(streets):
        district = street * 4 // streets
        for number in range(buildings_per_street):
            x = number * 40.0 + rng.uniform(-5, 5)
            y = street * 80.0 + rng.uniform(-5, 5)
            size = rng.randint(6, 40)
            entrances = rng.randint(1, 4)
            per_entrance = math.ceil(size / entrances)
            for index in range(size):
                entrance = index // per_entrance + 1
                floor = (index % per_entrance) // 2
                homes.append(
                    SweepHome(
                        apartment_id=apartment,
                        building_id=building,
                        lon=LON0 + (x + entrance * 6) / METRES_PER_LON,
                        lat=LAT0 + y / METRES_PER_LAT,
                        street=f"Gate {street}",
                        entrance=entrance,
                        floor=floor,
                        unit=f"H0{floor + 1}0{index % 2 + 1}",
                        district_id=district,
                        owner_id=owners.get(district),
                        minutes=float(rng.randint(20, 45)),
                    )
                )
                apartment += 1
            building += 1
    return homes


def weekdays(
    start: date, end: date, shift: Shift = DAY_SHIFT, off: Iterable[date] = ()
) -> dict[date, Shift]:
    """Return Monday-Friday from ``start`` to ``end`` (both included) less the ``off`` days."""
    skipped = set(off)
    days = {}
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in skipped:
            days[day] = shift
        day += timedelta(days=1)
    return days


def crew(
    crew_id: int,
    days: dict[date, Shift],
    *,
    contractor_id: int | None = None,
    visits_per_day: int = 14,
    at: tuple[float, float] = (0.0, 0.0),
) -> SweepCrew:
    """Return a crew whose depot lies ``at`` metres (east, north) from the town's corner."""
    return SweepCrew(
        crew_id=crew_id,
        depot_lon=LON0 + at[0] / METRES_PER_LON,
        depot_lat=LAT0 + at[1] / METRES_PER_LAT,
        days=days,
        visits_per_day=visits_per_day,
        contractor_id=contractor_id,
    )


def settings(start: date, deadline: date, **overrides: float) -> SweepSettings:
    """Return sweep settings over ``start..deadline`` with the campaign's defaults."""
    return SweepSettings(start=start, deadline=deadline, **overrides)  # type: ignore[arg-type]
