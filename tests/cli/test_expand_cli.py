"""``sitecrew expand run`` and ``compare`` as real processes, on both backends (#18 item 5).

``run`` stores a scenario with its planning run (kind ``expansion``) and executes it in the
command's own process; ``compare`` prints scenarios side by side. Bad input is one line on
stderr, no traceback, exit 3 (invalid) or 4 (not found).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory

SITES = "name,lon,lat,pieces\nA,10.7520,59.9230,6\nB,10.7700,59.9300,8\nC,10.7600,59.9200,4\n"
FAST = ("--rates", "sample_days=1", "--rates", "solver_seconds=0.3")
REGION = ("--region", "oslo-grunerlokka")


@pytest.fixture(scope="module")
def expand_db(backend, database_url_factory, tmp_path_factory):
    """A migrated, committed database of ``backend``, a graph cache and a sites file."""
    url = database_url_factory(backend, "expand_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    engine.dispose()
    folder = tmp_path_factory.mktemp("expand-cli")
    (folder / "sites.csv").write_text(SITES, encoding="utf-8")
    return url, folder


def _expand(expand_db, *args: str):
    url, folder = expand_db
    return run_sitecrew(
        "expand",
        *args,
        cwd=folder,
        DATABASE_URL=url,
        SITECREW_CACHE_DIR=str(folder / "cache"),
        COLUMNS="200",
    )


@pytest.fixture(scope="module")
def two_scenarios(expand_db) -> list[int]:
    """A scenario served from a given depot and one choosing its depot, both run to the end."""
    ids = []
    for extra in (("--depot", "10.76,59.925", "--name", "given"), ("--candidates", "6")):
        done = _expand(
            expand_db, "run", *REGION, "--k", "1", "--sites-csv", "sites.csv", *FAST, *extra
        )
        assert done.returncode == 0, done.stderr
        found = re.search(r"scenario (\d+): 1 depot\(s\), 3 sites, (\d+) crew", done.stdout)
        assert found, done.stdout
        assert int(found.group(2)) >= 1
        ids.append(int(found.group(1)))
    return ids


def test_run_keeps_the_result_on_the_scenario_and_succeeds_its_run(expand_db, two_scenarios):
    engine = engine_from_url(expand_db[0])
    with session_factory(engine)() as session:
        rows = session.execute(
            select(m.PlanningRun.scenario_id, m.PlanningRun.kind, m.PlanningRun.status)
        ).all()
        states = session.scalars(select(m.ExpansionScenario.status)).all()
    engine.dispose()
    assert sorted(rows) == [(i, "expansion", "succeeded") for i in two_scenarios]
    assert states == ["succeeded", "succeeded"]


def test_compare_prints_both_scenarios_side_by_side(expand_db, two_scenarios):
    done = _expand(expand_db, "compare", *(str(i) for i in two_scenarios))
    assert done.returncode == 0, done.stderr
    assert f"#{two_scenarios[0]} given (succeeded)" in done.stdout
    assert f"#{two_scenarios[1]}" in done.stdout
    assert re.search(r"cost per piece a year\s*│\s*[\d,.]+\s*│\s*[\d,.]+", done.stdout)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("run", *REGION, "--k", "0"), 3, "k (depots to open) must lie between 1 and 20"),
        (("run", *REGION, "--depot", "east"), 3, "a depot is LON,LAT"),
        (("run", *REGION, "--rates", "crews"), 3, "a rate is NAME=VALUE"),
        (("run", *REGION, "--sites-csv", "missing.csv"), 4, "no file missing.csv"),
        (("run", "--region", "atlantis"), 4, "unknown region 'atlantis'"),
        (("compare", "987654"), 4, "no expansion scenario 987654"),
        (("compare", "1", "1"), 3, "compare 1 to 10 different scenarios"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(expand_db, args, code, message):
    done = _expand(expand_db, *args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
