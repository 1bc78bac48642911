"""Migration 0019 turns each existing installation's single job into its part 1, on both backends.

A database at 0016 holding an order for 3 benches whose job is done (and whose pieces went in)
is upgraded to head: the order has one part with its job, its pieces and install day, and the
``installations.job_id`` column is gone; downgrading gives the column back from part 1.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select, text
from tests.services.care_plan_world import make_care_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.jobs import JobStatus
from sitecrew.services.care.installations import list_installations

INSTALLED = date(2026, 5, 12)


@pytest.fixture
def engine_at_0016(backend, database_url_factory):
    """A database of ``backend`` at 0016 with one order (3 benches) done by one job."""
    engine = engine_from_url(database_url_factory(backend, "sitecrew_test_install_parts"))
    migrate.upgrade(engine, "0016")
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Old order")
    with engine.begin() as connection:
        job_id = connection.execute(
            text(
                "INSERT INTO jobs (region_id, kind, site_id, duration_minutes, required_skills,"
                " priority, due_on, status, version) VALUES (:region, 'install_furniture', :site,"
                " 300, :skills, 3, :day, 'done', 1) RETURNING id"
            ),
            {
                "region": world.region_id,
                "site": world.site_ids[0],
                "skills": '["driving", "furniture_installation"]',
                "day": INSTALLED,
            },
        ).scalar_one()
        order_id = connection.execute(
            text(
                "INSERT INTO installations (region_id, site_id, job_id, wanted_from, wanted_to,"
                " installed_on) VALUES (:region, :site, :job, :day, :day, :day) RETURNING id"
            ),
            {"region": world.region_id, "site": world.site_ids[0], "job": job_id, "day": INSTALLED},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO installation_lines (installation_id, model_id, count,"
                " minutes_per_piece) VALUES (:order, :model, 3, 90)"
            ),
            {"order": order_id, "model": world.model_id},
        )
    yield engine, world, job_id, order_id
    engine.dispose()


def test_an_existing_order_becomes_its_own_part_one(engine_at_0016):
    engine, world, job_id, order_id = engine_at_0016
    migrate.upgrade(engine)

    columns = {c["name"] for c in inspect(engine).get_columns("installations")}
    assert "job_id" not in columns
    with session_factory(engine)() as session:
        part = session.scalars(select(m.InstallationPart)).one()
        assert (part.installation_id, part.part, part.job_id) == (order_id, 1, job_id)
        assert (part.pieces, part.installed_on) == ([[world.model_id, 3]], INSTALLED)
        [order] = list_installations(session, Principal(Role.ADMIN))
        assert (order.status, order.pieces, order.installed_on) == (JobStatus.DONE, 3, INSTALLED)
        assert session.scalar(select(m.InstallationLine.count)) == 3  # lines kept


def test_downgrading_gives_the_order_its_job_back(engine_at_0016):
    engine, _world, job_id, order_id = engine_at_0016
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0018")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, job_id FROM installations")).one()
    assert tuple(row) == (order_id, job_id)
    assert "installation_parts" not in inspect(engine).get_table_names()
