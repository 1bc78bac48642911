"""``sitecrew care codes``: the wear code lists as data, edited from the command line (issue 17).

Real ``sitecrew`` processes against a fresh database of each backend: ``seed`` stores the
families' lists once (again: nothing added), ``list`` prints a bench's tree, ``add`` puts a
cause under its failure mode, ``retire`` hides it from the list unless ``--retired``, and an
unknown parent exits non-zero with one line.
"""

from __future__ import annotations

import re

import pytest
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url


@pytest.fixture(scope="module")
def url(backend, database_url_factory):
    database = database_url_factory(backend, "care_codes_cli")
    engine = engine_from_url(database)
    migrate.upgrade(engine)
    engine.dispose()
    return database


def _run(url: str, tmp_path, *args: str):
    return run_sitecrew("care", "codes", *args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")


def test_codes_are_seeded_listed_added_and_retired(url, tmp_path):
    seeded = _run(url, tmp_path, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert int(seeded.stdout.split()[0]) > 100
    assert _run(url, tmp_path, "seed").stdout.strip() == "0 wear codes added"
    listed = _run(url, tmp_path, "list", "bench")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("fixings - Fixings")
    assert any(line.startswith("    cause: sun_exposure - Sun exposure") for line in lines)
    assert "remedy: replace_slat" in listed.stdout
    added = _run(
        url,
        tmp_path,
        "add",
        "bench",
        "cause",
        "skateboarding",
        "Skateboarding",
        "--parent",
        "slats/cracking",
    )
    assert added.returncode == 0, added.stderr
    code_id = re.search(r"\(id (\d+)\)", added.stdout).group(1)
    assert "slats/cracking/skateboarding" in added.stdout
    retired = _run(url, tmp_path, "retire", code_id, "1")
    assert retired.returncode == 0, retired.stderr
    assert "retired (v2)" in retired.stdout
    assert "skateboarding" not in _run(url, tmp_path, "list", "bench").stdout
    assert (
        "skateboarding - Skateboarding" in _run(url, tmp_path, "list", "bench", "--retired").stdout
    )
    stale = _run(url, tmp_path, "restore", code_id, "1")
    assert stale.returncode == 5
    unknown = _run(url, tmp_path, "add", "bench", "cause", "x", "X", "--parent", "slats/warping")
    assert unknown.returncode == 4
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "no failure_mode 'slats/warping'" in unknown.stderr
