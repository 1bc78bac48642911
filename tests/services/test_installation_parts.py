"""An installation bigger than one crew-day is split by the product into parts, one two-person
job each: a schoolyard's 12 benches and 4 tables are four crew-days, not a refusal. Each part's
pieces enter the register once, when its job is done; the order is done after its last part.
Cancelling an order cancels the parts still to do and keeps what is installed; a part's job
cancelled as a job cancels just that part."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.services.care_plan_world import ADMIN, make_care_world
from tests.services.test_installations import TODAY, _done, _pieces_at

from sitecrew.db import models as m
from sitecrew.domain.installations import (
    INSTALL_DAY_MINUTES,
    CreateInstallation,
    InstallationLine,
    job_minutes,
    split_into_parts,
)
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import JobStatus
from sitecrew.domain.sites import FurnitureCategory, FurnitureModel
from sitecrew.errors import IllegalTransitionError
from sitecrew.services import furniture as furniture_service
from sitecrew.services import jobs
from sitecrew.services.care.installations import (
    CancelInstallation,
    cancel_installation,
    create_installation,
    list_installations,
)
from sitecrew.services.care.installing import install_pieces


def _schoolyard(session):
    """12 benches (90 min each) and 4 tables (60 min each) for the world's first yard."""
    world = make_care_world(session)
    table = furniture_service.add_furniture_model(
        session, FurnitureModel("Yard table", FurnitureCategory.TABLE, "larch", 365)
    )
    lines = (InstallationLine(world.model_id, 12), InstallationLine(table.id, 4, 60))
    command = CreateInstallation(
        world.site_ids[0], lines, wanted_from=TODAY, wanted_to=TODAY + timedelta(days=20)
    )
    return world, table.id, create_installation(session, world.planner(), command)


def _stored(session, order_id: int):
    [order] = [o for o in list_installations(session, ADMIN) if o.id == order_id]
    return order


def test_parts_fill_a_crew_day_in_line_order_and_a_line_may_split():
    bench = InstallationLine(1, 12)
    table = InstallationLine(2, 4, 60)
    parts = split_into_parts((bench, table))
    assert parts == (
        (InstallationLine(1, 4),),  # 30 + 4 x 90 = 390: a fifth bench would not fit
        (InstallationLine(1, 4),),
        (InstallationLine(1, 4), InstallationLine(2, 1, 60)),  # 390 + 60 = 450: full
        (InstallationLine(2, 3, 60),),
    )
    assert split_into_parts((InstallationLine(1, 3),)) == ((InstallationLine(1, 3),),)


def test_a_schoolyard_delivery_becomes_crew_day_jobs_covering_every_piece_once(session):
    world, table_id, order = _schoolyard(session)

    assert [part.part for part in order.parts] == [1, 2, 3, 4]
    assert (order.status, order.pieces) == (JobStatus.OPEN, 16)
    covered: Counter[int] = Counter()
    for part in order.parts:
        job = session.get(m.Job, part.job_id)
        care = session.get(m.CareJob, part.job_id)
        assert job.duration_minutes == job_minutes(part.pieces) <= INSTALL_DAY_MINUTES
        assert job.required_skills == ["driving", "furniture_installation"]
        assert (job.site_id, job.due_on, job.status) == (world.site_ids[0], TODAY, "open")
        assert (care.people, care.due_from, care.due_by) == (2, TODAY, order.wanted_to)
        covered.update({line.model_id: line.count for line in part.pieces})
    assert covered == {world.model_id: 12, table_id: 4}
    assert order.version == len(order.parts)  # each part's job at version 1


def test_each_part_adds_its_pieces_once_and_the_order_is_done_after_the_last(session):
    world, table_id, order = _schoolyard(session)
    first, *rest = order.parts
    day = TODAY - timedelta(days=3)

    _done(session, first.job_id, day)
    assert install_pieces(session, session.get(m.Job, first.job_id), TODAY) == 0  # again: none
    after_one = _stored(session, order.id)
    assert [p.model_id for p in _pieces_at(session, world.site_ids[0])] == [world.model_id] * 4
    assert (after_one.status, after_one.installed_on) == (JobStatus.IN_PROGRESS, None)
    assert after_one.parts[0].installed_on == day
    assert list_installations(session, ADMIN, status=JobStatus.IN_PROGRESS) == [after_one]

    for number, part in enumerate(rest, start=1):
        _done(session, part.job_id, day + timedelta(days=number))

    done = _stored(session, order.id)
    pieces = _pieces_at(session, world.site_ids[0])
    assert Counter(p.model_id for p in pieces) == {world.model_id: 12, table_id: 4}
    assert len({p.serial for p in pieces}) == 16
    assert {p.serial for p in pieces if p.model_id == table_id} == {
        f"INST-{order.id}-{table_id}-{n}" for n in range(1, 5)
    }
    assert (done.status, done.installed_on) == (JobStatus.DONE, day + timedelta(days=3))
    assert session.get(m.Installation, order.id).installed_on == done.installed_on
    assert done.furniture_ids == tuple(p.id for p in pieces)


def test_cancelling_a_partly_done_order_cancels_the_rest_and_keeps_what_is_installed(session):
    world, _table_id, order = _schoolyard(session)
    _done(session, order.parts[0].job_id, TODAY)
    read = _stored(session, order.id)

    cancelled = cancel_installation(session, ADMIN, CancelInstallation(order.id, read.version))

    assert [part.status for part in cancelled.parts] == [
        JobStatus.DONE,
        JobStatus.CANCELLED,
        JobStatus.CANCELLED,
        JobStatus.CANCELLED,
    ]
    assert (cancelled.status, cancelled.installed_on) == (JobStatus.DONE, TODAY)
    assert len(_pieces_at(session, world.site_ids[0])) == 4
    with pytest.raises(IllegalTransitionError):  # nothing left to cancel
        cancel_installation(session, ADMIN, CancelInstallation(order.id, cancelled.version))


def test_an_order_with_a_part_under_way_is_not_cancelled_at_all(session):
    _world, _table_id, order = _schoolyard(session)
    job_id = order.parts[1].job_id
    version = session.get(m.Job, job_id).version
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        version = jobs.change_job_status(
            session, ADMIN, ChangeJobStatus(job_id, status, version)
        ).version
    read = _stored(session, order.id)
    assert read.status is JobStatus.IN_PROGRESS

    with pytest.raises(IllegalTransitionError):
        cancel_installation(session, ADMIN, CancelInstallation(order.id, read.version))
    assert [p.status for p in _stored(session, order.id).parts].count(JobStatus.OPEN) == 3


def test_a_part_cancelled_as_a_job_cancels_just_that_part(session):
    world, table_id, order = _schoolyard(session)
    last = order.parts[-1]
    jobs.change_job_status(session, ADMIN, ChangeJobStatus(last.job_id, JobStatus.CANCELLED, 1))

    read = _stored(session, order.id)
    assert read.status is JobStatus.OPEN
    assert [p.status for p in read.parts] == [JobStatus.OPEN] * 3 + [JobStatus.CANCELLED]

    for part in order.parts[:-1]:
        _done(session, part.job_id, TODAY)
    done = _stored(session, order.id)
    assert (done.status, done.installed_on) == (JobStatus.DONE, TODAY)
    installed = Counter(p.model_id for p in _pieces_at(session, world.site_ids[0]))
    assert installed == {world.model_id: 12, table_id: 1}  # the cancelled part's 3 tables not


def test_every_part_is_a_job_for_two_in_the_backlog(session):
    _world, _table_id, order = _schoolyard(session)
    job_ids = {part.job_id for part in order.parts}
    people = session.scalars(select(m.CareJob.people).where(m.CareJob.job_id.in_(job_ids)))
    assert list(people) == [2, 2, 2, 2]
