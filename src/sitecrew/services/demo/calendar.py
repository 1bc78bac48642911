"""The demo's days: which day it plans, and the care teams' calendar of due work.

**The plan day.** Without ``--date`` the demo centres on the *next working day*: the first
Monday to Friday strictly after today in the region's time zone that is no public holiday of the
region's country (Friday, Saturday and Sunday all lead to Monday; Monday leads to Tuesday; the
Friday before Whit Monday leads to the Tuesday after it), as the crews' calendars have it. A
planner plans tomorrow's routes today, so a demo loaded now shows routes a crew will drive on a
real day, and a crew token sees its tenants' contacts on that day. Care work and bookings are
spread over the same working days.

**The care calendar.** Furniture that needs care piles up faster than two care teams can work
it off, and a day whose due list is three times what its crews can do looks like a broken
planner. So the demo's owner keeps a calendar, as a maintenance planner would: the most overdue
(then most urgent) work first, each working day filled up to what the care teams can do
(:class:`CareRoom`). Work that lands on the plan day keeps the date it fell due (it shows as
overdue); work that lands later is due on the day the calendar gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sitecrew.domain.public_holidays import public_holidays

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

#: Monday to Friday (``date.weekday()`` 0 to 4).
WORKING_WEEKDAYS = frozenset(range(5))
#: The demo region's country, whose public holidays nobody works.
DEMO_COUNTRY = "NO"


def next_working_day(today: date, *, country: str = DEMO_COUNTRY) -> date:
    """Return the first Monday to Friday strictly after ``today`` that is no public holiday."""
    return next(working_days_from(today + timedelta(days=1), country=country))


def working_days_from(first: date, *, country: str = DEMO_COUNTRY) -> Iterator[date]:
    """Yield every working day from ``first`` (itself included when it is one) onwards.

    A working day is Monday to Friday and no public holiday of ``country``.
    """
    day = first
    while True:
        if day.weekday() in WORKING_WEEKDAYS and day not in public_holidays(country, day.year):
            yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class CareJob:
    """What the calendar needs to know of one piece of due furniture care."""

    due_on: date
    priority: int
    minutes: float
    setup_minutes: float
    site_id: int
    noisy_at_school: bool


@dataclass
class CareRoom:
    """What the care teams together can still take on one working day.

    ``minutes`` is shared by all work; ``quiet_minutes`` (after school hours) bounds noisy work
    at schoolyards as well; ``jobs`` is the crews' job limit; a site already visited that day
    costs no further setup or travel.
    """

    minutes: float
    quiet_minutes: float
    jobs: int
    hop_minutes: float
    sites: set[int] = field(default_factory=set)

    def cost(self, job: CareJob) -> float:
        """Return the minutes ``job`` adds to this day."""
        arriving = 0.0 if job.site_id in self.sites else job.setup_minutes + self.hop_minutes
        return job.minutes + arriving

    def fits(self, job: CareJob) -> bool:
        """Return whether the day still has room for ``job``."""
        cost = self.cost(job)
        quiet = cost <= self.quiet_minutes if job.noisy_at_school else True
        return self.jobs > 0 and cost <= self.minutes and quiet

    def take(self, job: CareJob) -> None:
        """Book ``job`` on this day."""
        cost = self.cost(job)
        self.minutes -= cost
        self.jobs -= 1
        if job.noisy_at_school:
            self.quiet_minutes -= cost
        self.sites.add(job.site_id)


def care_calendar(
    jobs: Sequence[CareJob], *, plan_day: date, room: Callable[[], CareRoom]
) -> list[date]:
    """Return the due date of each job once the calendar has spread the work over working days.

    Parameters
    ----------
    jobs
        The furniture care to schedule, with the dates it fell (or falls) due.
    plan_day
        The first day of the calendar; nothing is booked before it.
    room
        Makes one working day's room (a fresh :class:`CareRoom` per day).

    Returns
    -------
    list of date
        In the order of ``jobs``: the date the job fell due when it lands on the plan day,
        otherwise the working day it lands on (never before the date it falls due). A job larger
        than a whole day's room lands alone on the first day with nothing else booked, where the
        route planner says why no crew can do it.
    """
    days: dict[date, CareRoom] = {}
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i].due_on, -jobs[i].priority, i))
    dates = [plan_day] * len(jobs)
    for index in order:
        job = jobs[index]
        for day in working_days_from(max(job.due_on, plan_day)):
            today = days.setdefault(day, room())
            if today.fits(job) or not today.sites:
                today.take(job)
                break
        dates[index] = job.due_on if day == plan_day else day
    return dates
