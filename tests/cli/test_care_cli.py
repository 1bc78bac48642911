"""``sitecrew care``: plans and due work from a real process, on a committed database per backend.

A plan added with the command line is listed; ``care due --region R --horizon 8w`` makes one
job per site and says so, and a second run makes none; bad input (an unknown skill, a horizon
of ``8x``, an unknown region, a duplicate plan) exits non-zero with one line and no trace.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from tests.helpers import run_sitecrew
from tests.services.care_plan_world import add_piece, make_care_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory

SPRING = "2026-04-20"


@pytest.fixture(scope="module")
def care(backend, database_url_factory):
    """A committed care world: four benches at two yards, oiled in April 2025; no plans."""
    url = database_url_factory(backend, "care_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Cli")
        for index in range(4):
            add_piece(
                session,
                world,
                index % 2,
                f"CLI-{index}",
                oiled=date(2025, 4, 1),
            )
    yield url, world, engine
    engine.dispose()


def _care(url: str, tmp_path, *args: str):
    return run_sitecrew("care", *args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")


def _jobs(engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(m.CareJob)) or 0


def test_a_plan_added_on_the_command_line_makes_due_work_once(care, tmp_path):
    """Add the oiling plan, run due twice: two jobs (one per yard), then none."""
    url, world, engine = care
    added = _care(
        url,
        tmp_path,
        "plans",
        "add",
        "--model",
        "Cli bench",
        "--action",
        "oil",
        "--kind",
        "oil",
        "--every",
        "12",
        "--minutes",
        "25",
        "--setup",
        "10",
        "--skill",
        "oiling",
        "--season",
        "4-9",
        "--counts",
        "oiled",
    )
    assert added.returncode == 0, added.stderr
    listed = _care(url, tmp_path, "plans", "list", "--model", str(world.model_id))
    assert listed.returncode == 0, listed.stderr
    assert "oil" in listed.stdout
    assert "4-9" in listed.stdout

    region = str(world.region_id)
    first = _care(url, tmp_path, "due", "--region", region, "--horizon", "8w", "--today", SPRING)
    assert first.returncode == 0, first.stderr
    assert "2 new jobs for 4 pieces" in first.stdout
    assert _jobs(engine) == 2
    second = _care(url, tmp_path, "due", "--region", region, "--horizon", "8w", "--today", SPRING)
    assert second.returncode == 0, second.stderr
    assert "0 new jobs" in second.stdout
    assert "4 pieces already had work" in second.stdout
    assert _jobs(engine) == 2

    again = _care(
        url,
        tmp_path,
        "plans",
        "add",
        "--model",
        "Cli bench",
        "--action",
        "oil",
        "--kind",
        "oil",
        "--every",
        "12",
        "--minutes",
        "25",
    )
    assert again.returncode == 5
    assert "already has a 'oil' plan" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("due", "--region", "nowhere", "--horizon", "8w"), 4, "unknown region"),
        (("due", "--region", "{region}", "--horizon", "8x"), 3, "horizon"),
        (("due", "--region", "{region}", "--horizon", "2y"), 3, "horizon"),
        (
            (
                "plans",
                "add",
                "--model",
                "Cli bench",
                "--action",
                "inspect",
                "--kind",
                "inspect",
                "--every",
                "12",
                "--minutes",
                "10",
                "--skill",
                "juggling",
            ),
            3,
            "juggling",
        ),
        (
            (
                "plans",
                "add",
                "--model",
                "No such bench",
                "--action",
                "inspect",
                "--kind",
                "inspect",
                "--every",
                "12",
                "--minutes",
                "10",
            ),
            4,
            "no furniture model",
        ),
        (
            (
                "plans",
                "add",
                "--model",
                "Cli bench",
                "--action",
                "inspect",
                "--kind",
                "inspect",
                "--every",
                "0",
                "--minutes",
                "10",
            ),
            3,
            "interval",
        ),
        (
            ("seasons", "set", "--region", "{region}", "--action", "oil", "--season", "13-2"),
            3,
            "season start month",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(care, tmp_path, args, code, words):
    """Each refusal: its exit code, one ``error:`` line naming the problem, no trace."""
    url, world, _ = care
    done = _care(url, tmp_path, *(a.replace("{region}", str(world.region_id)) for a in args))
    assert done.returncode == code, done.stdout + done.stderr
    assert done.stderr.startswith("error:")
    assert words in done.stderr
    assert "Traceback" not in done.stderr
