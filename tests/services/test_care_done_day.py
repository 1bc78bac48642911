"""A care job reported done later stamps the day it was done, never a day still to come."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.services.care_plan_world import (
    ADMIN,
    add_piece,
    inspect_plan,
    make_care_world,
    store_plan,
)

from sitecrew.db import models as m
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import JobStatus
from sitecrew.errors import InvalidInputError
from sitecrew.services import jobs
from sitecrew.services.care.due import GenerateDueWork, generate_due_work

TODAY = datetime.now(ZoneInfo("Europe/Oslo")).date()  # the region's local day
LAST_YEAR = TODAY - timedelta(days=365)


def _done(session, job_id: int, done_on: date) -> None:
    version = session.get(m.Job, job_id).version
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        version = jobs.change_job_status(session, ADMIN, ChangeJobStatus(job_id, status, version))
        version = version.version
    command = ChangeJobStatus(job_id, JobStatus.DONE, version, done_on=done_on)
    jobs.change_job_status(session, ADMIN, command)


def test_the_day_given_is_the_day_the_pieces_were_done(session):
    world = make_care_world(session)
    store_plan(session, inspect_plan(world))
    piece = add_piece(session, world, 0, "D-1", installed=date(2020, 1, 1))
    command = GenerateDueWork(world.region_id, 56, today=LAST_YEAR)
    [work] = generate_due_work(session, ADMIN, command).created

    _done(session, work.job_id, LAST_YEAR + timedelta(days=3))

    assert session.get(m.JobItem, (work.job_id, piece)).done_on == LAST_YEAR + timedelta(days=3)


def test_a_day_to_come_is_refused_and_nothing_is_stamped(session):
    world = make_care_world(session)
    store_plan(session, inspect_plan(world))
    piece = add_piece(session, world, 0, "D-1", installed=date(2020, 1, 1))
    [work] = generate_due_work(session, ADMIN, GenerateDueWork(world.region_id, 56)).created

    with pytest.raises(InvalidInputError, match="future day"):
        _done(session, work.job_id, TODAY + timedelta(days=3))

    assert session.get(m.JobItem, (work.job_id, piece)).done_on is None


def test_a_done_day_goes_only_with_done():
    with pytest.raises(InvalidInputError, match="only with the status done"):
        ChangeJobStatus(1, JobStatus.SCHEDULED, 1, done_on=date(2025, 5, 1))
