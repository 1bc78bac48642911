"""``sitecrew demo start`` as ``scripts/demo.sh`` runs it: load once, then keep and hand a token."""

from __future__ import annotations

import re
import subprocess  # the CLI is tested as a user runs it: a real process
from typing import TYPE_CHECKING

import pytest
from tests.helpers import run_sitecrew

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow
SECRET = re.compile(r"^\s+(sc_\S+)$", re.MULTILINE)


def _demo(tmp_path: Path, osm_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sitecrew(
        "demo",
        *args,
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
        SITECREW_OSM_DIR=str(osm_dir),
    )


def test_second_start_keeps_the_data_and_prints_a_new_token_when_the_demo_restarts(
    tmp_path, osm_dir
):
    """The first start loads and prints a token and the URL; the second keeps all, says how to reset."""
    first = _demo(tmp_path, osm_dir, "start", "--flats", "300", "--date", "2026-06-05")
    assert first.returncode == 0, first.stderr
    assert "Demo loaded into the empty database" in first.stdout
    assert "2026-06-05 (Friday)" in first.stdout
    assert "Open http://127.0.0.1:8000/#view=planner&date=2026-06-05" in first.stdout
    planned = re.search(r"Planned and published the plan day: (\d+) routes", first.stdout)
    assert planned, first.stdout  # the console opens on a planned day
    assert int(planned.group(1)) >= 1
    assert "its published routes" in first.stdout
    again = _demo(tmp_path, osm_dir, "start", "--flats", "300")
    assert again.returncode == 0, again.stderr
    assert "Kept: the database already holds data" in again.stdout
    assert "Planned and published" not in again.stdout  # a loaded database is not re-planned
    assert "sitecrew demo load --replace" in again.stdout
    assert "1 earlier demo token(s) still work" in again.stdout
    secrets = [SECRET.findall(run.stdout) for run in (first, again)]
    assert len(secrets[0]) == len(secrets[1]) == 1
    assert secrets[0] != secrets[1]
    assert "Traceback" not in first.stderr + again.stderr


def test_start_refuses_a_day_that_does_not_exist_when_given(tmp_path, osm_dir):
    """A well-formed ``--date`` naming no day is a one-line error, exit code 3."""
    result = _demo(tmp_path, osm_dir, "start", "--date", "2026-02-30")
    assert result.returncode == 3
    assert "--date 2026-02-30 does not exist" in result.stderr
    assert "Traceback" not in result.stderr
