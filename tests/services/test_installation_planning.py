"""Day planning takes an installation as any job: due from its window, the installers' skills,
and only crews with two people at work that day (each crew is routed as one van)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from tests.services.care_plan_world import ADMIN
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.domain.installations import CreateInstallation, InstallationLine
from sitecrew.routing.problem import CrewSpec, JobSpec, is_eligible
from sitecrew.services.care.installations import create_installation
from sitecrew.services.planning.load import load_day


def _order_at_a_demo_site(session) -> int:
    site = session.scalars(select(m.Site).where(m.Site.kind != "schoolyard")).first()
    model = session.scalars(select(m.FurnitureModel)).first()
    command = CreateInstallation(
        site.id,
        (InstallationLine(model.id, 2),),
        wanted_from=PLAN_DAY - timedelta(days=7),
        wanted_to=PLAN_DAY + timedelta(days=14),
    )
    return create_installation(session, ADMIN, command).parts[0].job_id


def test_the_days_plan_gets_the_installation_job_for_two_people(demo_session):
    job_id = _order_at_a_demo_site(demo_session)
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    spec = {job.id: job for job in day.jobs}[str(job_id)]

    assert spec.people == 2
    assert spec.skills == frozenset({"furniture_installation", "driving"})
    assert spec.service_s == (30 + 2 * 90) * 60
    takers = {crew.id for crew in day.crews if is_eligible(spec, crew)}
    assert takers
    for crew in day.crews:
        can = spec.skills <= crew.skills and (crew.people or 0) >= 2
        assert (crew.id in takers) == can


def test_a_crew_with_one_person_at_work_does_not_get_it(demo_session):
    job_id = _order_at_a_demo_site(demo_session)
    before = load_day(demo_session, region="oslo", day=PLAN_DAY)
    spec = {job.id: job for job in before.jobs}[str(job_id)]
    taker = next(crew for crew in before.crews if is_eligible(spec, crew))
    members = demo_session.scalars(
        select(m.CrewMember).where(m.CrewMember.crew_id == int(taker.id)).order_by(m.CrewMember.id)
    ).all()
    keep = next(mem for mem in members if mem.role == "lead")
    demo_session.add_all(
        m.MemberAbsence(member_id=mem.id, kind="sick", starts_on=PLAN_DAY, ends_on=PLAN_DAY)
        for mem in members
        if mem.id != keep.id
    )
    demo_session.flush()

    after = load_day(demo_session, region="oslo", day=PLAN_DAY)
    crew = {c.id: c for c in after.crews}[taker.id]  # it works alone that day
    assert crew.people == 1
    assert not is_eligible(spec, crew)


def test_a_job_needing_two_goes_to_crews_of_two_or_of_unknown_size():
    job = JobSpec("j", 0, 600, people=2)
    assert not is_eligible(job, CrewSpec("alone", 0, 0, 0, 3600, people=1))
    assert is_eligible(job, CrewSpec("pair", 0, 0, 0, 3600, people=2))
    assert is_eligible(job, CrewSpec("no roster", 0, 0, 0, 3600))
    assert is_eligible(JobSpec("k", 0, 600), CrewSpec("alone", 0, 0, 0, 3600, people=1))
