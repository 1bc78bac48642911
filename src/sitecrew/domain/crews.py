"""Depots, crews and their members: who can do which work, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from shapely.geometry import Point

from sitecrew.domain import limits
from sitecrew.domain.geo import validate_point
from sitecrew.domain.rules import (
    optional_text,
    require_plausible_date,
    require_range,
    require_text,
)
from sitecrew.errors import InvalidInputError


class Skill(StrEnum):
    """What a crew member is trained to do; jobs require skills."""

    OILING = "oiling"
    CARPENTRY = "carpentry"
    WELDING = "welding"
    FURNITURE_INSTALLATION = "furniture_installation"
    INSPECTION = "inspection"
    MEDIA_BOX = "media_box"
    DRIVING = "driving"


class AbsenceKind(StrEnum):
    """Why a crew member is away (training: e.g. the installers' course before they start)."""

    SICK = "sick"
    LEAVE = "leave"
    TRAINING = "training"
    OTHER = "other"


class CrewRole(StrEnum):
    """A member's role in a crew; trainees make a crew slower."""

    LEAD = "lead"
    MEMBER = "member"
    TRAINEE = "trainee"


def parse_skills(values: object) -> frozenset[Skill]:
    """Return the skills named in ``values`` (an iterable of strings).

    Raises
    ------
    InvalidInputError
        Naming the first unknown skill and listing the known ones.
    """
    if not isinstance(values, list | tuple | set | frozenset):
        raise InvalidInputError("skills must be a list of skill names")
    skills: set[Skill] = set()
    for value in values:
        try:
            skills.add(Skill(value))
        except ValueError:
            known = ", ".join(skill.value for skill in Skill)
            raise InvalidInputError(f"unknown skill {value!r}; known: {known}") from None
    return frozenset(skills)


@dataclass(frozen=True)
class Depot:
    """Where a crew's day starts and ends (workshop, van parking)."""

    name: str
    region_id: int
    location: Point
    address: str | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "depot name")
        optional_text(self.address, "depot address", max_length=limits.ADDRESS_MAX)
        validate_point(self.location, what="depot location")


@dataclass(frozen=True)
class Crew:
    """A team that travels together and is routed as one vehicle."""

    name: str
    region_id: int
    depot_id: int
    shift_start: time = time(7, 30)
    shift_end: time = time(15, 30)
    lunch_minutes: int = 30
    lunch_earliest: time = time(11, 0)
    lunch_latest: time = time(13, 0)
    max_jobs_per_day: int = 20
    skills: frozenset[Skill] = frozenset()
    organisation_id: int | None = None
    id: int | None = None
    version: int = 1
    #: The working week, Monday first: a (start, end) shift or ``None`` (off) per weekday.
    #: ``None`` means Monday to Friday at ``shift_start``-``shift_end`` (see domain.calendars).
    week_pattern: tuple[tuple[time, time] | None, ...] | None = None
    #: The first and last day the crew exists (both included; ``None``: open).
    active_from: date | None = None
    active_until: date | None = None
    #: Fewer members present than this and the crew does not work that day.
    min_members: int = 1
    works_public_holidays: bool = False

    def __post_init__(self) -> None:
        require_text(self.name, "crew name")
        if self.shift_end <= self.shift_start:
            raise InvalidInputError("a crew's shift must end after it starts")
        if self.lunch_latest < self.lunch_earliest:
            raise InvalidInputError("lunch window must end after it starts")
        require_range(self.lunch_minutes, "lunch minutes", low=0, high=120)
        require_range(self.max_jobs_per_day, "max jobs per day", low=1, high=500)
        check_calendar(self.week_pattern, self.active_from, self.active_until, self.min_members)


#: Most members a crew can require to be present (larger teams are split into crews).
MIN_MEMBERS_MAX = 100
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check_calendar(
    week: tuple[tuple[time, time] | None, ...] | None,
    active_from: date | None,
    active_until: date | None,
    min_members: int,
) -> None:
    """Raise unless a crew's calendar facts are consistent (see :class:`Crew`).

    Raises
    ------
    InvalidInputError
        For a week of other than seven days, a shift that does not end after it starts, an
        active range that ends before it starts, or a minimum size outside 1-100.
    """
    if week is not None:
        if len(week) != len(WEEKDAY_NAMES):
            raise InvalidInputError(f"a week pattern has 7 days (Monday first), got {len(week)}")
        for name, shift in zip(WEEKDAY_NAMES, week, strict=True):
            if shift is not None and shift[1] <= shift[0]:
                shown = f"{shift[0]:%H:%M}-{shift[1]:%H:%M}"
                msg = f"{name}: the shift must end after it starts ({shown})"
                raise InvalidInputError(msg)
    if active_from is not None:
        require_plausible_date(active_from, "active from")
    if active_until is not None:
        require_plausible_date(active_until, "active until")
    if active_from is not None and active_until is not None and active_until < active_from:
        msg = f"a crew's active range ends ({active_until}) before it starts ({active_from})"
        raise InvalidInputError(msg)
    require_range(min_members, "minimum members", low=1, high=MIN_MEMBERS_MAX)


@dataclass(frozen=True)
class CrewMember:
    """A person in a crew; contact details are the member's own."""

    crew_id: int
    name: str
    role: CrewRole = CrewRole.MEMBER
    skills: frozenset[Skill] = frozenset()
    training_completed_on: date | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "member name")
