"""``sitecrew plan`` as a user runs it: a real process, a summary table, clear errors."""

from __future__ import annotations

import subprocess  # the CLI is tested as a user runs it: a real process

import pytest
from tests.helpers import run_sitecrew

pytestmark = pytest.mark.slow


@pytest.fixture
def plan_cli(committed_demo_url, planning_osm, tmp_path):
    """Run ``sitecrew plan`` with the committed demo database and the real OSM extracts."""
    settings = {
        "DATABASE_URL": committed_demo_url,
        "SITECREW_OSM_DIR": str(planning_osm.directory),
        "SITECREW_CACHE_DIR": str(planning_osm.cache_directory),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sitecrew("plan", *args, cwd=tmp_path, **settings)

    return run


def test_table_lists_every_crew_when_a_day_is_planned(plan_cli):
    """A successful plan prints one row per crew, the unassigned count and stage timings."""
    result = plan_cli("--region", "OSLO", "--date", "2026-06-02", "--iterations", "100")
    assert result.returncode == 0, result.stderr
    assert "(draft)" in result.stdout
    assert "Installers 10" in result.stdout
    assert "Contractor installers" in result.stdout
    assert "jobs planned on 13 routes" in result.stdout
    assert "timings: load" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--region", "Atlantis", "--date", "2026-06-02"), 4, "unknown region 'Atlantis'"),
        (("--region", "oslo", "--date", "2.6.2026"), 3, "--date must be YYYY-MM-DD"),
        (("--region", "oslo", "--date", "2026-06-02", "--time-limit", "0"), 3, "time"),
        (("--region", "oslo", "--date", "2026-06-02", "--now", "11:00"), 3, "--now"),
    ],
)
def test_bad_input_is_a_one_line_error_when_planning(plan_cli, args, code, message):
    """Unknown regions, malformed dates and impossible limits exit non-zero without a trace."""
    result = plan_cli(*args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
