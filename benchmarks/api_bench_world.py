"""The API benchmark's world: the demo in a fresh database, a planned and published day, tokens.

``prepare_world`` builds a PostGIS database ``sitecrew_bench`` (dropped and created) or a
SpatiaLite file, loads the demo world (22,010 apartments, 13 crews, the installations of
:data:`DAY`, the next Tuesday), plans that day through the real planning path (``plan_day``: the day's jobs, the
Oslo street graph, the solver, draft routes) and publishes it, then issues tokens: an admin and
a crew on that day's published routes (the crew with the most stops). With ``reuse`` an already
prepared database is used as it is (for repeated runs while profiling; writes of earlier runs
stay in it).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import and_, create_engine, func, select, text
from sqlalchemy.engine import make_url

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, refresh_statistics, session_factory
from sitecrew.db.repositories import spatial
from sitecrew.domain.access import Role
from sitecrew.domain.geo import BBox
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.access import create_token
from sitecrew.services.demo import load_demo
from sitecrew.services.planning.runs import plan_day

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings

def next_tuesday(today: date | None = None) -> date:
    """Return the first Tuesday after ``today`` that is not a Norwegian public holiday.

    A day still to come, because a crew sees the jobs of its own routes from today on: on a
    past day (the bench used 2026-06-02) a crew's route answered every stop's job, apartment and
    furniture as null, which made the crew-route cell cheaper than a crew's real morning read.
    """
    day = (today or datetime.now(ZoneInfo("Europe/Oslo")).date()) + timedelta(days=1)
    no_holidays = holidays.country_holidays("NO", years=range(day.year, day.year + 2))
    while day.weekday() != 1 or day in no_holidays:
        day += timedelta(days=1)
    return day


#: The demo's busy day: planned and published in the setup, asked for by crews in the bench.
DAY = next_tuesday()
#: The day wear reports are recorded for (work done is never in the future).
TODAY = datetime.now(ZoneInfo("Europe/Oslo")).date()
REGION_NAME = "Oslo sentrum"
REGION_SLUG = "oslo"
#: Jobs whose status the change_job_status cells move back and forth (OPEN <-> SCHEDULED).
STATUS_JOBS = 64


@dataclass(frozen=True)
class World:
    """What the scenarios need: where the data are, who asks, and the ids they ask about."""

    url: str
    admin: str
    crew: str
    crew_id: int
    region_slug: str
    run_id: int
    box: BBox
    furniture: list[int]
    #: (id, status, version) of open or scheduled furniture-care jobs.
    status_jobs: list[tuple[int, str, int]]
    setup_s: dict[str, float]


def database_url(backend: str, workdir: Path, *, reuse: bool) -> str:
    """Return the benchmark database's URL; a fresh (empty) database unless ``reuse``."""
    if backend == "spatialite":
        path = workdir / "bench.db"
        if not reuse:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = os.environ.get(
        "SITECREW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/sitecrew_test"
    )
    url = make_url(base).set(database="sitecrew_bench").render_as_string(hide_password=False)
    admin = make_url(base).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = 'sitecrew_bench'")
        )
        if not (reuse and exists):
            connection.execute(text('DROP DATABASE IF EXISTS "sitecrew_bench" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "sitecrew_bench"'))
    engine.dispose()
    return url


def prepare_world(url: str, osm: OsmSettings, *, plan_seconds: float) -> World:
    """Load and plan the demo unless the database already holds it; issue tokens; find ids."""
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    setup: dict[str, float] = {}
    with sessions() as session:
        loaded = bool(session.scalar(select(func.count()).select_from(m.Region)))
        planned = bool(session.scalar(select(func.count()).where(_published_on_day())))
    if not loaded:
        started = time.perf_counter()
        with sessions.begin() as session:
            load_demo(
                session, osm.directory / "oslo.osm.pbf", region_name=REGION_NAME, plan_day=DAY
            )
        refresh_statistics(engine)
        setup["demo_load_s"] = time.perf_counter() - started
    if not planned:
        started = time.perf_counter()
        with sessions.begin() as session:
            options = PlanOptions(seed=1, time_limit_s=plan_seconds, publish=True)
            plan_day(session, region=REGION_SLUG, day=DAY, osm=osm, options=options)
        refresh_statistics(engine)
        setup["plan_and_publish_s"] = time.perf_counter() - started
    with sessions.begin() as session:
        world = _facts(session, url, setup)
    engine.dispose()
    return world


def _published_on_day() -> ColumnElement[bool]:
    return and_(m.Route.service_date == DAY, m.Route.status == "published")


def _facts(session: Session, url: str, setup: dict[str, float]) -> World:
    region = session.scalars(select(m.Region)).one()
    stops = func.count(m.RouteStop.id)
    crew_id = session.execute(
        select(m.Route.crew_id, stops)
        .join(m.RouteStop, m.RouteStop.route_id == m.Route.id)
        .where(_published_on_day())
        .group_by(m.Route.crew_id)
        .order_by(stops.desc(), m.Route.crew_id)
        .limit(1)
    ).one()[0]
    run_id = session.scalar(
        select(func.max(m.PlanningRun.id)).where(
            m.PlanningRun.service_date == DAY, m.PlanningRun.status == "succeeded"
        )
    )
    jobs = session.execute(
        select(m.Job.id, m.Job.status, m.Job.version)
        .where(m.Job.kind != "install_media_box", m.Job.status.in_(("open", "scheduled")))
        .order_by(m.Job.id)
        .limit(STATUS_JOBS)
    ).all()
    return World(
        url=url,
        admin=create_token(session, name="bench admin", role=Role.ADMIN).secret,
        crew=create_token(session, name="bench crew", role=Role.CREW, crew_id=crew_id).secret,
        crew_id=crew_id,
        region_slug=region.slug,
        run_id=int(run_id or 0),
        box=_box_with(session, target=2000),
        furniture=list(session.scalars(select(m.Furniture.id).order_by(m.Furniture.id))),
        status_jobs=[(job_id, status, version) for job_id, status, version in jobs],
        setup_s=setup,
    )


def _box_with(session: Session, *, target: int) -> BBox:
    """Grow a box around the demo's densest block until it holds ``target`` apartments."""
    lon, lat, half = 10.7530, 59.9180, 0.002
    while True:
        box = BBox(lon - half * 2, lat - half, lon + half * 2, lat + half)
        if len(spatial.ids_in_bbox(session, m.Apartment, box)) >= target:
            return box
        half *= 1.05
