"""Crew calendars: the rules for who works which day, and the use cases that keep calendars."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from tests.helpers import make_world

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.calendars import (
    Absence,
    WeekPattern,
    crew_day_availability,
    days_between,
    skills_present,
)
from sitecrew.domain.crews import AbsenceKind, Crew, CrewMember, CrewRole, Skill
from sitecrew.domain.public_holidays import public_holidays
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services import crew_calendars as service
from sitecrew.services import crews

NO_HOLIDAYS_2026 = public_holidays("NO", 2026)
MONDAY = date(2026, 6, 1)
ADMIN = Principal(Role.ADMIN)

CREW = Crew("Installers", 1, 1, shift_start=time(8), shift_end=time(16), id=7)
LEAD = CrewMember(7, "Kari", CrewRole.LEAD, frozenset({Skill.MEDIA_BOX}), id=1)
WELDER = CrewMember(7, "Ola", CrewRole.MEMBER, frozenset({Skill.WELDING}), id=2)
TRAINEE = CrewMember(7, "Per", CrewRole.TRAINEE, frozenset(), id=3)


def _away(member: CrewMember, first: date, last: date | None = None) -> Absence:
    return Absence(member.id or 0, AbsenceKind.SICK, first, last or first)


def _on(day: date, crew: Crew = CREW, members=(LEAD, WELDER, TRAINEE), absences=()):
    return crew_day_availability(crew, list(members), list(absences), day, NO_HOLIDAYS_2026)


# --- the week ------------------------------------------------------------------------------


def test_pattern_reads_as_typed_when_parsed():
    """'mon-fri 07:30-15:30, sat 09:00-13:00' is five weekday shifts, a short Saturday, Sunday off."""
    week = WeekPattern.parse("mon-fri 07:30-15:30, sat 09:00-13:00")
    assert week.days[0] == (time(7, 30), time(15, 30))
    assert week.days[5] == (time(9), time(13))
    assert week.days[6] is None
    assert week.describe() == "mon-fri 07:30-15:30, sat 09:00-13:00"
    assert WeekPattern.from_json(week.to_json()) == week


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri 15:30-07:30", "must end after it starts"),
        ("mon-fri 7:30-15:30", "HH:MM"),
        ("mon-fri 07:30-15:30, fri 09:00-12:00", "Friday is named twice"),
        ("fri-mon 07:00-12:00", "runs backwards"),
        ("moonday 07:00-12:00", "cannot read"),
        ("xyz 07:00-12:00", "unknown day 'xyz'"),
    ],
)
def test_pattern_is_refused_with_the_reason_when_malformed(text, message):
    """Every malformed pattern is refused, saying what is wrong."""
    with pytest.raises(InvalidInputError, match=message):
        WeekPattern.parse(text)


def test_stored_pattern_is_refused_when_not_seven_days():
    """The JSON form has exactly seven entries, Monday first."""
    with pytest.raises(InvalidInputError, match="7 days"):
        WeekPattern.from_json([["07:00", "15:00"]] * 6)
    with pytest.raises(InvalidInputError, match="Tuesday start"):
        WeekPattern.from_json([None, ["7", "15:00"], None, None, None, None, None])


def test_crew_without_pattern_works_monday_to_friday_at_its_shift():
    """No pattern of its own: Monday to Friday, at shift_start-shift_end."""
    week = WeekPattern.of_crew(CREW)
    assert week.describe() == "mon-fri 08:00-16:00"


# --- who works which day ---------------------------------------------------------------------


def test_crew_works_a_weekday_with_its_shift_and_everyone_present():
    """A full crew on a Monday works its shift; a third of those present are trainees."""
    day = _on(MONDAY)
    assert day.works
    assert day.reason is None
    assert (day.shift_start, day.shift_end) == (time(8), time(16))
    assert day.trainee_share == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 6, 7), "Sunday: not in the crew's week"),
        (date(2026, 5, 14), "public holiday: Ascension Day"),
        (date(2026, 5, 25), "public holiday: Pentecost Monday"),
        (date(2026, 12, 25), "public holiday: Christmas Day"),
    ],
)
def test_crew_is_off_on_sundays_and_norwegian_public_holidays(day, reason):
    """The week and the country's holidays keep a crew home, saying why."""
    found = _on(day)
    assert not found.works
    assert found.reason == reason
    assert found.shift is None


def test_crew_works_a_public_holiday_when_it_says_so():
    """works_public_holidays lets the crew work Ascension Day (a Thursday)."""
    assert _on(date(2026, 5, 14), replace(CREW, works_public_holidays=True)).works


def test_sunday_in_the_week_is_worked_when_the_pattern_has_it():
    """A weekend pattern makes Sunday a working day, with Sunday's own shift."""
    weekend = replace(CREW, week_pattern=WeekPattern.parse("sat-sun 10:00-14:00").days)
    sunday = _on(date(2026, 6, 7), weekend)
    assert sunday.works
    assert sunday.shift == (time(10), time(14))
    assert _on(MONDAY, weekend).reason == "Monday: not in the crew's week"


def test_crew_is_off_outside_its_active_dates():
    """Before active_from and after active_until the crew does not exist."""
    later = replace(CREW, active_from=date(2027, 1, 10), active_until=date(2027, 6, 30))
    assert _on(MONDAY, later).reason == "before the crew starts (2027-01-10)"
    assert _on(date(2027, 7, 1), later).reason == "after the crew's last day (2027-06-30)"
    assert _on(date(2027, 1, 11), later).works


def test_absences_below_the_minimum_keep_the_crew_off():
    """Two of three away with a minimum of two: off, counted in the reason."""
    strict = replace(CREW, min_members=2)
    absences = [_away(LEAD, MONDAY), _away(WELDER, date(2026, 5, 30), date(2026, 6, 2))]
    found = _on(MONDAY, strict, absences=absences)
    assert not found.works
    assert found.reason == "2 of 3 members absent; fewer than the minimum of 2"
    assert [m.name for m in found.absent] == ["Kari", "Ola"]


def test_trainee_does_not_work_alone():
    """Only trainees present: the crew is off that day."""
    pair = (LEAD, TRAINEE)
    found = _on(MONDAY, members=pair, absences=[_away(LEAD, MONDAY)])
    assert not found.works
    assert found.reason == "only trainees present"
    assert _on(date(2026, 6, 2), members=pair, absences=[_away(LEAD, MONDAY)]).works


def test_absent_member_changes_the_trainee_share_and_the_skills():
    """The welder away: half of those present are trainees, and nobody welds that day."""
    crew = replace(CREW, skills=frozenset({Skill.WELDING, Skill.MEDIA_BOX, Skill.DRIVING}))
    found = _on(MONDAY, crew, absences=[_away(WELDER, MONDAY)])
    assert found.works
    assert found.trainee_share == pytest.approx(0.5)
    assert found.skills == {Skill.MEDIA_BOX, Skill.DRIVING}  # driving: no member lists it


def test_skills_only_absent_members_hold_are_lost():
    """A crew skill that no present member lists is lost; one no member lists is kept."""
    crew_skills = frozenset({Skill.WELDING, Skill.DRIVING})
    assert skills_present(crew_skills, [LEAD, WELDER], [LEAD]) == {Skill.DRIVING}
    assert skills_present(crew_skills, [LEAD, WELDER], [LEAD, WELDER]) == crew_skills


def test_crew_without_a_roster_works_at_its_nominal_size():
    """No members on record: no minimum or trainee rule to apply."""
    assert _on(MONDAY, replace(CREW, min_members=3), members=()).works


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_members": 0}, "minimum members"),
        ({"active_from": date(2027, 2, 1), "active_until": date(2027, 1, 1)}, "ends"),
        ({"week_pattern": ((time(9), time(8)),) + (None,) * 6}, "Monday: the shift must end"),
    ],
)
def test_inconsistent_calendar_is_refused(changes, message):
    """A crew's calendar facts are checked when the crew is built."""
    with pytest.raises(InvalidInputError, match=message):
        replace(CREW, **changes)


def test_days_are_capped_at_a_leap_year():
    """366 days are answered; 367 or a reversed span are refused."""
    assert len(list(days_between(date(2028, 1, 1), date(2028, 12, 31)))) == 366
    with pytest.raises(InvalidInputError, match="at most 366 days"):
        days_between(date(2026, 1, 1), date(2027, 1, 2))
    with pytest.raises(InvalidInputError, match="ends"):
        days_between(date(2026, 1, 2), date(2026, 1, 1))


def test_public_holidays_are_cached_per_country_and_year_and_checked():
    """The same mapping comes back; an unknown country or a far year is refused."""
    assert public_holidays("no", 2026) is public_holidays("NO", 2026)
    assert public_holidays("SE", 2026)[date(2026, 6, 6)] == "National Day"
    with pytest.raises(InvalidInputError, match="country 'XX'"):
        public_holidays("XX", 2026)
    with pytest.raises(InvalidInputError, match="1900-2200"):
        public_holidays("NO", 3000)


# --- use cases (both backends) --------------------------------------------------------------


def _planner(region_id) -> Principal:
    return Principal(Role.PLANNER, region_id=region_id)


def _calendar(crew, **changes) -> service.SetCrewCalendar:
    values = {"crew_id": crew.id, "version": crew.version, "week": None} | changes
    return service.SetCrewCalendar(**values)


def test_planner_sets_a_crew_calendar_that_reads_back(session):
    """The week, dates, minimum and holiday rule are stored; the version moves on."""
    world = make_world(session)
    week = WeekPattern.parse("mon-thu 07:00-17:00")
    saved = service.set_crew_calendar(
        session,
        _planner(world.region.id),
        _calendar(
            world.crew,
            week=week,
            active_from=date(2026, 8, 1),
            min_members=1,
            works_public_holidays=True,
        ),
    )
    session.expire_all()
    stored = service.get_crew_by_ref(session, ADMIN, world.crew.name.upper())
    assert stored == saved
    assert WeekPattern.of_crew(stored) == week
    assert (stored.active_from, stored.works_public_holidays) == (date(2026, 8, 1), True)
    assert stored.version == world.crew.version + 1


def test_calendar_is_refused_for_a_stale_version_or_another_region(session):
    """A stale version is a conflict; another region's planner does not find the crew."""
    world = make_world(session)
    with pytest.raises(ConflictError, match="version"):
        service.set_crew_calendar(session, ADMIN, _calendar(world.crew, version=99))
    with pytest.raises(NotFoundError):
        service.set_crew_calendar(session, _planner(world.region.id + 1), _calendar(world.crew))
    with pytest.raises(PermissionDeniedError):
        service.set_crew_calendar(
            session, Principal(Role.CREW, crew_id=world.crew.id), _calendar(world.crew)
        )


def test_overlapping_absences_of_a_member_are_refused(session):
    """A second absence sharing a day is refused, naming the first; adjacent days are fine."""
    world = make_world(session)
    course = service.add_absence(
        session,
        ADMIN,
        Absence(world.member.id, AbsenceKind.TRAINING, date(2026, 6, 1), date(2026, 6, 7), "Course"),
    )
    overlapping = Absence(world.member.id, AbsenceKind.SICK, date(2026, 6, 7), date(2026, 6, 9))
    with pytest.raises(ConflictError, match=rf"already away 2026-06-01..2026-06-07 .*{course.id}"):
        service.add_absence(session, ADMIN, overlapping)
    after = service.add_absence(session, ADMIN, replace(overlapping, starts_on=date(2026, 6, 8)))
    listed = service.list_absences(session, ADMIN, crew_id=world.crew.id)
    assert [a.id for a in listed] == [course.id, after.id]
    assert service.list_absences(session, ADMIN, crew_id=world.crew.id, limit=1) == listed[:1]
    moved = service.ChangeAbsence(
        after.id, after.version, AbsenceKind.LEAVE, date(2026, 6, 6), date(2026, 6, 9)
    )
    with pytest.raises(ConflictError, match="already away"):
        service.update_absence(session, ADMIN, moved)


def test_absence_is_changed_and_removed_at_its_version(session):
    """Update and removal need the version read; a stale one is a conflict."""
    world = make_world(session)
    stored = service.add_absence(
        session, ADMIN, Absence(world.member.id, AbsenceKind.SICK, MONDAY, MONDAY)
    )
    change = service.ChangeAbsence(
        stored.id, stored.version, AbsenceKind.LEAVE, MONDAY, date(2026, 6, 3), "Family"
    )
    changed = service.update_absence(session, _planner(world.region.id), change)
    assert (changed.kind, changed.ends_on, changed.version) == (
        AbsenceKind.LEAVE,
        date(2026, 6, 3),
        stored.version + 1,
    )
    with pytest.raises(ConflictError):
        service.remove_absence(session, ADMIN, stored.id, stored.version)
    assert service.remove_absence(session, ADMIN, stored.id, changed.version) == stored.id
    assert service.list_absences(session, ADMIN, member_id=world.member.id) == []


def test_absences_are_the_planners_of_the_region_alone(session):
    """Crews, contractors and other regions' planners neither read nor write absences."""
    world = make_world(session)
    absence = Absence(world.member.id, AbsenceKind.SICK, MONDAY, MONDAY)
    with pytest.raises(NotFoundError):
        service.add_absence(session, _planner(world.region.id + 1), absence)
    contractor = Principal(Role.CONTRACTOR, organisation_id=world.contractor.id)
    for caller in (contractor, Principal(Role.CREW, crew_id=world.crew.id)):
        with pytest.raises(PermissionDeniedError):
            service.add_absence(session, caller, absence)
        with pytest.raises(PermissionDeniedError):
            service.list_absences(session, caller, crew_id=world.crew.id)
    stored = service.add_absence(session, ADMIN, absence)
    assert service.list_absences(session, _planner(world.region.id + 1)) == []
    with pytest.raises(NotFoundError):
        service.remove_absence(session, _planner(world.region.id + 1), stored.id, 1)


def test_availability_reads_the_calendar_over_days(session):
    """A week of days: the sole (trainee) member away one day, a holiday, a weekend."""
    world = make_world(session)
    lead = crews.add_crew_member(
        session, CrewMember(world.crew.id, "Kari Lead", CrewRole.LEAD, frozenset({Skill.OILING}))
    )
    service.add_absence(session, ADMIN, Absence(lead.id, AbsenceKind.LEAVE, MONDAY, MONDAY))
    found = service.crew_availability(
        session,
        Principal(Role.CREW, crew_id=world.crew.id),
        first=date(2026, 5, 22),
        last=MONDAY,
        crew_id=world.crew.id,
    )
    reasons = {day.day: day.reason for day in found[0].days}
    assert reasons == {
        date(2026, 5, 22): None,
        date(2026, 5, 23): "Saturday: not in the crew's week",
        date(2026, 5, 24): "Sunday: not in the crew's week",
        date(2026, 5, 25): "public holiday: Pentecost Monday",
        date(2026, 5, 26): None,
        date(2026, 5, 27): None,
        date(2026, 5, 28): None,
        date(2026, 5, 29): None,
        date(2026, 5, 30): "Saturday: not in the crew's week",
        date(2026, 5, 31): "Sunday: not in the crew's week",
        MONDAY: "only trainees present",
    }
    region_days = service.crew_availability(
        session, ADMIN, first=MONDAY, last=MONDAY, region=world.region.id
    )
    assert [c.crew.id for c in region_days] == [world.crew.id]
