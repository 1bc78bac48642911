"""``sitecrew care install`` from a real process, on a committed database per backend.

An order added on the command line is one job per crew-day of work (its parts) and is listed
with its parts; bad input (a count of 0, an
unknown model, an unknown site, unpaired --model/--count) exits non-zero with one line and no
trace, and writes nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.helpers import run_sitecrew
from tests.services.care_plan_world import make_care_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory


@pytest.fixture(scope="module")
def orders(backend, database_url_factory):
    """A committed care world (three yards, the "Icli bench" model), no orders yet."""
    url = database_url_factory(backend, "care_install_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Icli")
    yield url, world, engine
    engine.dispose()


def _install(url: str, tmp_path, *args: str):
    return run_sitecrew("care", "install", *args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")


def _count(engine, model) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_order_added_on_the_command_line_is_a_job_and_is_listed(orders, tmp_path):
    url, world, engine = orders
    added = _install(
        url,
        tmp_path,
        "add",
        "--site",
        str(world.site_ids[2]),
        "--model",
        "Icli bench",
        "--count",
        "3",
        "--from",
        "2026-05-04",
        "--to",
        "2026-05-29",
    )
    assert added.returncode == 0, added.stderr
    assert "3 pieces" in added.stdout
    assert "for 2 people" in added.stdout
    with session_factory(engine)() as session:
        order = session.scalars(select(m.Installation)).one()
        part = session.scalars(select(m.InstallationPart)).one()
        job = session.get(m.Job, part.job_id)
        assert (job.site_id, job.duration_minutes) == (world.site_ids[2], 30 + 3 * 90)

    listed = _install(url, tmp_path, "list", "--site", str(world.site_ids[2]), "--status", "open")
    assert listed.returncode == 0, listed.stderr
    assert f"installation {order.id}\tsite {world.site_ids[2]}\t1 part (0 done)" in listed.stdout
    assert "2026-05-04..2026-05-29" in listed.stdout


def test_a_schoolyard_delivery_is_added_in_parts_and_listed_with_them(orders, tmp_path):
    url, world, _engine = orders
    args = ("--site", str(world.site_ids[1]), "--model", "Icli bench", "--count", "12")
    added = _install(url, tmp_path, "add", *args)
    assert added.returncode == 0, added.stderr
    assert "12 pieces" in added.stdout
    assert "3 parts, jobs" in added.stdout
    listed = _install(url, tmp_path, "list", "--site", str(world.site_ids[1]))
    assert listed.returncode == 0, listed.stderr
    assert "3 parts (0 done)\topen" in listed.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--model", "Icli bench", "--count", "0"), 3, "at least 1 piece"),
        (("--model", "No such bench", "--count", "1"), 4, "no furniture model"),
        (("--model", "Icli bench", "--model", "Icli bench", "--count", "1"), 3, "in pairs"),
        (("--model", "Icli bench", "--count", "1", "--from", "May"), 3, "--from"),
    ],
    ids=["count-0", "unknown-model", "unpaired", "bad-date"],
)
def test_bad_orders_exit_non_zero_with_one_line(orders, tmp_path, args, code, words):
    url, world, engine = orders
    before = _count(engine, m.Job)
    result = _install(url, tmp_path, "add", "--site", str(world.site_ids[0]), *args)
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(engine, m.Job) == before


def test_an_unknown_site_is_not_found(orders, tmp_path):
    url, _world, engine = orders
    before = _count(engine, m.Installation)
    result = _install(
        url, tmp_path, "add", "--site", "999999", "--model", "Icli bench", "--count", "1"
    )
    assert result.returncode == 4
    assert "site" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(engine, m.Installation) == before
