"""Bad input is refused with a typed error, and a refused change writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from tests.helpers import make_world

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.job_commands import ChangeJobStatus
from sitecrew.domain.jobs import (
    JobStatus,
    JobTarget,
    MaintenanceAction,
    MaintenanceRecord,
    WearType,
)
from sitecrew.domain.organisations import Region
from sitecrew.domain.sites import Site, SiteKind
from sitecrew.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
)
from sitecrew.services import furniture as furniture_service
from sitecrew.services import jobs, organisations, sites

ADMIN = Principal(Role.ADMIN)
BOWTIE = Polygon([(10.75, 59.91), (10.76, 59.92), (10.76, 59.91), (10.75, 59.92)])


def _change_status(session, job_id, status, version):
    return jobs.change_job_status(session, ADMIN, ChangeJobStatus(job_id, status, version))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_out_of_range_coordinates_are_rejected_before_any_write(session):
    """A site at longitude 200 is an InvalidInputError naming the longitude."""
    world = make_world(session)
    before = _count(session, m.Site)
    with pytest.raises(InvalidInputError, match="longitude 200"):
        sites.add_site(
            session, Site("Nowhere", SiteKind.PARK, Point(200, 59.9), world.region.id)
        )
    assert _count(session, m.Site) == before


def test_self_intersecting_polygon_is_rejected_with_the_reason(session):
    """A bow-tie region outline is refused and GEOS's reason is in the message."""
    with pytest.raises(InvalidInputError, match="Self-intersection"):
        organisations.create_region(session, Region("Bow tie", BOWTIE))
    assert _count(session, m.Region) == 0


def test_job_with_two_targets_is_rejected_by_the_domain():
    """A job aimed at a furniture item and an apartment at once is refused."""
    with pytest.raises(InvalidInputError, match="exactly one target"):
        JobTarget(furniture_id=1, apartment_id=2)


def test_job_with_two_targets_is_also_refused_by_the_database(session):
    """The one-target rule holds in the database too, for writers that bypass the domain."""
    world = make_world(session)
    statement = text(
        "INSERT INTO jobs (region_id, kind, furniture_id, apartment_id, duration_minutes,"
        " required_skills, priority, status, version)"
        " VALUES (:region, 'oil', :furniture, :apartment, 20, '[]', 3, 'open', 1)"
    )
    params = {
        "region": world.region.id,
        "furniture": world.furniture.id,
        "apartment": world.apartment.id,
    }
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(statement, params)


def test_illegal_status_transition_is_rejected_and_nothing_changes(session):
    """An open job cannot jump to done; status and version stay as they were."""
    world = make_world(session)
    with pytest.raises(IllegalTransitionError, match="cannot go from open to done"):
        _change_status(session, world.job.id, JobStatus.DONE, 1)
    session.expire_all()
    row = session.get(m.Job, world.job.id)
    assert (row.status, row.version) == ("open", 1)


def test_stale_version_is_a_conflict_and_nothing_changes(session):
    """A writer holding version 1 after someone moved the job to version 2 gets a conflict."""
    world = make_world(session)
    moved = _change_status(session, world.job.id, JobStatus.SCHEDULED, 1)
    assert moved.version == 2
    with pytest.raises(ConflictError, match="version 2, not 1"):
        _change_status(session, world.job.id, JobStatus.CANCELLED, 1)
    session.expire_all()
    row = session.get(m.Job, world.job.id)
    assert (row.status, row.version) == ("scheduled", 2)


def test_allowed_transitions_walk_a_job_to_done(session):
    """Open → scheduled → in progress → done, the version rising at each step."""
    world = make_world(session)
    version = 1
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.DONE):
        job = _change_status(session, world.job.id, status, version)
        assert job.status is status
        assert job.version == version + 1
        version = job.version


def test_unknown_reference_is_not_found_and_writes_nothing(session):
    """A maintenance record for a crew that does not exist is refused as a whole."""
    world = make_world(session)
    record = MaintenanceRecord(
        world.furniture.id,
        date(2026, 5, 1),
        MaintenanceAction.REPAIRED,
        WearType.CRACKING,
        2,
        crew_id=999_999,
    )
    with pytest.raises(NotFoundError, match="no crew with id 999999"):
        furniture_service.add_maintenance_record(session, record)
    session.expire_all()
    assert _count(session, m.MaintenanceRecord) == 0
    assert session.get(m.Furniture, world.furniture.id).last_maintained_on is None


def test_duplicate_serial_is_a_conflict_and_leaves_the_first_item(session):
    """Two items cannot share a serial number; the second write is refused."""
    from dataclasses import replace

    world = make_world(session)
    with pytest.raises(ConflictError, match="furniture cannot be saved"):
        furniture_service.add_furniture(session, replace(world.furniture, id=None))
    assert _count(session, m.Furniture) == 1


def test_database_enforces_foreign_keys_after_migrations(session):
    """A row pointing at a missing parent is refused by the database itself (SQLite too)."""
    statement = text(
        "INSERT INTO crew_members (crew_id, name, role, skills) VALUES (424242, 'Ghost', 'member', '[]')"
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(statement)
