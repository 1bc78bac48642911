"""Crew calendars through GraphQL, on both backends: set, read, absences, and the attacks on them.

Operations run on a rolled-back session of the API world (``schema_caller``), so every write
here is undone; a second region (Bergen) with a crew and a member is added for the attacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
import shapely
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Principal, Role

PROBLEM = "... on Problem { __typename code message }"
CREW_FIELDS = """id version weekPattern { start end } activeFrom activeUntil minMembers
  worksPublicHolidays"""
SET_CALENDAR = f"""mutation S($input: SetCrewCalendarInput!) {{ setCrewCalendar(input: $input) {{
  __typename ... on Crew {{ {CREW_FIELDS} }} {PROBLEM} }} }}"""
ADD_ABSENCE = f"""mutation A($input: AddAbsenceInput!) {{ addAbsence(input: $input) {{
  __typename ... on Absence {{ id memberId kind startsOn endsOn note version }} {PROBLEM} }} }}"""
UPDATE_ABSENCE = f"""mutation U($input: UpdateAbsenceInput!) {{ updateAbsence(input: $input) {{
  __typename ... on Absence {{ id endsOn version }} {PROBLEM} }} }}"""
REMOVE_ABSENCE = f"""mutation R($input: RemoveAbsenceInput!) {{ removeAbsence(input: $input) {{
  __typename ... on Deleted {{ id }} {PROBLEM} }} }}"""
CREW = f"""query C($id: ID!, $from: Date!, $to: Date!) {{ crew(id: $id) {{ {CREW_FIELDS}
  absences(from: $from, to: $to) {{ id kind startsOn endsOn }}
  availability(from: $from, to: $to) {{ date works reason shiftStart shiftEnd membersPresent
    membersAbsent traineeShare }} }} }}"""
AVAILABILITY = """query C($id: ID!, $from: Date!, $to: Date!) { crew(id: $id) {
  availability(from: $from, to: $to) { date works reason } } }"""
HOLIDAYS = """query H($id: ID!, $year: Int!) { region(id: $id) { country
  publicHolidays(year: $year) { date name } } }"""
ADMIN = Principal(Role.ADMIN)
WEEK = [{"start": "07:00:00", "end": "15:00:00"}] * 4 + [
    {"start": "07:00:00", "end": "12:00:00"},
    None,
    None,
]


@dataclass(frozen=True)
class Crews:
    """The Oslo crew under test (with its members) and Bergen's crew and member."""

    crew_id: int
    version: int
    member_ids: list[int]
    bergen_region_id: int
    bergen_crew_id: int
    bergen_member_id: int


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


def _add(session, row):
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def crews(call, api_world) -> Crews:
    """The world's first installer crew, and a crew in a second region (rolled back)."""
    with call.sessions.begin() as session:
        crew = session.get(m.Crew, api_world.crew_id)
        members = list(
            session.scalars(select(m.CrewMember.id).where(m.CrewMember.crew_id == crew.id))
        )
        region = _add(
            session,
            m.Region(name="Bergen", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5))),
        )
        point = to_db_geometry(shapely.Point(5.32, 60.395))
        depot = _add(session, m.Depot(region_id=region, name="Bergen depot", location=point))
        other = _add(
            session,
            m.Crew(
                region_id=region,
                depot_id=depot,
                name="Bergen crew",
                shift_start=time(7, 30),
                shift_end=time(15, 30),
                lunch_earliest=time(11),
                lunch_latest=time(13),
                skills=[],
            ),
        )
        member = _add(session, m.CrewMember(crew_id=other, name="Per", role="member", skills=[]))
        return Crews(crew.id, crew.version, members, region, other, member)


def _planner(api_world) -> Principal:
    return Principal(Role.PLANNER, region_id=api_world.region_id)


def _calendar(crews: Crews, **changes) -> dict:
    return {"crewId": crews.crew_id, "version": crews.version, "weekPattern": WEEK} | changes


def test_planner_sets_a_calendar_and_reads_the_days_it_makes(call, api_world, crews):
    """Mon-Thu long days, a short Friday, a start date: availability follows all of them."""
    saved = call.data(
        _planner(api_world),
        SET_CALENDAR,
        input=_calendar(crews, activeFrom="2026-06-03", minMembers=2),
    )["setCrewCalendar"]
    assert saved["__typename"] == "Crew"
    assert saved["version"] == crews.version + 1
    assert saved["weekPattern"][4] == {"start": "07:00:00", "end": "12:00:00"}
    assert saved["weekPattern"][5:] == [None, None]
    assert (saved["activeFrom"], saved["minMembers"], saved["worksPublicHolidays"]) == (
        "2026-06-03",
        2,
        False,
    )
    crew = call.data(
        _planner(api_world), CREW, id=crews.crew_id, **{"from": "2026-06-02", "to": "2026-06-07"}
    )["crew"]
    days = {d["date"]: d for d in crew["availability"]}
    assert days["2026-06-02"]["reason"] == "before the crew starts (2026-06-03)"
    assert days["2026-06-03"]["works"]
    assert (days["2026-06-03"]["shiftStart"], days["2026-06-03"]["shiftEnd"]) == (
        "07:00:00",
        "15:00:00",
    )
    assert days["2026-06-05"]["shiftEnd"] == "12:00:00"
    assert days["2026-06-06"]["reason"] == "Saturday: not in the crew's week"
    assert crew["absences"] == []


def test_absence_takes_a_two_member_crew_off_and_is_changed_and_removed(call, api_world, crews):
    """A member's course keeps a crew with minimum two at home; moving it frees the day."""
    planner = _planner(api_world)
    call.data(planner, SET_CALENDAR, input=_calendar(crews, weekPattern=None, minMembers=2))
    course = {
        "memberId": crews.member_ids[0],
        "kind": "TRAINING",
        "startsOn": "2026-06-01",
        "endsOn": "2026-06-07",
        "note": "Media-box course",
    }
    added = call.data(planner, ADD_ABSENCE, input=course)["addAbsence"]
    assert (added["__typename"], added["kind"], added["note"]) == (
        "Absence",
        "TRAINING",
        "Media-box course",
    )
    window = {"id": crews.crew_id, "from": "2026-06-02", "to": "2026-06-02"}
    day = call.data(planner, AVAILABILITY, **window)["crew"]["availability"][0]
    assert day["reason"] == f"1 of {len(crews.member_ids)} members absent; fewer than the minimum of 2"
    moved = call.data(
        planner,
        UPDATE_ABSENCE,
        input={
            "id": added["id"],
            "version": added["version"],
            "kind": "TRAINING",
            "startsOn": "2026-06-03",
            "endsOn": "2026-06-09",
        },
    )["updateAbsence"]
    assert (moved["endsOn"], moved["version"]) == ("2026-06-09", added["version"] + 1)
    assert call.data(planner, AVAILABILITY, **window)["crew"]["availability"][0]["works"]
    stale = call.data(
        planner, REMOVE_ABSENCE, input={"id": added["id"], "version": added["version"]}
    )["removeAbsence"]
    assert stale["code"] == "CONFLICT"
    removed = call.data(
        planner, REMOVE_ABSENCE, input={"id": added["id"], "version": moved["version"]}
    )["removeAbsence"]
    assert removed == {"__typename": "Deleted", "id": added["id"]}


def test_overlapping_absence_is_a_conflict_naming_the_first(call, api_world, crews):
    """Sick leave inside a training course is refused; the message names the course."""
    planner = _planner(api_world)
    member = crews.member_ids[0]
    first = call.data(
        planner,
        ADD_ABSENCE,
        input={"memberId": member, "kind": "TRAINING", "startsOn": "2026-06-01", "endsOn": "2026-06-07"},
    )["addAbsence"]
    second = call.data(
        planner,
        ADD_ABSENCE,
        input={"memberId": member, "kind": "SICK", "startsOn": "2026-06-05", "endsOn": "2026-06-10"},
    )["addAbsence"]
    assert second["code"] == "CONFLICT"
    assert f"absence {first['id']}" in second["message"]
    assert "2026-06-01..2026-06-07" in second["message"]


def test_stale_version_and_bad_week_are_refused(call, api_world, crews):
    """An old version is a Conflict; six days or a backwards shift are InvalidInput."""
    planner = _planner(api_world)
    assert call.data(planner, SET_CALENDAR, input=_calendar(crews))["setCrewCalendar"][
        "__typename"
    ] == "Crew"
    stale = call.data(planner, SET_CALENDAR, input=_calendar(crews))["setCrewCalendar"]
    assert stale["code"] == "CONFLICT"
    version = crews.version + 1
    six = call.data(
        planner, SET_CALENDAR, input=_calendar(crews, version=version, weekPattern=WEEK[:6])
    )["setCrewCalendar"]
    assert (six["code"], "7 days" in six["message"]) == ("INVALID_INPUT", True)
    backwards = [{"start": "15:00:00", "end": "07:00:00"}, *WEEK[1:]]
    refused = call.data(
        planner, SET_CALENDAR, input=_calendar(crews, version=version, weekPattern=backwards)
    )["setCrewCalendar"]
    assert refused["code"] == "INVALID_INPUT"
    assert "Monday" in refused["message"]
    reversed_dates = _calendar(
        crews, version=version, activeFrom="2026-07-01", activeUntil="2026-06-01"
    )
    assert call.data(planner, SET_CALENDAR, input=reversed_dates)["setCrewCalendar"][
        "code"
    ] == "INVALID_INPUT"


def test_another_regions_planner_cannot_touch_our_calendar_or_absences(call, api_world, crews):
    """Bergen's planner finds neither our crew nor our members; ours cannot reach Bergen's."""
    bergen = Principal(Role.PLANNER, region_id=crews.bergen_region_id)
    operation = """mutation Sweep($crew: ID!, $member: ID!) {
      a: setCrewCalendar(input: {crewId: $crew, version: 1, minMembers: 5}) { ...P }
      b: addAbsence(input: {memberId: $member, kind: SICK, startsOn: "2026-06-01",
        endsOn: "2026-06-02"}) { ...P }
    }
    fragment P on Problem { code }"""
    ours = call.data(bergen, operation, crew=crews.crew_id, member=crews.member_ids[0])
    assert {k: v["code"] for k, v in ours.items()} == {"a": "NOT_FOUND", "b": "NOT_FOUND"}
    theirs = call.data(
        _planner(api_world), operation, crew=crews.bergen_crew_id, member=crews.bergen_member_id
    )
    assert {k: v["code"] for k, v in theirs.items()} == {"a": "NOT_FOUND", "b": "NOT_FOUND"}
    with call.sessions() as session:
        assert session.get(m.Crew, crews.crew_id).min_members == 1
        assert session.scalars(select(m.MemberAbsence)).all() == []


def test_crews_and_contractors_may_not_write_calendars_or_read_absences(call, api_world, crews):
    """A crew reads its own availability, but neither writes calendars nor reads absences."""
    crew = Principal(Role.CREW, crew_id=crews.crew_id)
    contractor = Principal(Role.CONTRACTOR, organisation_id=api_world.contractor_id)
    for caller in (crew, contractor):
        refused = call.data(caller, SET_CALENDAR, input=_calendar(crews))["setCrewCalendar"]
        assert refused["code"] == "FORBIDDEN"
        absence = {
            "memberId": crews.member_ids[0],
            "kind": "LEAVE",
            "startsOn": "2026-06-01",
            "endsOn": "2026-06-01",
        }
        assert call.data(caller, ADD_ABSENCE, input=absence)["addAbsence"]["code"] == "FORBIDDEN"
    window = {"id": crews.crew_id, "from": "2026-06-01", "to": "2026-06-07"}
    assert len(call.data(crew, AVAILABILITY, **window)["crew"]["availability"]) == 7
    read = call(crew, CREW, **window)
    assert read.errors
    assert "may not read absences" in read.errors[0].message


def test_availability_longer_than_a_leap_year_is_refused(call, api_world, crews):
    """367 days or a reversed range are InvalidInput; 366 are answered."""
    planner = _planner(api_world)
    year = call.data(planner, AVAILABILITY, id=crews.crew_id, **{"from": "2028-01-01", "to": "2028-12-31"})
    assert len(year["crew"]["availability"]) == 366
    for first, last in (("2026-01-01", "2027-01-02"), ("2026-06-02", "2026-06-01")):
        result = call(planner, AVAILABILITY, id=crews.crew_id, **{"from": first, "to": last})
        assert result.errors
        assert result.errors[0].extensions["code"] == "INVALID_INPUT"


def test_region_names_its_country_and_public_holidays(call, api_world):
    """Norway's 2026 holidays, in English, by date."""
    region = call.data(_planner(api_world), HOLIDAYS, id=api_world.region_id, year=2026)["region"]
    assert region["country"] == "NO"
    names = {h["date"]: h["name"] for h in region["publicHolidays"]}
    assert names["2026-05-17"] == "Constitution Day"
    assert names["2026-05-14"] == "Ascension Day"
    assert len(names) == 12
