"""The offers benchmark's world: the demo with a planned and published fortnight.

``prepare_fortnight`` loads the demo world (22,010 apartments, 13 crews, a week of confirmed
two-hour installation bookings and due furniture care from :data:`FIRST_DAY`) into a SpatiaLite
file or the PostGIS database ``sitecrew_bench``, then plans every day of the fortnight through
the real planning path (``plan_day``: the day's jobs, the Oslo street graph, the solver) and
publishes it. With ``reuse`` a database that already holds the planned fortnight is used as it
is, so repeated runs skip the few minutes of setup.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, select

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, refresh_statistics, session_factory
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.demo import load_demo
from sitecrew.services.planning.persist import publish_routes
from sitecrew.services.planning.runs import plan_day

if TYPE_CHECKING:
    from sitecrew.config import OsmSettings

REGION_NAME = "Oslo sentrum"
REGION_SLUG = "oslo"
DAYS = 14


def next_monday(today: date | None = None) -> date:
    """Return the first Monday after ``today`` that is not a Norwegian public holiday.

    Offers are only made for windows still to come, so the fortnight must lie in the future.
    """
    day = (today or datetime.now(ZoneInfo("Europe/Oslo")).date()) + timedelta(days=1)
    no_holidays = holidays.country_holidays("NO", years=range(day.year, day.year + 2))
    while day.weekday() != 0 or day in no_holidays:
        day += timedelta(days=1)
    return day


FIRST_DAY = next_monday()


def fortnight(first: date = FIRST_DAY) -> list[date]:
    """Return the fourteen days of the benchmark's horizon."""
    return [first + timedelta(days=i) for i in range(DAYS)]


def prepare_fortnight(
    url: str, osm: OsmSettings, *, plan_seconds: float, first: date = FIRST_DAY
) -> dict[str, float]:
    """Load the demo and plan and publish each day of the fortnight unless already done.

    Returns the setup timings (seconds per stage).
    """
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    setup: dict[str, float] = {}
    with sessions() as session:
        loaded = bool(session.scalar(select(func.count()).select_from(m.Region)))
        planned = set(
            session.scalars(
                select(m.PlanningRun.service_date).where(m.PlanningRun.status == "succeeded")
            )
        )
    if not loaded:
        started = time.perf_counter()
        with sessions.begin() as session:
            load_demo(
                session, osm.directory / "oslo.osm.pbf", region_name=REGION_NAME, plan_day=first
            )
        refresh_statistics(engine)
        setup["demo_load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    for day in fortnight(first):
        if day in planned:
            continue
        with sessions.begin() as session:
            options = PlanOptions(seed=1, time_limit_s=plan_seconds)
            outcome = plan_day(session, region=REGION_SLUG, day=day, osm=osm, options=options)
            if outcome.route_ids:  # a weekend or holiday has no routes to publish
                publish_routes(session, outcome.run_id)
        print(f"planned and published {day}", flush=True)
    refresh_statistics(engine)
    setup["plan_fortnight_s"] = time.perf_counter() - started
    engine.dispose()
    return setup
