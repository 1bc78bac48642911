"""How the day's database rows become routing jobs and crews (rules stated in load_*.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tests.services.conftest import PLAN_DAY

from sitecrew.db import models as m
from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import Job, JobKind, JobTarget
from sitecrew.services import jobs
from sitecrew.services.planning.load import load_day
from sitecrew.services.planning.load_crews import TRAINEE_SLOWDOWN, district_fence

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


def test_contractor_districts_are_the_contractors_alone_when_loaded(demo_session):
    """Contractor crews work only its districts, owners' crews never there, care teams anywhere."""
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    fenced = {
        str(district_id)
        for (district_id,) in demo_session.execute(
            select(m.District.id).where(m.District.contractor_id.is_not(None))
        )
    }
    kinds = dict(
        demo_session.execute(
            select(m.Crew.id, m.Organisation.kind).join(
                m.Organisation, m.Organisation.id == m.Crew.organisation_id
            )
        ).all()
    )
    seen = set()
    for crew in day.crews:
        kind = kinds[int(crew.id)]
        seen.add(kind)
        if kind == "contractor":
            assert crew.allowed_districts == fenced
            assert crew.excluded_districts == frozenset()
        elif kind == "service_provider":
            assert crew.allowed_districts is None
            assert crew.excluded_districts == frozenset()
        else:
            assert crew.allowed_districts is None
            assert crew.excluded_districts == fenced
    assert len(fenced) == 2
    assert seen == {"contractor", "service_provider", "owner"}


def test_a_crew_of_no_organisation_stays_out_of_contractor_districts():
    """With no employer a crew counts as the owner's own: a contractor's districts are not its."""
    districts = {7: {"1", "2"}, 8: {"3"}}
    assert district_fence(None, None, districts) == (None, frozenset({"1", "2", "3"}))
    assert district_fence("owner", 5, districts) == (None, frozenset({"1", "2", "3"}))
    assert district_fence("contractor", 8, districts) == (frozenset({"3"}), frozenset())
    assert district_fence("contractor", 9, districts) == (frozenset(), frozenset())
    assert district_fence("service_provider", 4, districts) == (None, frozenset())


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


# --- which appointments bind the day plan ------------------------------------------------------

OSLO = ZoneInfo("Europe/Oslo")


def _booked_install(session, *, window_day, due_on=PLAN_DAY):
    """A 45-minute install in a flat, due ``due_on``, with a proposed 10:00-12:00 window."""
    apartment = session.scalars(select(m.Apartment).order_by(m.Apartment.id)).first()
    region_id = session.scalar(
        select(m.Building.region_id).where(m.Building.id == apartment.building_id)
    )
    job = jobs.add_job(
        session,
        Job(
            JobKind.INSTALL_MEDIA_BOX,
            JobTarget(apartment_id=apartment.id),
            region_id,
            45,
            frozenset({Skill.MEDIA_BOX}),
            due_on=due_on,
        ),
    )
    start = datetime.combine(window_day, time(10), OSLO).astimezone(UTC)  # stored in UTC
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=start,
            window_end=start + timedelta(hours=2),
            status="proposed",
        )
    )
    session.flush()
    return job, apartment, region_id


def _campaign_visit(session, job, apartment, region_id, window_day):
    """Make ``job`` the open visit of a campaign home (the tenant was told the window)."""
    campaign = m.Campaign(
        region_id=region_id,
        name="Binding windows",
        job_kind="install_media_box",
        minutes_per_home=45,
        setup_minutes_per_entrance=10,
        start_on=PLAN_DAY,
        deadline_on=PLAN_DAY + timedelta(days=30),
        visits_per_crew_day=14,
        revisit_share=0.1,
        status="active",
    )
    session.add(campaign)
    session.flush()
    crew_id = session.scalar(select(m.Crew.id).order_by(m.Crew.id))
    start = datetime.combine(window_day, time(10), OSLO).astimezone(UTC)  # stored in UTC
    home = m.CampaignHome(
        campaign_id=campaign.id,
        apartment_id=apartment.id,
        state="proposed",
        day=window_day,
        crew_id=crew_id,
        window_start=start,
        window_end=start + timedelta(hours=2),
    )
    session.add(home)
    session.flush()
    session.add(
        m.CampaignVisit(
            campaign_home_id=home.id,
            job_id=job.id,
            day=window_day,
            crew_id=crew_id,
            window_start=start,
            window_end=start + timedelta(hours=2),
            attempt=1,
        )
    )
    session.flush()


def test_a_proposed_appointment_outside_a_campaign_does_not_bind_the_day(demo_session):
    """An ordinary proposal is the planner's suggestion: the job due today goes anywhere."""
    job, _, _ = _booked_install(demo_session, window_day=PLAN_DAY)
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    assert {j.id: j for j in day.jobs}[str(job.id)].windows == ()


def test_a_campaign_visits_proposed_window_binds_the_day(demo_session):
    """The tenant was told 10-12: the work starts in the window and ends by its close."""
    job, apartment, region_id = _booked_install(demo_session, window_day=PLAN_DAY)
    _campaign_visit(demo_session, job, apartment, region_id, PLAN_DAY)
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    spec = {j.id: j for j in day.jobs}[str(job.id)]
    assert spec.windows == ((10 * HOUR, 12 * HOUR - 45 * 60),)
    assert spec.priority > 3, "a promise to a tenant outranks unbooked work"


def test_a_campaign_visit_promised_for_tomorrow_waits_for_tomorrow(demo_session):
    """Due today but promised for tomorrow: not in today's plan, in tomorrow's."""
    tomorrow = PLAN_DAY + timedelta(days=1)
    job, apartment, region_id = _booked_install(demo_session, window_day=tomorrow)
    _campaign_visit(demo_session, job, apartment, region_id, tomorrow)
    today = load_day(demo_session, region="oslo", day=PLAN_DAY)
    assert str(job.id) not in {j.id for j in today.jobs}
    later = load_day(demo_session, region="oslo", day=tomorrow)
    assert {j.id: j for j in later.jobs}[str(job.id)].windows == ((10 * HOUR, 12 * HOUR - 45 * 60),)


def test_a_campaign_visit_with_an_outcome_binds_no_more(demo_session):
    """Once the visit ended, its proposal is no promise: the job is like any other."""
    job, apartment, region_id = _booked_install(demo_session, window_day=PLAN_DAY)
    _campaign_visit(demo_session, job, apartment, region_id, PLAN_DAY)
    visit = demo_session.scalars(
        select(m.CampaignVisit).where(m.CampaignVisit.job_id == job.id)
    ).one()
    visit.outcome = "no_show"
    demo_session.flush()
    day = load_day(demo_session, region="oslo", day=PLAN_DAY)
    assert {j.id: j for j in day.jobs}[str(job.id)].windows == ()
