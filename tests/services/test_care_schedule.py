"""The scheduled due-work run (#17 item 2): the server's timer makes every region's work once."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.services.care_plan_world import add_piece, inspect_plan, make_care_world, store_plan

from sitecrew.config import CareSettings, Settings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.services.care.schedule import CareDueScheduler, run_due_for_all_regions


@pytest.fixture
def committed(backend, database_url_factory):
    """Three benches overdue for inspection at two yards, committed."""
    engine = engine_from_url(database_url_factory(backend, "care_schedule"))
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Timer")
        store_plan(session, inspect_plan(world))
        for index in range(3):
            add_piece(
                session,
                world,
                index % 2,
                f"T-{index}",
                installed=date(2020, 1, 1),
            )
    yield engine, world
    engine.dispose()


def _care_jobs(engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(m.CareJob)) or 0


def test_the_timer_makes_each_regions_work_and_repeats_harmlessly(committed):
    """A 0.2 s timer runs several times: the two yards' jobs exist once."""
    engine, world = committed
    scheduler = CareDueScheduler(
        engine, CareSettings(due_interval_s=0.2, due_horizon_days=56), first_run_after_s=0.05
    ).start()
    try:
        deadline = time.monotonic() + 30
        while _care_jobs(engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.6)  # a few more runs
    finally:
        scheduler.stop()
    assert _care_jobs(engine) == 2
    assert run_due_for_all_regions(engine, 56).jobs_by_region == {
        world.region_id: 0,
        world.other_region_id: 0,
    }


def test_apps_built_without_the_setting_never_run_it():
    """The dataclass default is off; the environment's default is a day."""
    assert Settings().care.due_interval_s == 0
    assert Settings.from_env({}).care.due_interval_s == 86400
    assert Settings.from_env({"SITECREW_CARE_HORIZON_DAYS": "84"}).care.due_horizon_days == 84
