"""Mutations on crew calendars: a crew's week and dates, members' absences.

Access (admins, and planners in the crew's region), validation and the write happen in
``services/crew_calendars.py``; ``returns_problems`` turns its expected errors into payload
members (a stale version or an overlapping absence is a Conflict).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Deleted,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.types.calendars import Absence, DayShiftInput
from sitecrew.api.types.work import Crew
from sitecrew.domain import calendars as dc
from sitecrew.domain.crews import AbsenceKind
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError
from sitecrew.services import crew_calendars as service

Info = strawberry.Info[Context, None]
CrewCalendarPayload = Annotated[
    Crew | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("CrewCalendarPayload")
]
AbsencePayload = Annotated[
    Absence | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("AbsencePayload")
]
RemoveAbsencePayload = Annotated[
    Deleted | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("RemoveAbsencePayload"),
]
_VERSION = "The version you last read (a stale one is a Conflict)."


@strawberry.input(description="A crew's whole calendar; fields left out take their defaults.")
class SetCrewCalendarInput:
    crew_id: strawberry.ID
    version: int = strawberry.field(description=_VERSION)
    week_pattern: list[DayShiftInput | None] | None = strawberry.field(
        default=None,
        description="7 days, Monday first, null on days off; null (the list): Monday to "
        "Friday at the crew's shiftStart-shiftEnd.",
    )
    active_from: dt.date | None = None
    active_until: dt.date | None = None
    min_members: int = 1
    works_public_holidays: bool = False


@strawberry.input(description="Days a member does not work, both ends included.")
class AddAbsenceInput:
    member_id: strawberry.ID
    kind: AbsenceKind
    starts_on: dt.date
    ends_on: dt.date
    note: str | None = None


@strawberry.input
class UpdateAbsenceInput:
    id: strawberry.ID
    version: int = strawberry.field(description=_VERSION)
    kind: AbsenceKind
    starts_on: dt.date
    ends_on: dt.date
    note: str | None = None


@strawberry.input
class RemoveAbsenceInput:
    id: strawberry.ID
    version: int = strawberry.field(description=_VERSION)


def _week(days: list[DayShiftInput | None] | None) -> dc.WeekPattern | None:
    if days is None:
        return None
    if len(days) != len(dc.DAY_ABBREVIATIONS):
        raise InvalidInputError(f"weekPattern has 7 days (Monday first), got {len(days)}")
    return dc.WeekPattern(tuple(None if d is None else (d.start, d.end) for d in days))


def _calendar_command(data: SetCrewCalendarInput) -> service.SetCrewCalendar:
    return service.SetCrewCalendar(
        parse_id(data.crew_id, "crew"),
        data.version,
        _week(data.week_pattern),
        data.active_from,
        data.active_until,
        data.min_members,
        data.works_public_holidays,
    )


@strawberry.type
class CalendarMutations:
    @strawberry.mutation(
        description="Set a crew's week, active dates, minimum size and public-holiday rule "
        "(admins; planners in the crew's region). A stale version is a Conflict."
    )
    @returns_problems
    async def set_crew_calendar(
        self, info: Info, input: SetCrewCalendarInput
    ) -> CrewCalendarPayload:
        command = _calendar_command(input)
        crew = await info.context.write(service.set_crew_calendar, info.context.user, command)
        return Crew.from_domain(crew)

    @strawberry.mutation(
        description="Record days a crew member is away; overlapping another absence of theirs "
        "is a Conflict naming it."
    )
    @returns_problems
    async def add_absence(self, info: Info, input: AddAbsenceInput) -> AbsencePayload:
        absence = dc.Absence(
            parse_id(input.member_id, "member"),
            input.kind,
            input.starts_on,
            input.ends_on,
            input.note,
        )
        stored = await info.context.write(service.add_absence, info.context.user, absence)
        return Absence.from_domain(stored)

    @strawberry.mutation(description="Change an absence; a stale version or overlap: Conflict.")
    @returns_problems
    async def update_absence(self, info: Info, input: UpdateAbsenceInput) -> AbsencePayload:
        command = service.ChangeAbsence(
            parse_id(input.id, "absence"),
            input.version,
            input.kind,
            input.starts_on,
            input.ends_on,
            input.note,
        )
        stored = await info.context.write(service.update_absence, info.context.user, command)
        return Absence.from_domain(stored)

    @strawberry.mutation(description="Delete an absence; a stale version is a Conflict.")
    @returns_problems
    async def remove_absence(self, info: Info, input: RemoveAbsenceInput) -> RemoveAbsencePayload:
        absence_id = parse_id(input.id, "absence")
        await info.context.write(
            service.remove_absence, info.context.user, absence_id, input.version
        )
        return Deleted(id=input.id)
