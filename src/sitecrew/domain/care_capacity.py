"""Team capacity: the person-hours a year of care and the open backlog need, month by month.

The question a team doubling from 11 to 22 people must answer is how many people it needs in
each month: oiling piles up in the dry season, inspections and installations do not. The sums
here are pure; :mod:`sitecrew.services.care.capacity` reads the register, the calendar and the
street graph for them.

**Occurrences.** An action falls due as the due-work run sees it (:func:`due_window`): an
interval after it was last done (or after installation), moved into its season. Work overdue
when the forecast is made (or on January 1st, for this or an earlier year) is due then (or at
the season's start). Each later cycle counts from the day the previous one fell due: the
projection assumes work is done when it is due.

**Visits.** Setup is paid once per site visit, so the pieces due at one site for one action in
one month are one visit (the due-work run groups per site and action in the same way): setup
once (the longest of the plans'), each piece's minutes, and the most people any plan needs.
Person-hours are the minutes times those people; travel is estimated per visit elsewhere (by
routing sample days) and charged to the visit's people too, since they ride to the site.

**People needed.** A month's person-hours over the hours one person of the team works that
month (working days of the team's calendar times the net shift: shift less lunch), rounded up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sitecrew.domain.care import add_months, due_window
from sitecrew.domain.rules import require_range
from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sitecrew.domain.care import Season

MONTHS = range(1, 13)
#: Years a capacity forecast may ask about (the calendar's holidays are known for these).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MINUTES_PER_HOUR = 60


def require_year(year: object) -> int:
    """Return ``year`` when it is a plausible year to forecast.

    Raises
    ------
    InvalidInputError
        For anything else, naming the accepted range.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInputError(f"a year is a whole number, got {str(year)[:20]!r}")
    require_range(year, "year", low=FIRST_YEAR, high=LAST_YEAR)
    return year


def occurrences_in_year(
    next_on: date,
    *,
    interval_months: int,
    season: Season | None,
    year: int,
    today: date | None = None,
    skip_first: bool = False,
) -> list[date]:
    """Return the days an action falls due in ``year``, first cycle due on ``next_on``.

    Each day is a due window's start (see the module text), seen on ``today`` when that is
    before the year (a forecast of next year: what is overdue now is due now, and its next
    cycle follows from then), else on January 1st. ``skip_first``: the first cycle is already
    an open job counted elsewhere (the backlog), so only the later ones count here.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    seen = first if today is None else min(today, first)
    found: list[date] = []
    due_on = next_on
    while True:
        start = due_window(due_on, today=seen, season=season).start
        if start > last:
            return found
        if start >= first and not skip_first:
            found.append(start)
        skip_first = False
        due_on = add_months(start, interval_months)


@dataclass(frozen=True)
class WorkUnit:
    """One piece of work in one month: a piece's action, or one backlog job.

    ``place`` is where the crew goes (``site:12``; a job with no site is its own place),
    ``action`` what is done there; the units with the same place, action and month are one
    visit. ``point`` is the place's lon/lat for routing (``None``: not routable).
    """

    place: str
    action: str
    month: int
    minutes: int
    setup_minutes: int
    people: int
    point: tuple[float, float] | None = None
    backlog: bool = False


@dataclass(frozen=True)
class Visit:
    """One site visit: a place, an action, a month, its minutes, setup once, and people.

    ``pieces`` are the care plan pieces done, ``jobs`` the backlog jobs done (their minutes are
    ``backlog_minutes``, part of ``service_minutes``).
    """

    place: str
    action: str
    month: int
    pieces: int
    service_minutes: int
    setup_minutes: int
    people: int
    point: tuple[float, float] | None = None
    jobs: int = 0
    backlog_minutes: int = 0

    @property
    def service_person_hours(self) -> float:
        """The pieces' work times the people doing it, in hours."""
        return self.service_minutes * self.people / MINUTES_PER_HOUR

    @property
    def setup_person_hours(self) -> float:
        """The setup times the people doing it, in hours."""
        return self.setup_minutes * self.people / MINUTES_PER_HOUR

    @property
    def backlog_person_hours(self) -> float:
        """The backlog's share: its jobs' work, and the setup when the visit is only backlog."""
        setup = self.setup_person_hours if self.jobs and not self.pieces else 0.0
        return self.backlog_minutes * self.people / MINUTES_PER_HOUR + setup


def group_visits(units: Iterable[WorkUnit]) -> list[Visit]:
    """Group units into one visit per place, action and month (setup once, the most people).

    Returns
    -------
    list[Visit]
        Ordered by month, place and action.
    """
    groups: dict[tuple[int, str, str], list[WorkUnit]] = defaultdict(list)
    for unit in units:
        groups[unit.month, unit.place, unit.action].append(unit)
    return [
        Visit(
            place=place,
            action=action,
            month=month,
            pieces=sum(not unit.backlog for unit in group),
            service_minutes=sum(unit.minutes for unit in group),
            setup_minutes=max(unit.setup_minutes for unit in group),
            people=max(unit.people for unit in group),
            point=group[0].point,
            jobs=sum(unit.backlog for unit in group),
            backlog_minutes=sum(unit.minutes for unit in group if unit.backlog),
        )
        for (month, place, action), group in sorted(groups.items())
    ]


def spread_over(count: int, days: Sequence[date]) -> list[date]:
    """Return ``count`` days spread evenly over ``days`` (the team's working days, in order).

    The backlog that has no due date in the year (or is overdue) is worked off evenly over the
    year: the ``i``-th of ``n`` jobs falls on working day ``floor(i * len(days) / n)``, so each
    month takes a share in proportion to its working days. No days: every job on January 1st.
    """
    if not days:
        return [date.min] * count
    return [days[index * len(days) // count] for index in range(count)]


@dataclass(frozen=True)
class MonthSupply:
    """What the team's calendar gives in a month.

    ``working_days``: days at least one crew of the team works; ``hours_per_person``: what one
    person of the team works in the month with nobody away (0: nobody works the month);
    ``available_hours``: person-hours of the members present (absences taken off);
    ``headcount``: the team's people in the month.
    """

    month: int
    working_days: int
    hours_per_person: float
    available_hours: float
    headcount: int


def people_needed(hours: float, hours_per_person: float) -> int:
    """Return the people ``hours`` of work take when each works ``hours_per_person``, rounded up.

    No work needs nobody; work in a month nobody can work (no working days) cannot be staffed,
    which :func:`capacity_rows` reports rather than dividing by zero.
    """
    if hours <= 0:
        return 0
    if hours_per_person <= 0:
        raise InvalidInputError("nobody works that month: people needed is undefined")
    # A hair of tolerance so 150.0000001 h of 7.5-hour days is not one person more.
    return math.ceil(hours / hours_per_person - 1e-9)


@dataclass(frozen=True)
class CapacityRow:
    """One month of the answer: the work, the calendar, and the people it takes."""

    month: int
    visits: int
    pieces: int
    service_hours: float
    setup_hours: float
    travel_hours: float
    backlog_hours: float
    needed_hours: float
    available_hours: float
    working_days: int
    hours_per_person: float
    headcount: int
    people_needed: int | None

    @property
    def gap_hours(self) -> float:
        """Person-hours available less needed (negative: the team is short)."""
        return self.available_hours - self.needed_hours

    @property
    def people_short(self) -> int | None:
        """People needed beyond the team's headcount (0 when it suffices)."""
        return None if self.people_needed is None else max(0, self.people_needed - self.headcount)


def capacity_rows(
    visits: Sequence[Visit], supply: Sequence[MonthSupply], *, travel_minutes_per_visit: float
) -> list[CapacityRow]:
    """Return one row per month: the visits' person-hours (travel included) against the supply.

    ``people_needed`` is ``None`` in a month with work and no working day.
    """
    by_month: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_month[visit.month].append(visit)
    supply_of = {item.month: item for item in supply}
    rows = []
    for month in MONTHS:
        found = by_month.get(month, [])
        month_supply = supply_of.get(month, MonthSupply(month, 0, 0.0, 0.0, 0))
        service = sum(v.service_person_hours for v in found)
        setup = sum(v.setup_person_hours for v in found)
        travel = sum(v.people for v in found) * travel_minutes_per_visit / MINUTES_PER_HOUR
        backlog = sum(v.backlog_person_hours for v in found)
        needed = service + setup + travel
        per_person = month_supply.hours_per_person
        people = None if needed > 0 and per_person <= 0 else people_needed(needed, per_person)
        rows.append(
            CapacityRow(
                month=month,
                visits=len(found),
                pieces=sum(v.pieces for v in found),
                service_hours=service,
                setup_hours=setup,
                travel_hours=travel,
                backlog_hours=backlog,
                needed_hours=needed,
                available_hours=month_supply.available_hours,
                working_days=month_supply.working_days,
                hours_per_person=per_person,
                headcount=month_supply.headcount,
                people_needed=people,
            )
        )
    return rows


def peak(rows: Sequence[CapacityRow]) -> CapacityRow | None:
    """Return the month needing the most people (then hours); ``None`` when nothing is needed."""
    busy = [row for row in rows if row.needed_hours > 0]
    if not busy:
        return None
    return max(busy, key=lambda row: (row.people_needed or 0, row.needed_hours, -row.month))


def month_days(year: int, month: int) -> list[date]:
    """Return every day of a month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def sample_weeks(
    visits_per_month: dict[int, int], working_days: Sequence[date], count: int
) -> list[tuple[date, ...]]:
    """Return ``count`` sample weeks of working days to route: the busiest months' weeks.

    Months are ranked by visits per working day (the days a crew is fullest), the busiest
    first; each sample is one calendar week of working days inside its month, the month's
    middle week first, then the weeks after it. With more samples than busy months the ranking
    starts over with each month's next week.
    """
    weeks_of: dict[int, list[tuple[date, ...]]] = {}
    for month in MONTHS:
        in_month = [day for day in working_days if day.month == month]
        by_week: dict[tuple[int, int], list[date]] = defaultdict(list)
        for day in in_month:
            by_week[day.isocalendar()[:2]].append(day)
        weeks_of[month] = [tuple(days) for _, days in sorted(by_week.items())]
    busy = sorted(
        (month for month, visits in visits_per_month.items() if visits and weeks_of.get(month)),
        key=lambda month: (-visits_per_month[month] / sum(map(len, weeks_of[month])), month),
    )
    chosen: list[tuple[date, ...]] = []
    for index in range(count if busy else 0):
        month = busy[index % len(busy)]
        weeks = weeks_of[month]
        chosen.append(weeks[(len(weeks) // 2 + index // len(busy)) % len(weeks)])
    return chosen
