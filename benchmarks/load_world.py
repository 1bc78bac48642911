"""The load and fault tests' world: the API benchmark's demo world plus what a mixed load needs.

``api_bench_world.prepare_world`` loads the demo (22,010 apartments, 13 crews) into a database,
plans and publishes next Tuesday (``api_bench_world.DAY``) and issues an admin and a crew token. This module gives that world
a database of its own (``sitecrew_load_<pid>``, created here and dropped by :func:`drop_database`,
so a benchmark never touches another's), a region planner's token, and the rows the mixed load
writes to, chosen so the writers cannot blur each other's ledger:

- *status jobs*: care jobs (not installations) no planning run of the planned day can take (no
  due date, or due after it): only the load's status changes move their version;
- *booking jobs*: installations, booked for windows from tomorrow on (the day planned is in the
  past, so bookings never change what a planning run takes);
- the highest ids of appointments, wear reports and planning runs before the load, so the
  checks know which rows the load made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, func, or_, select, text
from sqlalchemy.engine import make_url

from api_bench_world import DAY, World, prepare_world
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token

if TYPE_CHECKING:
    from sitecrew.config import OsmSettings

#: Care jobs whose status the load moves OPEN <-> SCHEDULED (shared by all clients: conflicts).
STATUS_JOBS = 96
#: Installations the load books and reschedules appointments for.
BOOKING_JOBS = 120


@dataclass(frozen=True)
class LoadWorld:
    """The API benchmark's world plus a planner, the load's jobs and the ids before the load."""

    base: World
    planner: str
    region_id: int
    #: (id, status, version) of care jobs no plan of the day takes.
    status_jobs: list[tuple[int, str, int]]
    booking_jobs: list[int]
    #: Highest id per table before the load ("appointments", "maintenance_records", "runs").
    before: dict[str, int]


def admin_url(base: str) -> str:
    """Return the maintenance database's URL of the server ``base`` points at."""
    url = make_url(base).set(drivername="postgresql+psycopg", database="postgres")
    return url.render_as_string(hide_password=False)


def create_database(base: str, name: str) -> str:
    """Create the empty database ``name`` on the server of ``base``; return its URL."""
    engine = create_engine(admin_url(base), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (the benchmark's own), whoever is still connected."""
    name = make_url(url).database
    engine = create_engine(admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def default_server_url() -> str:
    """Return the PostgreSQL server the tests use (``SITECREW_TEST_POSTGRES_URL``)."""
    return os.environ.get(
        "SITECREW_TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )


def prepare_load_world(url: str, osm: OsmSettings, *, plan_seconds: float) -> LoadWorld:
    """Load and plan the demo into ``url`` and pick the rows the load writes to."""
    base = prepare_world(url, osm, plan_seconds=plan_seconds)
    engine = engine_from_url(url)
    with session_factory(engine).begin() as session:
        region_id = session.scalars(select(m.Region.id)).one()
        planner = create_token(session, name="load planner", role=Role.PLANNER, region_id=region_id)
        status_jobs = session.execute(
            select(m.Job.id, m.Job.status, m.Job.version)
            .where(
                m.Job.kind != "install_media_box",
                m.Job.status.in_(("open", "scheduled")),
                or_(m.Job.due_on.is_(None), m.Job.due_on > DAY),
            )
            .order_by(m.Job.id)
            .limit(STATUS_JOBS)
        ).all()
        booking_jobs = session.scalars(
            select(m.Job.id)
            .where(m.Job.kind == "install_media_box", m.Job.status.in_(("open", "scheduled")))
            .order_by(m.Job.id)
            .limit(BOOKING_JOBS)
        ).all()
        before = {
            "appointments": session.scalar(select(func.max(m.Appointment.id))) or 0,
            "maintenance_records": session.scalar(select(func.max(m.MaintenanceRecord.id))) or 0,
            "runs": session.scalar(select(func.max(m.PlanningRun.id))) or 0,
        }
    engine.dispose()
    return LoadWorld(
        base=base,
        planner=planner.secret,
        region_id=region_id,
        status_jobs=[(job_id, status, version) for job_id, status, version in status_jobs],
        booking_jobs=list(booking_jobs),
        before=before,
    )
