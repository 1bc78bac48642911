"""A campaign's days become jobs; visits end with an outcome; what a day plan leaves out returns.

Builds on the campaign world of ``test_campaign_create`` and the real sweep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.services.test_campaign_create import (
    ADMIN,
    START,
    build_campaign_world,
    counts,
    new_campaign,
)

from sitecrew.campaigns.burndown import burndown
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import HomeState, VisitOutcome
from sitecrew.errors import ConflictError, NotFoundError, PermissionDeniedError
from sitecrew.routing.problem import is_eligible
from sitecrew.services.campaigns import (
    ConfirmVisitWindow,
    MaterialiseDay,
    PlanCampaign,
    RecordVisitOutcome,
    ReturnUnfitted,
    campaign_progress,
    confirm_visit_window,
    create_campaign,
    materialise_day,
    plan_campaign,
    record_outcome,
    return_unfitted,
)
from sitecrew.services.campaigns.commands import REVISIT_AFTER_DAYS
from sitecrew.services.planning.day import DayClock, Points
from sitecrew.services.planning.load_crews import day_crews
from sitecrew.services.planning.load_jobs import day_jobs


@pytest.fixture
def world(session):
    return build_campaign_world(session)


def _planned(session, world, **changes):
    campaign = create_campaign(session, ADMIN, new_campaign(world, **changes))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    return campaign


def _first_day(session, campaign_id: int, crew_id: int):
    return session.scalar(
        select(func.min(m.CampaignHome.day)).where(
            m.CampaignHome.campaign_id == campaign_id, m.CampaignHome.crew_id == crew_id
        )
    )


def _visits(session, campaign_id: int) -> list[m.CampaignVisit]:
    query = (
        select(m.CampaignVisit)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign_id)
        .order_by(m.CampaignVisit.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def _outcome(visit: m.CampaignVisit, outcome: VisitOutcome, **changes) -> RecordVisitOutcome:
    start = (
        visit.window_start.replace(tzinfo=UTC)
        if visit.window_start.tzinfo is None
        else visit.window_start
    )
    values = {
        "visit_id": visit.id,
        "outcome": outcome,
        "started_at": start,
        "ended_at": start + timedelta(minutes=28),
    }
    values.update(changes)
    return RecordVisitOutcome(**values)


def _fresh(session, model, row_id):
    return session.scalars(
        select(model).where(model.id == row_id).execution_options(populate_existing=True)
    ).one()


def test_a_day_becomes_jobs_with_appointments_once(session, world):
    """Each home of the day gets a job due that day with its window; a second call adds nothing."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.contractor_crew_id)
    homes = session.scalar(
        select(func.count()).where(
            m.CampaignHome.campaign_id == campaign.id, m.CampaignHome.day == day
        )
    )

    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    assert len(made.job_ids) == homes > 0
    for visit in _visits(session, campaign.id):
        job = session.get(m.Job, visit.job_id)
        assert (job.kind, job.due_on, job.status, job.duration_minutes) == (
            "install_media_box",
            day,
            "open",
            30,
        )
        assert job.required_skills == ["media_box"]
        home = session.get(m.CampaignHome, visit.campaign_home_id)
        assert job.apartment_id == home.apartment_id
        assert visit.attempt == 1
        (appointment,) = session.scalars(
            select(m.Appointment).where(m.Appointment.job_id == job.id)
        )
        assert appointment.status == "proposed"
        assert appointment.window_start == home.window_start

    before = counts(session)
    again = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    assert again.job_ids == ()
    assert counts(session) == before


def test_a_confirmed_window_becomes_a_confirmed_appointment(session, world):
    """Confirming before or after the day is materialised confirms the appointment too."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.contractor_crew_id)
    homes = list(
        session.scalars(
            select(m.CampaignHome).where(
                m.CampaignHome.campaign_id == campaign.id, m.CampaignHome.day == day
            )
        )
    )
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(homes[0].id))
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(homes[1].id))
    statuses = {}
    for visit in _visits(session, campaign.id):
        appointment = session.scalars(
            select(m.Appointment).where(m.Appointment.job_id == visit.job_id)
        ).one()
        statuses[visit.campaign_home_id] = appointment.status
    assert statuses[homes[0].id] == statuses[homes[1].id] == "confirmed"
    assert set(statuses.values()) <= {"confirmed", "proposed"}


def test_a_materialised_visit_stays_put_on_a_re_plan(session, world):
    """A visit that became a job keeps its day and crew whatever a re-plan finds."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    visited = {v.campaign_home_id: (v.day, v.crew_id) for v in _visits(session, campaign.id)}
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START, move_confirmed=True))
    for home_id, (visit_day, crew) in visited.items():
        home = _fresh(session, m.CampaignHome, home_id)
        assert (home.day, home.crew_id) == (visit_day, crew)


def test_done_installs_the_apartment_and_finishes_the_job(session, world):
    """DONE: the home is done after one attempt, the flat installed, the job done."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.contractor_crew_id)
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    visit = _visits(session, campaign.id)[0]
    crew = Principal(Role.CREW, crew_id=visit.crew_id)

    recorded = record_outcome(session, crew, _outcome(visit, VisitOutcome.DONE))

    assert recorded.outcome is VisitOutcome.DONE
    assert recorded.ended_at - recorded.started_at == timedelta(minutes=28)
    home = _fresh(session, m.CampaignHome, visit.campaign_home_id)
    assert (home.state, home.attempts, home.failed_attempts) == ("done", 1, 0)
    assert session.get(m.Apartment, home.apartment_id).installation_status == "installed"
    assert _fresh(session, m.Job, visit.job_id).status == "done"
    appointment = session.scalars(
        select(m.Appointment).where(m.Appointment.job_id == visit.job_id)
    ).one()
    assert appointment.status == "completed"


@pytest.mark.parametrize(
    ("outcome", "apartment_status"),
    [
        (VisitOutcome.NO_SHOW, "not_contacted"),
        (VisitOutcome.NO_ACCESS, "no_access"),
        (VisitOutcome.REFUSED, "declined"),
        (VisitOutcome.NEEDS_FOLLOW_UP, "not_contacted"),
    ],
)
def test_a_failed_visit_counts_and_comes_back_after_the_revisit_wait(
    session, world, outcome, apartment_status
):
    """A failure: attempts and failed attempts +1, pending for the wait, job blocked."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    visit = _visits(session, campaign.id)[0]

    record_outcome(session, ADMIN, _outcome(visit, outcome))

    home = _fresh(session, m.CampaignHome, visit.campaign_home_id)
    assert (home.state, home.attempts, home.failed_attempts) == ("pending", 1, 1)
    assert home.last_outcome == outcome.value
    assert home.earliest_on == day + timedelta(days=REVISIT_AFTER_DAYS)
    assert (home.day, home.crew_id, home.window_start) == (None, None, None)
    assert session.get(m.Apartment, home.apartment_id).installation_status == apartment_status
    assert _fresh(session, m.Job, visit.job_id).status == "blocked"

    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    replanned = _fresh(session, m.CampaignHome, home.id)
    assert replanned.state == "proposed"
    assert replanned.day >= day + timedelta(days=REVISIT_AFTER_DAYS)


def test_a_home_is_escalated_after_the_maximum_of_failed_attempts(session, world):
    """With at most two failed attempts, the second failure hands the home to the planner."""
    campaign = _planned(
        session, world, max_failed_attempts=2, deadline_on=START + timedelta(days=40)
    )
    home_id = None
    for attempt in (1, 2):
        query = select(m.CampaignHome).where(m.CampaignHome.campaign_id == campaign.id)
        if home_id is not None:
            query = query.where(m.CampaignHome.id == home_id)
        home = session.scalars(
            query.where(m.CampaignHome.crew_id == world.own_crew_id).order_by(m.CampaignHome.day)
        ).first()
        home_id = home.id
        materialise_day(session, ADMIN, MaterialiseDay(campaign.id, home.day))
        visit = next(
            v
            for v in _visits(session, campaign.id)
            if v.campaign_home_id == home_id and v.outcome is None
        )
        assert visit.attempt == attempt
        record_outcome(session, ADMIN, _outcome(visit, VisitOutcome.NO_SHOW))
        plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    home = _fresh(session, m.CampaignHome, home_id)
    assert (home.state, home.attempts, home.failed_attempts) == ("escalated", 2, 2)


def test_outcomes_are_recorded_once_by_the_visits_crew(session, world):
    """Another crew does not find the visit; a second outcome is a conflict; neither writes."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.contractor_crew_id)
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    visit = _visits(session, campaign.id)[0]
    other_crew = Principal(Role.CREW, crew_id=world.own_crew_id)
    contractor = Principal(Role.CONTRACTOR, organisation_id=world.contractor_id)
    stranger = Principal(Role.PLANNER, region_id=world.other_region_id)
    with pytest.raises(NotFoundError):
        record_outcome(session, other_crew, _outcome(visit, VisitOutcome.DONE))
    with pytest.raises(NotFoundError):
        record_outcome(session, stranger, _outcome(visit, VisitOutcome.DONE))
    with pytest.raises(PermissionDeniedError):
        record_outcome(session, contractor, _outcome(visit, VisitOutcome.DONE))
    with pytest.raises(ConflictError, match="version"):
        record_outcome(session, ADMIN, _outcome(visit, VisitOutcome.DONE, version=7))
    assert _fresh(session, m.CampaignVisit, visit.id).outcome is None

    record_outcome(session, ADMIN, _outcome(visit, VisitOutcome.NO_ACCESS))
    home_before = _fresh(session, m.CampaignHome, visit.campaign_home_id).version
    with pytest.raises(ConflictError, match="already ended"):
        record_outcome(session, ADMIN, _outcome(visit, VisitOutcome.DONE))
    assert _fresh(session, m.CampaignHome, visit.campaign_home_id).version == home_before
    assert _fresh(session, m.CampaignVisit, visit.id).outcome == "no_access"


def test_visits_the_day_plan_could_not_fit_go_back_to_the_sweep(session, world):
    """Named by a run's unassigned jobs: job cancelled, visit gone, home pending from tomorrow."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    left_out = made.job_ids[:2]
    run = m.PlanningRun(region_id=world.region_id, service_date=day, status="succeeded")
    session.add(run)
    session.flush()
    session.add_all(
        m.UnassignedJob(run_id=run.id, job_id=job, reason="capacity", detail="full")
        for job in left_out
    )
    session.flush()
    stranger = Principal(Role.PLANNER, region_id=world.other_region_id)
    before = counts(session)
    with pytest.raises(NotFoundError):
        return_unfitted(session, stranger, ReturnUnfitted(run_id=run.id))
    crew = Principal(Role.CREW, crew_id=world.own_crew_id)
    with pytest.raises(PermissionDeniedError):
        return_unfitted(session, crew, ReturnUnfitted(job_ids=left_out))
    assert counts(session) == before

    assert return_unfitted(session, ADMIN, ReturnUnfitted(run_id=run.id)) == 2

    for job_id in left_out:
        assert _fresh(session, m.Job, job_id).status == "cancelled"
        appointment = session.scalars(
            select(m.Appointment).where(m.Appointment.job_id == job_id)
        ).one()
        assert appointment.status == "cancelled"
    visits = {v.job_id for v in _visits(session, campaign.id)}
    assert visits == set(made.job_ids) - set(left_out)
    returned = session.scalars(
        select(m.CampaignHome)
        .where(m.CampaignHome.campaign_id == campaign.id, m.CampaignHome.state == "pending")
        .execution_options(populate_existing=True)
    ).all()
    assert len(returned) == 2
    assert {h.earliest_on for h in returned} == {day + timedelta(days=1)}
    assert return_unfitted(session, ADMIN, ReturnUnfitted(job_ids=left_out)) == 0

    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    for home in returned:
        assert _fresh(session, m.CampaignHome, home.id).day > day  # they wait for a later day
    again = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    new_homes = {session.get(m.Job, job).apartment_id for job in again.job_ids}
    assert not new_homes & {home.apartment_id for home in returned}


def test_progress_gives_the_burndown_its_facts(session, world):
    """Homes with their districts and planned days, and ended visits, in burn-down terms."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.contractor_crew_id)
    materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    done, failed = _visits(session, campaign.id)[:2]
    record_outcome(session, ADMIN, _outcome(done, VisitOutcome.DONE))
    record_outcome(session, ADMIN, _outcome(failed, VisitOutcome.NO_SHOW))

    progress = campaign_progress(session, ADMIN, campaign.id)

    assert progress.campaign.homes == len(progress.homes) == 20
    states = [home.state for home in progress.homes]
    assert states.count(HomeState.DONE) == 1
    assert {home.district_name for home in progress.homes} == {"West", "East"}
    assert [v.record.outcome for v in progress.visits] == [VisitOutcome.DONE, VisitOutcome.NO_SHOW]
    assert progress.visits[0].record.ended_at.tzinfo is not None
    failed_home = next(h for h in progress.homes if h.state is HomeState.PENDING and h.attempts)
    assert (failed_home.crew_id, failed_home.planned_day) == (world.contractor_crew_id, day)
    totals = burndown(progress.homes, progress.visits, name=progress.campaign.name)
    assert totals is not None
    with pytest.raises(PermissionDeniedError):
        campaign_progress(session, Principal(Role.CREW, crew_id=world.own_crew_id), campaign.id)


def test_materialising_needs_a_planned_campaign(session, world):
    """A draft campaign has no days yet: materialising it is a conflict that writes nothing."""
    campaign = create_campaign(session, ADMIN, new_campaign(world))
    before = counts(session)
    with pytest.raises(ConflictError, match="not active"):
        materialise_day(session, ADMIN, MaterialiseDay(campaign.id, START))
    assert counts(session) == before
    assert datetime.now(UTC)  # the clock is only used for recorded_at


def test_a_visit_routed_to_another_crew_follows_that_crew(session, world):
    """The day plan gave one of the own crew's visits to the other crew: that crew records it."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    moved, stays = made.job_ids[0], made.job_ids[1]
    run = m.PlanningRun(region_id=world.region_id, service_date=day, status="succeeded")
    session.add(run)
    session.flush()
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    for crew_id, job_id in ((world.contractor_crew_id, moved), (world.own_crew_id, stays)):
        route = m.Route(crew_id=crew_id, run_id=run.id, service_date=day, status="published")
        session.add(route)
        session.flush()
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=1,
                kind="job",
                job_id=job_id,
                arrival_at=at,
                departure_at=at + timedelta(minutes=30),
            )
        )
    session.flush()

    assert return_unfitted(session, ADMIN, ReturnUnfitted(run_id=run.id)) == 0

    by_job = {v.job_id: v for v in _visits(session, campaign.id)}
    assert by_job[moved].crew_id == world.contractor_crew_id
    assert by_job[stays].crew_id == world.own_crew_id
    home = _fresh(session, m.CampaignHome, by_job[moved].campaign_home_id)
    assert (home.day, home.crew_id) == (day, world.contractor_crew_id)
    own = Principal(Role.CREW, crew_id=world.own_crew_id)
    with pytest.raises(NotFoundError):
        record_outcome(session, own, _outcome(by_job[moved], VisitOutcome.DONE))
    routed = Principal(Role.CREW, crew_id=world.contractor_crew_id)
    assert record_outcome(session, routed, _outcome(by_job[moved], VisitOutcome.DONE)).outcome


def _day(session, world, day, *, without: int | None = None):
    """Return the day's working routing crews and its jobs (``without``: as if that crew were off)."""
    clock = DayClock.of(day, "Europe/Oslo")
    crews = day_crews(session, region_id=world.region_id, clock=clock, points=Points()).crews
    working = frozenset(c.id for c in crews if c.id != str(without))
    jobs = day_jobs(
        session, region_id=world.region_id, clock=clock, points=Points(), working=working
    )
    return [c for c in crews if c.id in working], {job.id: job for job in jobs}


def test_the_day_plan_holds_each_visit_for_the_crew_its_sweep_gave_it(session, world):
    """A day's visits go to the crew whose walk their windows follow, when that crew works."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    swept = {v.job_id: str(v.crew_id) for v in _visits(session, campaign.id)}
    crews, jobs = _day(session, world, day)
    assert str(world.own_crew_id) in {crew.id for crew in crews}
    assert made.job_ids
    for job_id in made.job_ids:
        assert jobs[str(job_id)].crews == frozenset({swept[job_id]})
        assert [c.id for c in crews if is_eligible(jobs[str(job_id)], c)] == [swept[job_id]]


def test_a_visit_whose_crew_is_off_that_day_is_anybodys(session, world):
    """A crew off sick must not strand its visits: when it does not work, no crew holds them."""
    campaign = _planned(session, world)
    day = _first_day(session, campaign.id, world.own_crew_id)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, day))
    _, jobs = _day(session, world, day, without=world.own_crew_id)
    mine = [jobs[str(job_id)] for job_id in made.job_ids if str(job_id) in jobs]
    assert len(mine) == len(made.job_ids) > 0
    assert all(job.crews is None for job in mine)
