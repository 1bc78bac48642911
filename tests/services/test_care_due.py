"""Due care work (#17 item 2): seasons, one job per site, idempotence, rank, cycles advancing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.services.care_plan_world import (
    ADMIN,
    add_piece,
    inspect_plan,
    job_items,
    make_care_world,
    oil_plan,
    store_plan,
)

from sitecrew.db import models as m
from sitecrew.domain.care import RegionSeason, Season
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import Job, JobKind, JobStatus, JobTarget
from sitecrew.errors import InvalidInputError, PermissionDeniedError
from sitecrew.services import jobs
from sitecrew.services.care.due import GenerateDueWork, generate_due_work
from sitecrew.services.care.seasons import set_care_season

WINTER = date(2026, 1, 20)
SPRING = date(2026, 4, 20)


def _run(session, world, today: date, horizon_days: int = 56):
    command = GenerateDueWork(world.region_id, horizon_days, today=today)
    return generate_due_work(session, ADMIN, command)


def test_winter_oiling_moves_to_the_season_start_when_it_falls_outside(session):
    """An oiling due in January waits for April 1st; an 8-week horizon does not reach it."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    add_piece(session, world, 0, "W-1", oiled=date(2025, 1, 15))

    assert _run(session, world, WINTER).created == ()
    [work] = _run(session, world, WINTER, horizon_days=84).created
    assert (work.due_from, work.due_by) == (date(2026, 4, 1), date(2026, 4, 29))
    assert work.days_overdue == 5  # due 2026-01-15, seen on 2026-01-20
    job = session.get(m.Job, work.job_id)
    assert job.due_on == date(2026, 4, 1)


def test_a_regions_own_season_replaces_the_plans(session):
    """With May-August as the region's oiling season, winter oiling waits for May 1st."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    add_piece(session, world, 0, "W-2", oiled=date(2025, 1, 15))
    set_care_season(session, ADMIN, RegionSeason(world.region_id, "oil", Season(5, 8)))

    [work] = _run(session, world, WINTER, horizon_days=120).created
    assert work.due_from == date(2026, 5, 1)


def test_the_window_closes_with_the_season(session):
    """Oiling due in late September must be done by September 30th."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    add_piece(session, world, 0, "W-3", oiled=date(2025, 9, 20))

    [work] = _run(session, world, date(2026, 9, 1)).created
    assert (work.due_from, work.due_by) == (date(2026, 9, 20), date(2026, 9, 30))


def test_one_job_per_site_and_action_holds_every_piece_due_there(session):
    """Three benches at one yard and two at another: two oiling jobs, setup paid once each."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    first = [add_piece(session, world, 0, f"G-{i}", oiled=date(2025, 5, 1)) for i in range(3)]
    second = [add_piece(session, world, 1, f"H-{i}", oiled=date(2025, 5, 10)) for i in range(2)]
    add_piece(session, world, 2, "LATER", oiled=date(2026, 3, 1))  # due next March: not now

    report = _run(session, world, SPRING)

    by_site = {work.site_id: work for work in report.created}
    assert set(by_site) == {world.site_ids[0], world.site_ids[1]}
    yard = by_site[world.site_ids[0]]
    assert yard.furniture_ids == tuple(first)
    assert yard.duration_minutes == 10 + 3 * 25
    assert job_items(session, yard.job_id) == first
    assert job_items(session, by_site[world.site_ids[1]].job_id) == second
    job = session.get(m.Job, yard.job_id)
    assert (job.site_id, job.furniture_id, job.kind) == (world.site_ids[0], None, "oil")
    assert job.required_skills == ["oiling"]
    assert job.status == JobStatus.OPEN.value
    care = session.get(m.CareJob, yard.job_id)
    assert (care.action, care.due_from, care.people) == ("oil", date(2026, 5, 1), 1)


def test_a_second_run_makes_nothing_new(session):
    """Run twice: the second finds every due piece covered by the first run's jobs."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    store_plan(session, inspect_plan(world))
    for i in range(4):
        add_piece(session, world, i % 2, f"I-{i}", oiled=date(2025, 4, 1))

    first = _run(session, world, SPRING)
    second = _run(session, world, SPRING + timedelta(days=3))

    assert len(first.created) == 4  # two sites x (oil, inspect)
    assert second.created == ()
    assert second.pieces_already_covered == 8
    assert len(session.scalars(select(m.JobItem)).all()) == 8


def test_overdue_work_comes_first_ranked_by_days_then_condition(session):
    """Most overdue first; at equal delay the worse condition first; future work last."""
    world = make_care_world(session)
    store_plan(session, inspect_plan(world))
    add_piece(session, world, 2, "FUTURE", installed=date(2025, 5, 10))  # due 2026-05-10
    add_piece(session, world, 1, "WORN", installed=date(2025, 3, 1), grade=3)  # 50 days late
    add_piece(session, world, 0, "OK", installed=date(2025, 3, 1), grade=1)  # 50 days late
    add_piece(session, world, 0, "LATEST", installed=date(2024, 12, 1))  # 140 days late

    report = _run(session, world, SPRING)

    order = [(work.site_id, work.days_overdue, work.worst_grade) for work in report.created]
    assert order == [
        (world.site_ids[0], 140, 1),
        (world.site_ids[1], 50, 3),
        (world.site_ids[2], 0, 0),
    ]
    assert [work.priority for work in report.created] == [4, 5, 2]


def test_completing_a_care_job_starts_its_pieces_next_cycle(session):
    """Done: each piece's next inspection is a year after; a cancelled job's pieces return."""
    world = make_care_world(session)
    store_plan(session, inspect_plan(world))
    done_piece = add_piece(session, world, 0, "D-1", installed=date(2020, 1, 1))
    cancelled_piece = add_piece(session, world, 1, "C-1", installed=date(2020, 1, 1))
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()  # the region's local day
    by_site = {work.site_id: work for work in _run(session, world, today).created}
    done, cancelled = by_site[world.site_ids[0]], by_site[world.site_ids[1]]

    version = session.get(m.Job, done.job_id).version
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.DONE):
        job = jobs.change_job_status(session, ADMIN, ChangeJobStatus(done.job_id, status, version))
        version = job.version
    job = session.get(m.Job, cancelled.job_id)
    jobs.change_job_status(
        session, ADMIN, ChangeJobStatus(cancelled.job_id, JobStatus.CANCELLED, job.version)
    )

    item = session.get(m.JobItem, (done.job_id, done_piece))
    assert item.done_on == today
    [again] = _run(session, world, today + timedelta(days=1)).created
    assert again.furniture_ids == (cancelled_piece,)
    later = _run(session, world, item.done_on + timedelta(days=330), horizon_days=56)
    assert [work.furniture_ids for work in later.created] == [(done_piece,)]


def test_a_job_aimed_at_the_piece_already_covers_it(session):
    """An open oiling job for the bench itself (made by hand, or by the demo) counts."""
    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    piece = add_piece(session, world, 0, "J-1", oiled=date(2025, 5, 1))
    jobs.add_job(session, Job(JobKind.OIL, JobTarget(furniture_id=piece), world.region_id, 25))

    report = _run(session, world, SPRING)
    assert report.created == ()
    assert report.pieces_already_covered == 1


def test_planners_run_due_work_only_in_their_region(session):
    """Another region's planner, a crew and a contractor are refused before anything runs."""
    from sitecrew.domain.access import Principal, Role

    world = make_care_world(session)
    store_plan(session, oil_plan(world))
    add_piece(session, world, 0, "P-1", oiled=date(2025, 5, 1))
    command = GenerateDueWork(world.region_id, 56, today=SPRING)

    for principal in (
        world.planner(other=True),
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
    ):
        with pytest.raises(PermissionDeniedError):
            generate_due_work(session, principal, command)
    assert len(generate_due_work(session, world.planner(), command).created) == 1


def test_a_horizon_beyond_a_year_is_refused():
    """The horizon is a range of days: a negative one or over a year is an input error."""
    with pytest.raises(InvalidInputError):
        GenerateDueWork(1, 400)
    with pytest.raises(InvalidInputError):
        GenerateDueWork(1, -1)
