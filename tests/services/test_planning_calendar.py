"""Planning follows the crews' calendars: nobody on Sundays and holidays, absences change the day.

Real plans of the demo world (central Oslo, 13 crews) on both backends, with a short, seeded
solver run; calendar changes are made through the use cases and rolled back after each test.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select
from tests.services.conftest import PLAN_DAY

from sitecrew.cli.plan import print_outcome
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.calendars import Absence
from sitecrew.domain.crews import AbsenceKind, CrewRole
from sitecrew.domain.plans import UnassignedReason
from sitecrew.domain.routes import PlanOptions
from sitecrew.routing.problem import service_for
from sitecrew.services import crew_calendars as calendars
from sitecrew.services.planning.runs import get_run, plan_day

ADMIN = Principal(Role.ADMIN)
ITERATIONS = 60


def _plan(session, osm, day):
    options = PlanOptions(seed=3, time_limit_s=None, max_iterations=ITERATIONS)
    return plan_day(session, region="oslo", day=day, osm=osm, options=options)


def _crew(session, name: str) -> m.Crew:
    return session.scalars(select(m.Crew).where(m.Crew.name == name)).one()


def _members(session, crew: m.Crew, role: CrewRole | None = None) -> list[m.CrewMember]:
    query = select(m.CrewMember).where(m.CrewMember.crew_id == crew.id)
    if role is not None:
        query = query.where(m.CrewMember.role == role.value)
    return list(session.scalars(query.order_by(m.CrewMember.id)))


def _away(session, member: m.CrewMember, day: date = PLAN_DAY) -> None:
    calendars.add_absence(session, ADMIN, Absence(member.id, AbsenceKind.SICK, day, day))


def _set(session, crew: m.Crew, **changes) -> None:
    facts = crew.to_domain()
    values = {
        "crew_id": crew.id,
        "version": crew.version,
        "week": None,
        "active_from": facts.active_from,
        "active_until": facts.active_until,
        "min_members": facts.min_members,
        "works_public_holidays": facts.works_public_holidays,
    } | changes
    calendars.set_crew_calendar(session, ADMIN, calendars.SetCrewCalendar(**values))


@pytest.mark.parametrize(
    ("day", "note"),
    [
        (date(2026, 6, 7), "no crew works on 2026-06-07 (Sunday: not in the crew's week)"),
        (date(2026, 5, 14), "no crew works on 2026-05-14 (public holiday: Ascension Day)"),
        (date(2026, 12, 25), "no crew works on 2026-12-25 (public holiday: Christmas Day)"),
    ],
)
def test_nobody_is_planned_on_a_sunday_or_a_public_holiday(demo_session, planning_osm, day, note):
    """No routes; the run, its summary, every left-out job and the CLI say why."""
    outcome = _plan(demo_session, planning_osm, day)
    assert outcome.route_ids == []
    assert outcome.solved.problem.crews == ()
    assert outcome.summary["routes"] == 0
    assert outcome.summary["note"] == note
    assert len(outcome.summary["crews_off"]) == 13
    assert get_run(demo_session, outcome.run_id).message == note
    assert all(u.detail == "no crew works this day" for u in outcome.solved.plan.unassigned)
    assert {u.reason for u in outcome.solved.plan.unassigned} == {UnassignedReason.NO_CREW}


def test_cli_output_says_why_nobody_is_planned(demo_session, planning_osm, capsys):
    """`sitecrew plan` prints the reason instead of an empty table alone."""
    outcome = _plan(demo_session, planning_osm, date(2026, 5, 25))
    print_outcome(outcome, published=False)
    printed = capsys.readouterr().out
    assert "no crew works on 2026-05-25 (public holiday: Pentecost Monday)" in printed


def test_crew_that_works_holidays_is_the_only_one_planned(demo_session, planning_osm):
    """works_public_holidays puts one crew on the road on Ascension Day."""
    care = _crew(demo_session, "Care team North")
    _set(demo_session, care, works_public_holidays=True)
    outcome = _plan(demo_session, planning_osm, date(2026, 5, 14))
    assert [c.id for c in outcome.solved.problem.crews] == [str(care.id)]
    assert outcome.summary["note"] is None
    assert outcome.summary["crews_off"]["Care team South"] == "public holiday: Ascension Day"


def test_absences_and_dates_change_the_demo_day(demo_session, planning_osm):
    """One plan day, four calendars: each crew is planned (or not) as its calendar says.

    - Installers 01 (two members) requires both, and one is sick: off the day.
    - Installers 02 starts tomorrow: not planned.
    - Installers 03 (a lead and a trainee) has its lead away: the trainee does not work alone.
    - Care team North (ten, three trainees) has five trained members away: it is planned, but
      slower (half and more of those present are trainees), which its stop times show.
    """
    baseline = _plan(demo_session, planning_osm, PLAN_DAY)
    pair, later, trainee_pair = (
        _crew(demo_session, f"Installers {n:02d}") for n in (1, 2, 3)
    )
    care = _crew(demo_session, "Care team North")
    assert baseline.solved.plan.route_for(str(pair.id)).job_ids  # it worked before

    _set(demo_session, pair, min_members=2)
    _away(demo_session, _members(demo_session, pair)[1])
    _set(demo_session, later, active_from=date(2026, 6, 3))
    _away(demo_session, _members(demo_session, trainee_pair, CrewRole.LEAD)[0])
    trained = [mem for mem in _members(demo_session, care) if mem.role != CrewRole.TRAINEE.value]
    for member in trained[:5]:
        _away(demo_session, member)

    outcome = _plan(demo_session, planning_osm, PLAN_DAY)
    off = outcome.summary["crews_off"]
    assert off == {
        "Installers 01": "1 of 2 members absent; fewer than the minimum of 2",
        "Installers 02": "before the crew starts (2026-06-03)",
        "Installers 03": "only trainees present",
    }
    planned = {c.id for c in outcome.solved.problem.crews}
    assert planned.isdisjoint({str(pair.id), str(later.id), str(trainee_pair.id)})
    assert len(planned) == 10
    assert {r.crew_id for r in outcome.solved.plan.routes} == planned
    care_spec = next(c for c in outcome.solved.problem.crews if c.id == str(care.id))
    before = next(c for c in baseline.solved.problem.crews if c.id == str(care.id))
    assert before.service_factor == pytest.approx(1 + 0.15 * 3 / 10)
    assert care_spec.service_factor == pytest.approx(1 + 0.15 * 3 / 5)
    jobs = outcome.solved.problem.job_index
    stops = [s for s in outcome.solved.plan.route_for(str(care.id)).stops if s.job_id]
    assert stops
    for stop in stops:
        assert stop.departure_s - stop.start_s == service_for(jobs[stop.job_id], care_spec)
        assert stop.departure_s - stop.start_s > math.ceil(jobs[stop.job_id].service_s * 1.045)
