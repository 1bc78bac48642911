"""Commands run against a database without this version's schema say what to do, not a trace.

A new user who forgets ``sitecrew db upgrade``, or upgrades Sitecrew without migrating, gets one
line naming the command to run and exit code 7 (configuration), from every command that reads
or writes the database.
"""

from __future__ import annotations

import pytest
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url

COMMANDS = (
    ("region", "list"),
    ("region", "show", "oslo"),
    ("token", "list"),
    ("tenant", "log"),
    ("crew", "list"),
    ("plan", "--region", "oslo", "--date", "2026-06-02"),
    ("import", "organisations", "organisations.csv"),
)


@pytest.fixture(scope="module")
def empty_url(backend, database_url_factory) -> str:
    """A database of ``backend`` with no tables at all."""
    return database_url_factory(backend, "sitecrew_test_unmigrated")


@pytest.fixture(scope="module")
def older_url(backend, database_url_factory) -> str:
    """A database of ``backend`` migrated only to revision 0005 (an older Sitecrew's schema)."""
    url = database_url_factory(backend, "sitecrew_test_older_schema")
    engine = engine_from_url(url)
    migrate.upgrade(engine, "0005")
    engine.dispose()
    return url


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_without_tables_asks_for_db_upgrade(empty_url, tmp_path, command):
    (tmp_path / "organisations.csv").write_text("name;kind\nAcme;owner\n", encoding="utf-8")
    done = run_sitecrew(*command, cwd=tmp_path, DATABASE_URL=empty_url)
    assert done.returncode == 7, done.stderr
    assert "has no Sitecrew schema yet: run `sitecrew db upgrade`" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS[:3], ids=" ".join)
def test_an_older_schema_names_both_revisions(older_url, tmp_path, command):
    done = run_sitecrew(*command, cwd=tmp_path, DATABASE_URL=older_url)
    assert done.returncode == 7, done.stderr
    assert "is at schema revision 0005, this Sitecrew needs" in done.stderr
    assert "Traceback" not in done.stderr
