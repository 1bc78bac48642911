"""Crew calendars: the working week, the days a crew exists, absences, and whether it works a day.

A crew works a day when all of these hold, checked in this order (the first that fails is the
reason given):

1. the day lies in the crew's active range (``active_from``..``active_until``, both included);
2. its week pattern has a shift on that weekday (no pattern: Monday to Friday at the crew's
   ``shift_start``-``shift_end``);
3. the day is no public holiday of the region's country, unless the crew works public holidays;
4. enough members are present: members with an absence covering the day are away, and fewer
   present than ``min_members`` keeps the crew off;
5. not only trainees are present: a trainee does not work alone.

A crew with no members on record has no roster to check: rules 4 and 5 do not apply and it
works at its nominal size (as crews did before calendars existed).

**Skills on a day.** ``Crew.skills`` is the crew's set; members list skills too. A skill that
some member lists but no present member does is lost for the day (the only welder is sick, so
no welding); a skill no member lists (the van, a crew-level certificate) stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sitecrew.domain.crews import (
    WEEKDAY_NAMES,
    AbsenceKind,
    Crew,
    CrewMember,
    CrewRole,
    Skill,
    check_calendar,
)
from sitecrew.domain.rules import optional_notes, require_plausible_date
from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

Shift = tuple[time, time]
#: Weekday abbreviations as people type them in patterns ("mon-fri 07:30-15:30").
DAY_ABBREVIATIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_PATTERN_PART = re.compile(
    r"\s*(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?)\s+(?P<start>\S+)\s*-\s*(?P<end>\S+)\s*"
)
#: Longest span a calendar answers for at once (a year and a day: every day of a leap year).
MAX_DAYS = 366


def parse_hhmm(text: object, what: str) -> time:
    """Return the time of day ``text`` names as ``HH:MM`` (24-hour clock).

    Raises
    ------
    InvalidInputError
        For anything else, naming ``what``.
    """
    match = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidInputError(f"{what} must be HH:MM (24-hour), got {str(text)[:20]!r}")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class WeekPattern:
    """A crew's working week, Monday first: a shift or ``None`` (off) per weekday."""

    days: tuple[Shift | None, ...]

    def __post_init__(self) -> None:
        check_calendar(self.days, None, None, 1)

    @classmethod
    def weekdays(cls, start: time, end: time) -> WeekPattern:
        """Return Monday to Friday at ``start``-``end`` (a crew without a pattern of its own)."""
        return cls(((start, end),) * 5 + (None, None))

    @classmethod
    def of_crew(cls, crew: Crew) -> WeekPattern:
        """Return the crew's own pattern, or Monday to Friday at its shift."""
        if crew.week_pattern is None:
            return cls.weekdays(crew.shift_start, crew.shift_end)
        return cls(crew.week_pattern)

    @classmethod
    def from_json(cls, value: object) -> WeekPattern:
        """Parse the stored form: seven entries, each ``["HH:MM", "HH:MM"]`` or ``null``.

        Raises
        ------
        InvalidInputError
            For any other shape, a malformed time, or a shift that does not end after it starts.
        """
        if not isinstance(value, list | tuple) or len(value) != len(WEEKDAY_NAMES):
            raise InvalidInputError("a week pattern is a list of 7 days, Monday first")
        days: list[Shift | None] = []
        for name, entry in zip(WEEKDAY_NAMES, value, strict=True):
            if entry is None:
                days.append(None)
                continue
            if not isinstance(entry, list | tuple) or len(entry) != 2:  # noqa: PLR2004
                raise InvalidInputError(f"{name}: a shift is [start, end] or null (off)")
            start = parse_hhmm(entry[0], f"{name} start")
            days.append((start, parse_hhmm(entry[1], f"{name} end")))
        return cls(tuple(days))

    @classmethod
    def parse(cls, text: str) -> WeekPattern:
        """Parse the typed form ``"mon-fri 07:30-15:30, sat 09:00-13:00"``; other days are off.

        Raises
        ------
        InvalidInputError
            For an unknown day, a malformed part, or a day named twice.
        """
        days: list[Shift | None] = [None] * 7
        named: set[int] = set()
        for part in text.lower().split(","):
            match = _PATTERN_PART.fullmatch(part)
            if match is None:
                msg = f"cannot read {part.strip()[:40]!r}: write e.g. 'mon-fri 07:30-15:30'"
                raise InvalidInputError(msg)
            shift = (parse_hhmm(match["start"], "start"), parse_hhmm(match["end"], "end"))
            for index in _day_range(match["days"]):
                if index in named:
                    raise InvalidInputError(f"{WEEKDAY_NAMES[index]} is named twice")
                named.add(index)
                days[index] = shift
        return cls(tuple(days))

    def to_json(self) -> list[list[str] | None]:
        """Return the stored form (see :meth:`from_json`)."""
        return [None if s is None else [f"{s[0]:%H:%M}", f"{s[1]:%H:%M}"] for s in self.days]

    def describe(self) -> str:
        """Return the typed form, consecutive days with the same shift joined (``mon-fri``)."""
        parts: list[str] = []
        index = 0
        while index < len(self.days):
            shift, last = self.days[index], index
            while last + 1 < len(self.days) and self.days[last + 1] == shift:
                last += 1
            if shift is not None:
                days = DAY_ABBREVIATIONS[index]
                if last > index:
                    days += f"-{DAY_ABBREVIATIONS[last]}"
                parts.append(f"{days} {shift[0]:%H:%M}-{shift[1]:%H:%M}")
            index = last + 1
        return ", ".join(parts) or "off every day"

    def shift_on(self, day: date) -> Shift | None:
        """Return the shift of ``day``'s weekday, ``None`` when the crew is off."""
        return self.days[day.weekday()]


def _day_range(text: str) -> range:
    names = [name.strip() for name in text.split("-")]
    unknown = [name for name in names if name not in DAY_ABBREVIATIONS]
    if unknown:
        known = ", ".join(DAY_ABBREVIATIONS)
        raise InvalidInputError(f"unknown day {unknown[0]!r}; days are {known}")
    first, last = DAY_ABBREVIATIONS.index(names[0]), DAY_ABBREVIATIONS.index(names[-1])
    if last < first:
        raise InvalidInputError(f"{text!r} runs backwards; write the week Monday first")
    return range(first, last + 1)


@dataclass(frozen=True)
class Absence:
    """Days (both ends included) a member does not work: sick, leave, training, other."""

    member_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_plausible_date(self.starts_on, "absence start")
        require_plausible_date(self.ends_on, "absence end")
        if self.ends_on < self.starts_on:
            msg = f"an absence must not end ({self.ends_on}) before it starts ({self.starts_on})"
            raise InvalidInputError(msg)
        optional_notes(self.note, "absence note")

    def covers(self, day: date) -> bool:
        """Return whether the member is away on ``day``."""
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, other: Absence) -> bool:
        """Return whether the two absences share a day."""
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


def days_between(first: date, last: date) -> Iterator[date]:
    """Yield every day from ``first`` to ``last``, both included, at most :data:`MAX_DAYS`.

    Raises
    ------
    InvalidInputError
        When ``last`` is before ``first`` or the span is longer than :data:`MAX_DAYS` days.
    """
    require_plausible_date(first, "from")
    require_plausible_date(last, "to")
    if last < first:
        raise InvalidInputError(f"the range ends ({last}) before it starts ({first})")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise InvalidInputError(f"ask for at most {MAX_DAYS} days at once, not {count}")
    return (first + timedelta(days=n) for n in range(count))


@dataclass(frozen=True)
class CrewAvailability:
    """Whether a crew works a day, why not, its shift, and who is there.

    ``trainee_share`` is the share of trainees among the members present (0 without a
    roster); ``skills`` the crew's skills that day (see the module text).
    """

    day: date
    works: bool
    reason: str | None = None
    shift: Shift | None = None
    present: tuple[CrewMember, ...] = ()
    absent: tuple[CrewMember, ...] = ()
    trainee_share: float = 0.0
    skills: frozenset[Skill] = field(default_factory=frozenset)

    @property
    def shift_start(self) -> time | None:
        """When the crew starts that day (``None`` when off)."""
        return None if self.shift is None else self.shift[0]

    @property
    def shift_end(self) -> time | None:
        """When the crew ends that day (``None`` when off)."""
        return None if self.shift is None else self.shift[1]


def crew_day_availability(
    crew: Crew,
    members: Sequence[CrewMember],
    absences: Sequence[Absence],
    day: date,
    holidays: Mapping[date, str],
) -> CrewAvailability:
    """Return whether ``crew`` works ``day`` (see the module text for the rules and their order).

    Parameters
    ----------
    crew
        The crew, with its calendar facts.
    members
        Its members (all of them; absent ones are told apart here).
    absences
        Absences of those members (others are ignored), any days.
    day
        The service day.
    holidays
        Public holidays of the crew's region, by date (at least ``day``'s year).

    Returns
    -------
    CrewAvailability
        ``works`` with the shift and who is present, or the first reason it does not.
    """
    off = _calendar_reason(crew, day, holidays)
    if off is not None:
        return CrewAvailability(day, works=False, reason=off)
    shift = WeekPattern.of_crew(crew).shift_on(day)
    away_ids = {a.member_id for a in absences if a.covers(day)}
    present = tuple(m for m in members if m.id not in away_ids)
    absent = tuple(m for m in members if m.id in away_ids)
    trainees = sum(m.role is CrewRole.TRAINEE for m in present)
    share = trainees / len(present) if present else 0.0
    reason = _roster_reason(crew, members, present, trainees)
    works = reason is None
    return CrewAvailability(
        day,
        works=works,
        reason=reason,
        shift=shift if works else None,
        present=present,
        absent=absent,
        trainee_share=share,
        skills=skills_present(crew.skills, members, present) if works else frozenset(),
    )


def _calendar_reason(crew: Crew, day: date, holidays: Mapping[date, str]) -> str | None:
    if crew.active_from is not None and day < crew.active_from:
        return f"before the crew starts ({crew.active_from})"
    if crew.active_until is not None and day > crew.active_until:
        return f"after the crew's last day ({crew.active_until})"
    if WeekPattern.of_crew(crew).shift_on(day) is None:
        return f"{WEEKDAY_NAMES[day.weekday()]}: not in the crew's week"
    if day in holidays and not crew.works_public_holidays:
        return f"public holiday: {holidays[day]}"
    return None


def _roster_reason(
    crew: Crew, members: Sequence[CrewMember], present: Sequence[CrewMember], trainees: int
) -> str | None:
    if not members:
        return None
    if len(present) < crew.min_members:
        away = len(members) - len(present)
        return (
            f"{away} of {len(members)} members absent; "
            f"fewer than the minimum of {crew.min_members}"
        )
    if trainees == len(present):
        return "only trainees present"
    return None


def skills_present(
    crew_skills: frozenset[Skill], members: Sequence[CrewMember], present: Sequence[CrewMember]
) -> frozenset[Skill]:
    """Return the crew's skills on a day: those only absent members hold are lost."""
    held_by_members = frozenset().union(*(m.skills for m in members))
    held_today = frozenset().union(*(m.skills for m in present))
    return frozenset(s for s in crew_skills if s not in held_by_members or s in held_today)
