"""Installation projects: an order for new furniture is one two-person job with the van per
crew-day of work (its parts); done, its pieces enter the register once and their care plans count
from that day; cancelled, the order is cancelled; only admins and the site's region's planners
order them. Orders bigger than a crew-day: test_installation_parts.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from tests.services.care_plan_world import ADMIN, inspect_plan, make_care_world, store_plan

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.installations import CreateInstallation, InstallationLine
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import JobKind, JobStatus
from sitecrew.domain.sites import FurnitureCategory, FurnitureModel
from sitecrew.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from sitecrew.services import furniture as furniture_service
from sitecrew.services import jobs
from sitecrew.services.care.due import GenerateDueWork, generate_due_work
from sitecrew.services.care.installations import (
    CancelInstallation,
    cancel_installation,
    create_installation,
    list_installations,
)
from sitecrew.services.care.installing import install_pieces

TODAY = datetime.now(ZoneInfo("Europe/Oslo")).date()  # the region's local day
LAST_YEAR = TODAY - timedelta(days=365)


def _order(world, count: int = 3, **values) -> CreateInstallation:
    line = InstallationLine(world.model_id, count)
    return CreateInstallation(world.site_ids[0], (line,), **values)


def _done(session, job_id: int, done_on: date | None = None) -> None:
    version = session.get(m.Job, job_id).version
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        version = jobs.change_job_status(session, ADMIN, ChangeJobStatus(job_id, status, version))
        version = version.version
    command = ChangeJobStatus(job_id, JobStatus.DONE, version, done_on=done_on)
    jobs.change_job_status(session, ADMIN, command)


def _pieces_at(session, site_id: int) -> list[m.Furniture]:
    query = select(m.Furniture).where(m.Furniture.site_id == site_id).order_by(m.Furniture.id)
    return list(session.scalars(query))


def test_an_order_within_a_crew_day_is_one_job_for_two_people_with_the_van(session):
    world = make_care_world(session)
    order = create_installation(
        session,
        world.planner(),
        _order(world, wanted_from=date(2026, 5, 4), wanted_to=date(2026, 5, 29), notes="gate B"),
    )

    [part] = order.parts
    job = session.get(m.Job, part.job_id)
    care = session.get(m.CareJob, part.job_id)
    assert (part.part, part.pieces) == (1, order.lines)
    assert (job.kind, job.site_id, job.region_id) == (
        JobKind.INSTALL_FURNITURE.value,
        world.site_ids[0],
        world.region_id,
    )
    assert job.required_skills == ["driving", "furniture_installation"]
    assert job.duration_minutes == 30 + 3 * 90  # setup once, then 90 min per piece
    assert job.due_on == date(2026, 5, 4)
    assert (care.people, care.due_from, care.due_by) == (2, date(2026, 5, 4), date(2026, 5, 29))
    assert (order.status, order.pieces, order.notes) == (JobStatus.OPEN, 3, "gate B")
    assert order.version == job.version


def test_without_a_window_the_order_is_wanted_within_four_weeks_of_today(session):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))
    assert (order.wanted_from, order.wanted_to) == (TODAY, TODAY + timedelta(days=27))


def test_done_puts_exactly_the_ordered_pieces_in_the_register_once(session):
    world = make_care_world(session)
    chair = furniture_service.add_furniture_model(
        session, FurnitureModel("Care chair", FurnitureCategory.BENCH, "oak", 365)
    )
    lines = (InstallationLine(world.model_id, 2), InstallationLine(chair.id, 1, 45))
    order = create_installation(session, ADMIN, CreateInstallation(world.site_ids[0], lines))
    day = TODAY - timedelta(days=2)

    _done(session, order.parts[0].job_id, day)

    pieces = _pieces_at(session, world.site_ids[0])
    assert sorted(p.model_id for p in pieces) == sorted([world.model_id, world.model_id, chair.id])
    assert {(p.installed_on, p.condition_grade) for p in pieces} == {(day, 0)}
    [stored] = list_installations(session, ADMIN, site_id=world.site_ids[0])
    assert stored.status is JobStatus.DONE
    assert stored.installed_on == day
    assert stored.furniture_ids == tuple(p.id for p in pieces)

    job = session.get(m.Job, order.parts[0].job_id)
    assert install_pieces(session, job, TODAY) == 0  # run again: nothing new
    assert len(_pieces_at(session, world.site_ids[0])) == 3
    with pytest.raises(IllegalTransitionError):  # finished twice: refused, nothing added
        jobs.change_job_status(session, ADMIN, ChangeJobStatus(job.id, JobStatus.DONE, job.version))
    assert len(_pieces_at(session, world.site_ids[0])) == 3


def test_the_first_care_action_counts_from_the_installation_day(session):
    world = make_care_world(session)
    store_plan(session, inspect_plan(world))  # yearly inspection, no season
    order = create_installation(session, ADMIN, _order(world, count=2))
    _done(session, order.parts[0].job_id, LAST_YEAR)

    early = GenerateDueWork(world.region_id, 56, today=LAST_YEAR + timedelta(days=30))
    assert generate_due_work(session, ADMIN, early).created == ()
    late = GenerateDueWork(world.region_id, 56, today=LAST_YEAR + timedelta(days=330))
    [work] = generate_due_work(session, ADMIN, late).created

    assert work.action == "inspect"
    assert sorted(work.furniture_ids) == sorted(order_pieces(session, order.id))
    assert work.due_from == _a_year_after(LAST_YEAR)


def order_pieces(session, order_id: int) -> list[int]:
    [stored] = [o for o in list_installations(session, ADMIN) if o.id == order_id]
    return list(stored.furniture_ids)


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def test_cancelling_the_order_cancels_its_job_and_installs_nothing(session):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))

    cancelled = cancel_installation(
        session, world.planner(), CancelInstallation(order.id, order.version)
    )

    assert cancelled.status is JobStatus.CANCELLED
    assert session.get(m.Job, order.parts[0].job_id).status == JobStatus.CANCELLED.value
    again = cancel_installation(session, ADMIN, CancelInstallation(order.id, cancelled.version))
    assert again.version == cancelled.version  # again: no change
    with pytest.raises(ConflictError):
        cancel_installation(session, ADMIN, CancelInstallation(order.id, order.version))
    assert _pieces_at(session, world.site_ids[0]) == []


def test_a_job_cancelled_as_a_job_cancels_the_order(session):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))
    jobs.change_job_status(
        session, ADMIN, ChangeJobStatus(order.parts[0].job_id, JobStatus.CANCELLED, order.version)
    )
    statuses = [o.status for o in list_installations(session, ADMIN, status=JobStatus.CANCELLED)]
    assert statuses == [JobStatus.CANCELLED]
    assert list_installations(session, ADMIN, status=JobStatus.OPEN) == []


def test_a_done_installation_cannot_be_cancelled(session):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))
    _done(session, order.parts[0].job_id)
    [version] = [o.version for o in list_installations(session, ADMIN)]
    with pytest.raises(IllegalTransitionError):
        cancel_installation(session, ADMIN, CancelInstallation(order.id, version))
    assert len(_pieces_at(session, world.site_ids[0])) == 3


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
        Principal(Role.TENANT, apartment_id=1, campaign_id=1),
    ],
    ids=["crew", "contractor", "tenant"],
)
def test_only_planners_and_admins_order_read_or_cancel_installations(session, principal):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))
    with pytest.raises(PermissionDeniedError):
        create_installation(session, principal, _order(world))
    with pytest.raises(PermissionDeniedError):
        cancel_installation(session, principal, CancelInstallation(order.id, order.version))
    with pytest.raises(PermissionDeniedError):
        list_installations(session, principal)
    assert session.scalar(select(func.count()).select_from(m.Installation)) == 1


def test_a_planner_of_another_region_can_neither_order_nor_see_nor_cancel(session):
    world = make_care_world(session)
    order = create_installation(session, ADMIN, _order(world))
    other = world.planner(other=True)
    with pytest.raises(NotFoundError):
        create_installation(session, other, _order(world))
    with pytest.raises(NotFoundError):
        cancel_installation(session, other, CancelInstallation(order.id, order.version))
    with pytest.raises(PermissionDeniedError):
        list_installations(session, other, region_id=world.region_id)
    assert list_installations(session, other) == []
    assert session.get(m.Job, order.parts[0].job_id).status == JobStatus.OPEN.value


def test_unknown_sites_and_models_are_not_found_and_nothing_is_written(session):
    world = make_care_world(session)
    with pytest.raises(NotFoundError, match="site"):
        create_installation(
            session, ADMIN, CreateInstallation(999_999, (InstallationLine(world.model_id, 1),))
        )
    with pytest.raises(NotFoundError, match="furniture model"):
        create_installation(
            session, ADMIN, CreateInstallation(world.site_ids[0], (InstallationLine(999_999, 1),))
        )
    assert session.scalar(select(func.count()).select_from(m.Job)) == 0
    assert session.scalar(select(func.count()).select_from(m.Installation)) == 0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda w: InstallationLine(w.model_id, 0), "at least 1 piece"),
        (lambda w: InstallationLine(w.model_id, -2), "at least 1 piece"),
        (lambda w: InstallationLine(w.model_id, 1, 0), "minutes per piece"),
        (lambda w: _order(w, wanted_from=date(2026, 5, 9), wanted_to=date(2026, 5, 1)), "ends"),
        (lambda w: _order(w, count=201), "200"),
        (lambda w: _order(w, count=81), "more than 20"),
        (lambda w: InstallationLine(w.model_id, 1, 421), "minutes per piece"),
        (lambda w: CreateInstallation(w.site_ids[0], ()), "at least one model"),
        (
            lambda w: CreateInstallation(
                w.site_ids[0], (InstallationLine(w.model_id, 1), InstallationLine(w.model_id, 1))
            ),
            "each model once",
        ),
    ],
    ids=[
        "zero",
        "negative",
        "no-minutes",
        "window",
        "too-many-pieces",
        "too-many-crew-days",
        "piece-above-a-day",
        "no-lines",
        "model-twice",
    ],
)
def test_bad_orders_are_refused_as_invalid_input(session, build, message):
    world = make_care_world(session)
    with pytest.raises(InvalidInputError, match=message):
        build(world)


def test_a_window_ending_before_today_without_a_start_is_refused(session):
    world = make_care_world(session)
    command = _order(world, wanted_to=TODAY - timedelta(days=1))
    with pytest.raises(InvalidInputError, match="ends"):
        create_installation(session, ADMIN, command)
    assert session.scalar(select(func.count()).select_from(m.Job)) == 0
