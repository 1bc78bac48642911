"""Crew calendars: set a crew's week and dates, keep members' absences, read who works which day.

Use cases are ``verb_noun(session, principal, command)``; access rules live in
:mod:`sitecrew.services.scoping` (admins, and planners in their region, write; reads follow the
crew's visibility). The rules deciding whether a crew works a day are in
:mod:`sitecrew.domain.calendars`; :func:`availability_of` applies them for planning too, so a
plan and a calendar view never disagree.

**Overlapping absences** of one member are refused, not merged: two records for one day would
make it unclear which one a later change or removal means, and merging a week of sick leave
into a training course would lose the kind. The message names the absence in the way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.calendars import (
    Absence,
    CrewAvailability,
    WeekPattern,
    crew_day_availability,
    days_between,
)
from sitecrew.domain.crews import AbsenceKind, Crew, check_calendar
from sitecrew.domain.public_holidays import holidays_between
from sitecrew.errors import ConflictError, NotFoundError
from sitecrew.services._persist import check_version, save
from sitecrew.services.regions import get_region_by_ref
from sitecrew.services.scoping import (
    get_calendar_row,
    get_changeable,
    get_visible,
    require_calendar_keeper,
    visible,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class SetCrewCalendar:
    """A crew's whole calendar, as read at ``version``; ``week`` ``None``: Monday to Friday."""

    crew_id: int
    version: int
    week: WeekPattern | None
    active_from: date | None = None
    active_until: date | None = None
    min_members: int = 1
    works_public_holidays: bool = False

    def __post_init__(self) -> None:
        days = None if self.week is None else self.week.days
        check_calendar(days, self.active_from, self.active_until, self.min_members)


@dataclass(frozen=True)
class ChangeAbsence:
    """New days, kind or note of an absence read at ``version``."""

    absence_id: int
    version: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None = None


@dataclass(frozen=True)
class CrewDays:
    """One crew's availability over a span of days."""

    crew: Crew
    days: tuple[CrewAvailability, ...]


def set_crew_calendar(session: Session, principal: Principal, command: SetCrewCalendar) -> Crew:
    """Replace a crew's week, active dates, minimum size and public-holiday rule.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the crew does not exist or lies outside the planner's region.
    ConflictError
        When the crew changed since ``command.version`` was read.
    """
    with transaction(session):
        row = get_calendar_row(session, principal, m.Crew, command.crew_id, action="set calendars")
        check_version(row, command.version, what="crew")
        row.week_pattern = None if command.week is None else command.week.to_json()
        row.active_from = command.active_from
        row.active_until = command.active_until
        row.min_members = command.min_members
        row.works_public_holidays = command.works_public_holidays
        return save(session, row).to_domain()


def add_absence(session: Session, principal: Principal, absence: Absence) -> Absence:
    """Record days a member is away (refused when they overlap another absence of theirs).

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the member does not exist or its crew lies outside the planner's region.
    ConflictError
        When the member already has an absence on one of the days.
    """
    with transaction(session):
        get_calendar_row(session, principal, m.CrewMember, absence.member_id, action="add absences")
        _refuse_overlap(session, absence)
        row = m.MemberAbsence(
            member_id=absence.member_id,
            kind=absence.kind.value,
            starts_on=absence.starts_on,
            ends_on=absence.ends_on,
            note=absence.note,
        )
        return save(session, row).to_domain()


def update_absence(session: Session, principal: Principal, command: ChangeAbsence) -> Absence:
    """Change an absence's days, kind or note (no overlap with the member's other absences).

    Raises
    ------
    PermissionDeniedError, NotFoundError
        As :func:`add_absence`.
    ConflictError
        For a stale version or an overlap.
    InvalidInputError
        When the new days end before they start.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.MemberAbsence, command.absence_id, action="change absences"
        )
        check_version(row, command.version, what="absence")
        get_calendar_row(session, principal, m.CrewMember, row.member_id, action="change absences")
        changed = Absence(
            row.member_id, command.kind, command.starts_on, command.ends_on, command.note, row.id
        )
        _refuse_overlap(session, changed)
        row.kind = changed.kind.value
        row.starts_on, row.ends_on, row.note = changed.starts_on, changed.ends_on, changed.note
        return save(session, row).to_domain()


def remove_absence(session: Session, principal: Principal, absence_id: int, version: int) -> int:
    """Delete an absence read at ``version``; return its id.

    Raises
    ------
    PermissionDeniedError, NotFoundError
        As :func:`add_absence`.
    ConflictError
        When it changed since it was read.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.MemberAbsence, absence_id, action="remove absences", lock=True
        )
        check_version(row, version, what="absence")
        session.delete(row)
        session.flush()
    return absence_id


def _refuse_overlap(session: Session, absence: Absence) -> None:
    query = select(m.MemberAbsence).where(
        m.MemberAbsence.member_id == absence.member_id,
        m.MemberAbsence.starts_on <= absence.ends_on,
        m.MemberAbsence.ends_on >= absence.starts_on,
    )
    if absence.id is not None:
        query = query.where(m.MemberAbsence.id != absence.id)
    other = session.scalars(query.order_by(m.MemberAbsence.starts_on).limit(1)).first()
    if other is not None:
        msg = (
            f"member {absence.member_id} is already away {other.starts_on}..{other.ends_on} "
            f"({other.kind}, absence {other.id}); change that absence or choose other days"
        )
        raise ConflictError(msg)


def list_absences(
    session: Session,
    principal: Principal,
    *,
    crew_id: int | None = None,
    member_id: int | None = None,
    first: date | None = None,
    last: date | None = None,
    limit: int | None = None,
) -> list[Absence]:
    """Return the absences the caller may read, of a crew or member, touching ``first..last``.

    At most ``limit`` of them (by first day) when given: the API caps a crew's list.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews (absences are the workforce's personal data).
    """
    require_calendar_keeper(principal, action="read absences")
    query = select(m.MemberAbsence).where(visible(m.MemberAbsence, principal))
    if member_id is not None:
        query = query.where(m.MemberAbsence.member_id == member_id)
    if crew_id is not None:
        members = select(m.CrewMember.id).where(m.CrewMember.crew_id == crew_id)
        query = query.where(m.MemberAbsence.member_id.in_(members))
    if first is not None:
        query = query.where(m.MemberAbsence.ends_on >= first)
    if last is not None:
        query = query.where(m.MemberAbsence.starts_on <= last)
    order = (m.MemberAbsence.starts_on, m.MemberAbsence.member_id, m.MemberAbsence.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return [row.to_domain() for row in session.scalars(query)]


def crew_availability(
    session: Session,
    principal: Principal,
    *,
    first: date,
    last: date,
    crew_id: int | None = None,
    region: int | str | None = None,
) -> list[CrewDays]:
    """Return, per crew the caller sees (one crew, or a region's), who works each day and why not.

    Raises
    ------
    InvalidInputError
        When the span is reversed or longer than 366 days, or neither crew nor region is given.
    NotFoundError
        When the crew or region does not exist (or the crew is outside the caller's scope).
    PermissionDeniedError
        For roles that may not see crews (contractors).
    """
    days = tuple(days_between(first, last))
    if crew_id is not None:
        rows = [get_visible(session, principal, m.Crew, crew_id)]
    else:
        ref = region if region is not None else ""
        region_id = get_region_by_ref(session, ref, principal=principal).id
        query = select(m.Crew).where(m.Crew.region_id == region_id, visible(m.Crew, principal))
        rows = list(session.scalars(query.order_by(m.Crew.name)))
    found = availability_of(session, rows, days)
    return [CrewDays(row.to_domain(), tuple(found[row.id, day] for day in days)) for row in rows]


def availability_of(
    session: Session, crews: Sequence[m.Crew], days: Sequence[date]
) -> dict[tuple[int, date], CrewAvailability]:
    """Return each crew's availability on each day (trusted: planning and checked reads).

    Members, absences and the regions' holidays are read once for all crews and days.
    """
    crew_ids = [crew.id for crew in crews]
    members: dict[int, list[m.CrewMember]] = defaultdict(list)
    query = select(m.CrewMember).where(m.CrewMember.crew_id.in_(crew_ids))
    for member in session.scalars(query.order_by(m.CrewMember.id)):
        members[member.crew_id].append(member)
    absences = _absences(session, [mem.id for found in members.values() for mem in found], days)
    query_regions = select(m.Region.id, m.Region.country).where(
        m.Region.id.in_({crew.region_id for crew in crews})
    )
    countries: dict[int, str] = dict(session.execute(query_regions).all())
    years = {day.year for day in days}
    holidays = {rid: holidays_between(country or "NO", years) for rid, country in countries.items()}
    result: dict[tuple[int, date], CrewAvailability] = {}
    for crew in crews:
        facts = crew.to_domain()
        roster = [member.to_domain() for member in members[crew.id]]
        away = [a for member in roster for a in absences.get(member.id or 0, ())]
        for day in days:
            result[crew.id, day] = crew_day_availability(
                facts, roster, away, day, holidays[crew.region_id]
            )
    return result


def _absences(
    session: Session, member_ids: Sequence[int], days: Sequence[date]
) -> dict[int, list[Absence]]:
    found: dict[int, list[Absence]] = defaultdict(list)
    if not member_ids or not days:
        return found
    query = select(m.MemberAbsence).where(
        m.MemberAbsence.member_id.in_(member_ids),
        m.MemberAbsence.ends_on >= min(days),
        m.MemberAbsence.starts_on <= max(days),
    )
    for row in session.scalars(query):
        found[row.member_id].append(row.to_domain())
    return found


def list_crews(
    session: Session, principal: Principal, *, region: int | str | None = None
) -> list[Crew]:
    """Return the crews the caller sees, of one region or all, by name.

    Raises
    ------
    NotFoundError
        When the region does not exist.
    PermissionDeniedError
        For roles that may not list crews.
    """
    query = select(m.Crew).where(visible(m.Crew, principal))
    if region is not None:
        region_id = get_region_by_ref(session, region, principal=principal).id
        query = query.where(m.Crew.region_id == region_id)
    return [row.to_domain() for row in session.scalars(query.order_by(m.Crew.name))]


def get_crew_by_ref(session: Session, principal: Principal, ref: str) -> Crew:
    """Return the crew an id (``"12"``) or a name (any case) names, if the caller sees it.

    Raises
    ------
    NotFoundError
        When no visible crew has that id or name.
    """
    text = ref.strip()
    query = select(m.Crew).where(visible(m.Crew, principal))
    if text.isdigit():
        query = query.where(m.Crew.id == int(text))
    else:
        query = query.where(func.lower(m.Crew.name) == text.lower())
    row = session.scalars(query).first()
    if row is None:
        raise NotFoundError(f"no crew {text[:60]!r}; see `sitecrew crew list`")
    return row.to_domain()


def get_absence(session: Session, principal: Principal, absence_id: int) -> Absence:
    """Return an absence the caller may read.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When it does not exist or lies outside the planner's region.
    """
    require_calendar_keeper(principal, action="read absences")
    return get_visible(session, principal, m.MemberAbsence, absence_id).to_domain()
