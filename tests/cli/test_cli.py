"""The command line: clear messages and exit codes, never a stack trace."""

from __future__ import annotations

import os
import subprocess  # the CLI is tested as a user runs it: a real process
import sys
from pathlib import Path

import pytest


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "sitecrew", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_command_group_has_help(tmp_path):
    """``--help`` works for the top level and each group, listing its commands."""
    for args, expected in (
        ((), "demo"),
        (("db",), "upgrade"),
        (("demo",), "load"),
        (("serve",), "--port"),
    ):
        result = _run(*args, "--help", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


def test_unknown_revision_is_a_clear_error(tmp_path):
    """Upgrading to a revision that does not exist says so and exits 3."""
    result = _run("db", "upgrade", "nonsense", cwd=tmp_path)
    assert result.returncode == 3
    assert "error: cannot upgrade to 'nonsense'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_a_clear_error(tmp_path):
    """A PostgreSQL URL nobody listens on gives a one-line message and exit code 7."""
    result = _run("db", "current", cwd=tmp_path, DATABASE_URL="postgresql://u@127.0.0.1:1/x")
    assert result.returncode == 7
    assert "error: cannot connect to" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_demo_load_fills_a_new_spatialite_file_and_refuses_a_second_load(tmp_path, osm_dir):
    """``demo load`` on a new file creates the world; loading again without --replace is refused."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "SITECREW_OSM_DIR": str(osm_dir)}
    first = _run("demo", "load", "--flats", "2000", cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "apartments" in first.stdout
    again = _run("demo", "load", "--flats", "2000", cwd=tmp_path, **env)
    assert again.returncode == 5
    assert "use --replace" in again.stderr
    bad_date = _run("demo", "load", "--date", "2026-13-01", "--replace", cwd=tmp_path, **env)
    assert bad_date.returncode == 3
    assert "--date 2026-13-01 does not exist" in bad_date.stderr


def test_token_create_prints_a_secret_once_and_checks_its_scope(tmp_path):
    """A planner token is printed; a crew token without a crew is refused with exit code 3."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'tokens.db'}"}
    assert _run("db", "upgrade", cwd=tmp_path, **env).returncode == 0
    created = _run("token", "create", "--role", "planner", "--name", "Kari", cwd=tmp_path, **env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("sc_")
    assert "created" in created.stderr
    refused = _run("token", "create", "--role", "crew", cwd=tmp_path, **env)
    assert refused.returncode == 3
    assert "a crew token needs a crew" in refused.stderr
    unknown = _run("token", "create", "--role", "crew", "--crew", "77", cwd=tmp_path, **env)
    assert unknown.returncode == 4
    assert "no crew with id 77" in unknown.stderr
