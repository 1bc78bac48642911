"""Crew calendars in GraphQL: week shifts, absences, days a crew works, a region's holidays.

The resolvers of ``Crew.absences``, ``Crew.availability`` and ``Region.publicHolidays`` live here
(those types name them), so the calendar's API is one module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.domain import calendars as dc
from sitecrew.domain.crews import AbsenceKind
from sitecrew.domain.public_holidays import public_holidays
from sitecrew.services import crew_calendars as service

Info = strawberry.Info[Context, None]
strawberry.enum(AbsenceKind)

#: Most absences one crew's ``absences`` field returns (a crew of ten, each away weekly).
ABSENCES_MAX = 500
#: Most days ``availability`` answers for at once (a leap year).
AVAILABILITY_DAYS_MAX = dc.MAX_DAYS
#: More public holidays than any country has in a year (``publicHolidays``).
HOLIDAYS_MAX = 60
#: Days of a week pattern.
WEEK_DAYS = 7


@strawberry.type(description="A working day's shift, in the region's local time.")
class DayShift:
    start: dt.time
    end: dt.time


@strawberry.input(description="A working day's shift (HH:MM local time); null in the list: off.")
class DayShiftInput:
    start: dt.time
    end: dt.time


@strawberry.type(description="Days a crew member does not work (both ends included).")
class Absence:
    id: strawberry.ID
    member_id: strawberry.ID
    kind: AbsenceKind
    starts_on: dt.date
    ends_on: dt.date
    note: str | None
    version: int = strawberry.field(description="Send it back with a change (stale: Conflict).")

    @classmethod
    def from_domain(cls, absence: dc.Absence) -> Absence:
        """Build from ``domain.calendars.Absence``."""
        return cls(
            id=strawberry.ID(str(absence.id)),
            member_id=strawberry.ID(str(absence.member_id)),
            kind=absence.kind,
            starts_on=absence.starts_on,
            ends_on=absence.ends_on,
            note=absence.note,
            version=absence.version,
        )


@strawberry.type(description="Whether a crew works a day, its shift, and why not when it does not.")
class CrewDay:
    date: dt.date
    works: bool
    reason: str | None = strawberry.field(
        description="Why not: `Sunday: not in the crew's week`, `public holiday: Constitution "
        "Day`, `before the crew starts (2027-01-10)`, `2 of 3 members absent; fewer than the "
        "minimum of 2`, `only trainees present`."
    )
    shift_start: dt.time | None
    shift_end: dt.time | None
    members_present: int = strawberry.field(
        description="Members there that day (0 on days the calendar alone rules out)."
    )
    members_absent: int
    trainee_share: float = strawberry.field(description="Share of trainees among those present.")

    @classmethod
    def from_domain(cls, day: dc.CrewAvailability) -> CrewDay:
        """Build from ``domain.calendars.CrewAvailability``."""
        return cls(
            date=day.day,
            works=day.works,
            reason=day.reason,
            shift_start=day.shift_start,
            shift_end=day.shift_end,
            members_present=len(day.present),
            members_absent=len(day.absent),
            trainee_share=round(day.trainee_share, 4),
        )


@strawberry.type(description="A public holiday of a region's country.")
class PublicHoliday:
    date: dt.date
    name: str


def week_of(crew: Any) -> list[DayShift | None]:
    """Return the crew's week, Monday first (its own pattern, or Monday to Friday at its shift)."""
    pattern = dc.WeekPattern.of_crew(crew)
    return [None if s is None else DayShift(start=s[0], end=s[1]) for s in pattern.days]


WEEK_PATTERN_FIELD = (
    "The working week, Monday first: 7 shifts, null on days off (a crew without a pattern of "
    "its own works Monday to Friday at shiftStart-shiftEnd)."
)
ABSENCES_FIELD = (
    f"Its members' absences touching from..to (at most {ABSENCES_MAX}); admins and the "
    "region's planners only."
)
AVAILABILITY_FIELD = (
    f"Whether the crew works each day from..to (at most {AVAILABILITY_DAYS_MAX} days; more is "
    "InvalidInput), and why not."
)


async def crew_absences(
    root: Any,
    info: Info,
    from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
    to: dt.date | None = None,
) -> list[Absence]:
    """Resolve ``Crew.absences``."""
    found = await info.context.read(
        service.list_absences,
        info.context.user,
        crew_id=int(root.id),
        first=from_,
        last=to,
        limit=ABSENCES_MAX,
    )
    return [Absence.from_domain(a) for a in found]


async def crew_availability(
    root: Any,
    info: Info,
    from_: Annotated[dt.date, strawberry.argument(name="from")],
    to: dt.date,
) -> list[CrewDay]:
    """Resolve ``Crew.availability``."""
    found = await info.context.read(
        service.crew_availability,
        info.context.user,
        first=from_,
        last=to,
        crew_id=int(root.id),
    )
    return [CrewDay.from_domain(day) for crew in found for day in crew.days]


def region_public_holidays(root: Any, year: int) -> list[PublicHoliday]:
    """Resolve ``Region.publicHolidays`` (computed, no database)."""
    found = public_holidays(root.country, year)
    return [PublicHoliday(date=day, name=name) for day, name in found.items()][:HOLIDAYS_MAX]
