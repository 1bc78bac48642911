"""The care team of a region and what its calendar gives per month (team capacity's supply).

**The team** is the region's crews that can do the care work: those holding every skill of at
least one plan in force there (the media-box installers of a housing company are not the care
team). When no plan names a skill, every crew of the region counts.

**Supply** follows the crews' calendars as planning does (:func:`availability_of`: week pattern,
active dates, public holidays, absences, minimum members): on each day a crew works, each
member present works the net shift (shift less lunch). A crew with no roster counts its minimum
members. ``hours_per_person`` is the month's person-hours with nobody away over the headcount,
so absences lower what is available, not what one person is expected to work; a region without
a team is measured against a default crew's calendar (Monday to Friday, 07:30-15:30, half an
hour's lunch), so people needed still has a meaning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.calendars import crew_day_availability, days_between
from sitecrew.domain.care_capacity import MINUTES_PER_HOUR, MonthSupply
from sitecrew.domain.crews import Crew, CrewMember
from sitecrew.domain.public_holidays import holidays_between
from sitecrew.services.crew_calendars import availability_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.orm import Session

    from sitecrew.domain.calendars import CrewAvailability
    from sitecrew.domain.crews import Skill


@dataclass(frozen=True)
class Team:
    """The crews of the team (database rows), their rosters, and the skills they hold."""

    crews: tuple[m.Crew, ...]
    rosters: dict[int, tuple[CrewMember, ...]]

    @property
    def names(self) -> tuple[str, ...]:
        """The crews' names."""
        return tuple(crew.name for crew in self.crews)

    @property
    def ids(self) -> frozenset[int]:
        """The crews' ids."""
        return frozenset(crew.id for crew in self.crews)

    def can_do(self, skills: frozenset[Skill]) -> bool:
        """Tell whether some crew of the team holds every one of ``skills``.

        Without a team, nothing says whose work it is: every job counts as the team's.
        """
        return not self.crews or any(skills <= held for held in self.skill_sets)

    @cached_property
    def skill_sets(self) -> tuple[frozenset[Skill], ...]:
        """Each crew's skills."""
        return tuple(crew.to_domain().skills for crew in self.crews)

    def people(self, crew: m.Crew) -> int:
        """Return the crew's people: its roster, or its minimum members without one."""
        return len(self.rosters.get(crew.id, ())) or crew.min_members


def care_team(session: Session, region_id: int, skill_sets: Iterable[frozenset[Skill]]) -> Team:
    """Return the region's crews that hold every skill of one of ``skill_sets`` (see module)."""
    wanted = [skills for skills in skill_sets if skills]
    rows = list(
        session.scalars(select(m.Crew).where(m.Crew.region_id == region_id).order_by(m.Crew.id))
    )
    chosen = tuple(
        row for row in rows if not wanted or any(s <= row.to_domain().skills for s in wanted)
    )
    rosters: dict[int, list[CrewMember]] = defaultdict(list)
    if chosen:
        query = select(m.CrewMember).where(m.CrewMember.crew_id.in_([c.id for c in chosen]))
        for member in session.scalars(query.order_by(m.CrewMember.id)):
            rosters[member.crew_id].append(member.to_domain())
    return Team(chosen, {crew_id: tuple(found) for crew_id, found in rosters.items()})


def month_supply(
    session: Session, team: Team, *, region_id: int, country: str, year: int
) -> list[MonthSupply]:
    """Return the team's calendar per month of ``year`` (see the module text)."""
    days = list(days_between(date(year, 1, 1), date(year, 12, 31)))
    holidays = holidays_between(country, [year])
    present = availability_of(session, list(team.crews), days)
    nominal: dict[int, float] = defaultdict(float)
    available: dict[int, float] = defaultdict(float)
    working: dict[int, set[date]] = defaultdict(set)
    heads: dict[int, dict[int, int]] = defaultdict(dict)
    for crew in team.crews:
        facts = crew.to_domain()
        roster = team.rosters.get(crew.id, ())
        for day in days:
            usual = crew_day_availability(facts, roster, [], day, holidays)
            if not usual.works:
                continue
            hours = net_shift_hours(facts, usual)
            working[day.month].add(day)
            heads[day.month][crew.id] = team.people(crew)
            nominal[day.month] += hours * team.people(crew)
            today = present[crew.id, day]
            if today.works:
                available[day.month] += hours * (len(today.present) or crew.min_members)
    if not team.crews:
        return _reference_supply(region_id, days, holidays)
    return [
        MonthSupply(
            month=month,
            working_days=len(working[month]),
            hours_per_person=nominal[month] / sum(heads[month].values()) if heads[month] else 0.0,
            available_hours=available[month],
            headcount=sum(heads[month].values()),
        )
        for month in range(1, 13)
    ]


def team_working_days(team: Team, *, region_id: int, country: str, year: int) -> list[date]:
    """Return the days of ``year`` the team works as usual (nobody away), in order.

    A region without a team uses the default crew's calendar (see the module text).
    """
    days = list(days_between(date(year, 1, 1), date(year, 12, 31)))
    holidays = holidays_between(country, [year])
    crews = [crew.to_domain() for crew in team.crews] or [_reference_crew(region_id)]
    rosters = [team.rosters.get(crew.id or 0, ()) for crew in crews]
    return [
        day
        for day in days
        if any(
            crew_day_availability(crew, roster, [], day, holidays).works
            for crew, roster in zip(crews, rosters, strict=True)
        )
    ]


def net_shift_hours(crew: Crew, day: CrewAvailability) -> float:
    """Return the hours one person works in the crew's shift that day, lunch taken off."""
    if day.shift is None:
        return 0.0
    start, end = (datetime.combine(day.day, moment) for moment in day.shift)
    minutes = (end - start).total_seconds() / 60
    if minutes > crew.lunch_minutes:
        minutes -= crew.lunch_minutes
    return minutes / MINUTES_PER_HOUR


def _reference_crew(region_id: int) -> Crew:
    return Crew("reference crew", region_id, 0)


def _reference_supply(
    region_id: int, days: Sequence[date], holidays: dict[date, str]
) -> list[MonthSupply]:
    crew = _reference_crew(region_id)
    hours: dict[int, float] = defaultdict(float)
    worked: dict[int, int] = defaultdict(int)
    for day in days:
        usual = crew_day_availability(crew, [], [], day, holidays)
        if usual.works:
            hours[day.month] += net_shift_hours(crew, usual)
            worked[day.month] += 1
    return [MonthSupply(month, worked[month], hours[month], 0.0, 0) for month in range(1, 13)]
