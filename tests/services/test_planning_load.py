"""How the day's database rows become routing jobs and crews (rules stated in load_*.py)."""

from __future__ import annotations

from sqlalchemy import select
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import Job, JobKind, JobTarget
from sitecrew.services import jobs
from sitecrew.services.planning.load import load_day
from sitecrew.services.planning.load_crews import TRAINEE_SLOWDOWN

HOUR = 3600


def _new_job(session, kind, site):
    return jobs.add_job(
        session,
        Job(
            kind,
            JobTarget(site_id=site.id),
            site.region_id,
            45,
            frozenset({Skill.CARPENTRY}),
            due_on=PLAN_DAY,
        ),
    )


def test_noisy_schoolyard_work_avoids_school_hours_when_planned_on_a_weekday(demo_session):
    """A repair in a schoolyard may start before 08:00 (finishing by then) or from 14:00."""
    school = demo_session.scalars(select(m.Site).where(m.Site.kind == "schoolyard")).first()
    park = demo_session.scalars(select(m.Site).where(m.Site.kind != "schoolyard")).first()
    noisy = _new_job(demo_session, JobKind.REPAIR, school)
    elsewhere = _new_job(demo_session, JobKind.REPAIR, park)
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    specs = {j.id: j for j in day.jobs}
    assert specs[str(noisy.id)].windows == ((0, 8 * HOUR - 45 * 60), (14 * HOUR, 24 * HOUR))
    assert specs[str(elsewhere.id)].windows == ()


def test_trainees_slow_a_crew_down_when_they_are_part_of_it(demo_session):
    """Each crew's service factor is 1 + 0.15 x its share of trainees."""
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    for crew in day.crews:
        roles = demo_session.scalars(
            select(m.CrewMember.role).where(m.CrewMember.crew_id == int(crew.id))
        ).all()
        share = roles.count("trainee") / len(roles)
        assert crew.service_factor == 1 + TRAINEE_SLOWDOWN * share
    assert len({c.service_factor for c in day.crews}) > 1


def test_lunch_starts_within_the_crew_window_when_loaded(demo_session):
    """Lunch may start from lunch_earliest to lunch_latest and lasts lunch_minutes."""
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    for crew in day.crews:
        row = demo_session.get(m.Crew, int(crew.id))
        opens, closes = crew.break_window
        assert opens == row.lunch_earliest.hour * HOUR + row.lunch_earliest.minute * 60
        latest = row.lunch_latest.hour * HOUR + row.lunch_latest.minute * 60
        assert closes == latest + row.lunch_minutes * 60
        assert crew.break_duration_s == row.lunch_minutes * 60


def test_flats_of_one_building_share_a_place_and_a_setup_when_loaded(demo_session):
    """Installations in one building use one matrix place and pay the setup once in a row."""
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    installs = [j for j in day.jobs if "media_box" in j.skills]
    by_building: dict[str, set[int | None]] = {}
    for job in installs:
        by_building.setdefault(job.site, set()).add(job.location)
    assert all(len(places) == 1 for places in by_building.values())
    assert len(by_building) < len(installs)
    assert len(day.points) < len(day.jobs)
