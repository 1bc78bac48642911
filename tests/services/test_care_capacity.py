"""Team capacity (#17 item 7) on both backends: demand by hand, seasons, backlog, the calendar.

The small care world (three yards, a pine bench) with three benches on a yearly oiling plan in
April to September; the forecast of 2026 is made on 2025-12-01. Travel is left out here
(no street graph settings); test_care_capacity_travel routes sample weeks.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from shapely.geometry import Point
from tests.services.care_plan_world import ADMIN, add_piece, make_care_world, oil_plan, store_plan

from sitecrew.db import models as m
from sitecrew.domain.calendars import Absence
from sitecrew.domain.care import RegionSeason, Season
from sitecrew.domain.crews import AbsenceKind, Crew, CrewMember, Depot, Skill
from sitecrew.domain.installations import CreateInstallation, InstallationLine, job_minutes
from sitecrew.domain.jobs import JobKind, JobStatus
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services import crew_calendars, crews
from sitecrew.services.care.capacity import TeamCapacity, team_capacity
from sitecrew.services.care.installations import create_installation
from sitecrew.services.care.seasons import set_care_season
from sitecrew.services.planning.load_jobs import SETUP_MINUTES

TODAY = date(2025, 12, 1)


def _forecast(session, world, principal=ADMIN, year=2026):
    command = TeamCapacity(world.region_id, year, sample_weeks=0, today=TODAY)
    return team_capacity(session, principal, command)


def _three_benches(session, world, **plan):
    store_plan(session, oil_plan(world, **plan))
    add_piece(session, world, 0, "A", oiled=date(2025, 5, 10))  # due 2026-05-10
    add_piece(session, world, 0, "B", oiled=date(2025, 5, 20))  # due 2026-05-20, same yard
    add_piece(session, world, 1, "C", oiled=date(2025, 1, 15))  # due in January: April


def _crew(session, world, *, members=2, skills=frozenset({Skill.OILING})) -> list[int]:
    depot = crews.create_depot(session, Depot("Yard depot", world.region_id, Point(10.75, 59.92)))
    crew = crews.create_crew(
        session,
        Crew("Care crew", world.region_id, depot.id, time(7, 30), time(15, 30), skills=skills),
    )
    return [
        crews.add_crew_member(session, CrewMember(crew.id, f"Member {n}")).id
        for n in range(members)
    ]


def _job(session, world, kind: JobKind, due_on: date | None, skills: list[str]):
    session.add(
        m.Job(
            region_id=world.region_id,
            kind=kind.value,
            site_id=world.site_ids[2],
            duration_minutes=120,
            required_skills=skills,
            priority=3,
            due_on=due_on,
            status=JobStatus.OPEN.value,
        )
    )
    session.flush()


def test_three_benches_on_a_yearly_oil_plan_match_the_hand_count(session):
    """April: one visit (C: 25 + 10 min). May: one visit at the yard of A and B (50 + 10)."""
    world = make_care_world(session)
    _three_benches(session, world)

    report = _forecast(session, world)
    by_month = {row.month: row for row in report.rows}
    assert (by_month[4].visits, by_month[4].pieces) == (1, 1)
    assert by_month[4].service_hours == pytest.approx(25 / 60)
    assert by_month[4].setup_hours == pytest.approx(10 / 60)
    assert (by_month[5].visits, by_month[5].pieces) == (1, 2)
    assert by_month[5].needed_hours == pytest.approx(60 / 60)
    assert all(by_month[n].visits == 0 for n in (1, 2, 3, 6, 7, 8, 9, 10, 11, 12))
    assert report.pieces == 3
    assert report.travel.minutes_per_visit == 0
    assert report.travel.note == "travel not estimated (no street graph settings)"


def test_people_per_plan_multiply_the_person_hours(session):
    """A plan that takes two people doubles May's person-hours."""
    world = make_care_world(session)
    _three_benches(session, world, people=2)
    may = _forecast(session, world).rows[4]
    assert may.needed_hours == pytest.approx(2 * 60 / 60)


def test_a_regions_season_moves_the_work(session):
    """With May to August as the region's oiling months, C's April work moves to May."""
    world = make_care_world(session)
    _three_benches(session, world)
    set_care_season(session, ADMIN, RegionSeason(world.region_id, "oil", Season(5, 8)))

    rows = _forecast(session, world).rows
    assert rows[3].visits == 0
    assert (rows[4].visits, rows[4].pieces) == (2, 3)  # two yards, three benches


def test_the_forecast_of_a_later_year_starts_from_today(session):
    """A bench last oiled in 2024 is overdue today: oiled in April 2026, so none in 2027."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    add_piece(session, world, 0, "OLD", oiled=date(2024, 6, 1))
    assert _forecast(session, world, year=2026).rows[3].visits == 1
    assert sum(row.visits for row in _forecast(session, world, year=2027).rows) == 1
    assert _forecast(session, world, year=2027).rows[3].visits == 1  # April 2027: next cycle


def test_the_teams_calendar_gives_hours_per_person_and_absences_lower_what_is_available(session):
    """Two people, Monday to Friday 07:30-15:30 less 30 min lunch: 22 days in June 2026.

    One of them is away the first week of June: five days of 7.5 hours fewer are available.
    """
    world = make_care_world(session)
    _three_benches(session, world)
    first, _ = _crew(session, world)
    crew_calendars.add_absence(
        session, ADMIN, Absence(first, AbsenceKind.LEAVE, date(2026, 6, 1), date(2026, 6, 5))
    )

    report = _forecast(session, world)
    june, may = report.rows[5], report.rows[4]
    assert report.team == ("Care crew",)
    assert (june.working_days, june.headcount) == (22, 2)
    assert june.hours_per_person == pytest.approx(22 * 7.5)
    assert june.available_hours == pytest.approx(2 * 22 * 7.5 - 5 * 7.5)
    # May 2026 has four public holidays on weekdays (1st, 14th, 17th is a Sunday, 25th).
    assert may.working_days == 21 - 3
    assert may.people_needed == 1
    assert june.people_needed == 0
    assert june.gap_hours == pytest.approx(june.available_hours)


def test_the_backlog_counts_what_the_team_can_do_with_two_people_for_installing(session):
    """An installation due in March: 2 x (120 + 15 setup) min. A media box job is not theirs.

    An undated repair is worked off over the year's working days: alone, on the first (January).
    """
    world = make_care_world(session)
    _three_benches(session, world)
    _crew(session, world, skills=frozenset({Skill.OILING, Skill.FURNITURE_INSTALLATION}))
    _job(session, world, JobKind.INSTALL_FURNITURE, date(2026, 3, 10), ["furniture_installation"])
    _job(session, world, JobKind.INSTALL_MEDIA_BOX, date(2026, 3, 10), ["media_box"])
    _job(session, world, JobKind.REPAIR, None, [])
    _job(session, world, JobKind.REPAIR, date(2027, 2, 1), [])  # after the year: not counted

    report = _forecast(session, world)
    march, january = report.rows[2], report.rows[0]
    assert report.backlog_jobs == 2
    assert march.visits == 1
    assert march.backlog_hours == pytest.approx(2 * (120 + 15) / 60)
    assert january.backlog_hours == pytest.approx((120 + 10) / 60)


def test_an_open_oiling_job_on_a_piece_is_not_counted_twice(session):
    """A hand-made oiling job for bench A is its next cycle: the plan counts A no more in 2026."""
    world = make_care_world(session)
    _three_benches(session, world)
    _crew(session, world)
    [piece] = list(session.query(m.Furniture).filter_by(serial="A"))
    session.add(
        m.Job(
            region_id=world.region_id,
            kind=JobKind.OIL.value,
            furniture_id=piece.id,
            duration_minutes=25,
            required_skills=["oiling"],
            priority=3,
            due_on=date(2026, 5, 10),
            status=JobStatus.OPEN.value,
        )
    )
    session.flush()
    may = _forecast(session, world).rows[4]
    assert may.visits == 1  # the yard of A and B: one visit, the job and B
    assert may.pieces == 1
    assert may.service_hours == pytest.approx((25 + 25) / 60)


def test_access_and_bad_input(session):
    """Other regions' planners are refused; an unknown region and a bad year are errors."""
    world = make_care_world(session)
    with pytest.raises(PermissionDeniedError):
        _forecast(session, world, principal=world.planner(other=True))
    assert _forecast(session, world, principal=world.planner()).rows[0].visits == 0
    with pytest.raises(NotFoundError):
        team_capacity(session, ADMIN, TeamCapacity(world.region_id + 999, 2026))
    with pytest.raises(InvalidInputError):
        TeamCapacity(world.region_id, 1900)
    with pytest.raises(InvalidInputError):
        TeamCapacity(world.region_id, 2026, sample_weeks=99)


def test_an_installation_order_is_backlog_for_two_people(session):
    """Three benches ordered for a yard, wanted in June: the job's minutes times its two people."""
    world = make_care_world(session)
    _crew(session, world, skills=frozenset(Skill))
    order = create_installation(
        session,
        ADMIN,
        CreateInstallation(
            world.site_ids[2],
            (InstallationLine(world.model_id, 3, minutes_per_piece=40),),
            wanted_from=date(2026, 6, 8),
        ),
    )
    minutes = job_minutes((InstallationLine(world.model_id, 3, minutes_per_piece=40),))
    setup = SETUP_MINUTES[JobKind.INSTALL_FURNITURE]

    report = _forecast(session, world)
    june = report.rows[5]
    assert len(order.parts) == 1
    assert report.backlog_jobs == 1
    assert june.visits == 1
    assert june.backlog_hours == pytest.approx(2 * (minutes + setup) / 60)
    assert june.needed_hours == pytest.approx(june.backlog_hours)
