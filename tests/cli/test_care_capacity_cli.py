"""``sitecrew care capacity`` from a real process, on a committed database per backend.

The care world with three benches on a yearly oiling plan and a crew of two: the table names the
peak month, CSV and JSON carry the same months (progress stays on standard error), and bad input
(an unknown region, a year out of range or not a number, an unknown format) exits non-zero with
one line and no trace.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time

import pytest
from shapely.geometry import Point
from tests.helpers import run_sitecrew
from tests.services.care_plan_world import add_piece, make_care_world, oil_plan, store_plan

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.crews import Crew, CrewMember, Depot, Skill
from sitecrew.services import crews


@pytest.fixture(scope="module")
def capacity_world(backend, database_url_factory):
    """A committed care world: three benches due for oil in April and May, a crew of two."""
    url = database_url_factory(backend, "care_capacity_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_care_world(session, name="Capacity")
        store_plan(session, oil_plan(world))
        add_piece(session, world, 0, "CAPCLI-A", oiled=date(2026, 5, 10))
        add_piece(session, world, 0, "CAPCLI-B", oiled=date(2026, 5, 20))
        add_piece(session, world, 1, "CAPCLI-C", oiled=date(2026, 1, 15))
        depot = crews.create_depot(
            session, Depot("Cli depot", world.region_id, Point(10.75, 59.92))
        )
        crew = crews.create_crew(
            session,
            Crew(
                "Cli care",
                world.region_id,
                depot.id,
                time(7, 30),
                time(15, 30),
                skills=frozenset({Skill.OILING}),
            ),
        )
        for name in ("Ada", "Bo"):
            crews.add_crew_member(session, CrewMember(crew.id, name))
        slug = session.get(m.Region, world.region_id).slug
    yield url, slug
    engine.dispose()


def _capacity(url: str, tmp_path, *args: str):
    return run_sitecrew("care", "capacity", *args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")


def test_the_table_ends_with_the_peak_month(capacity_world, tmp_path):
    """2027: April (one bench) and May (two benches at one yard); May is the peak, one person."""
    url, slug = capacity_world
    done = _capacity(url, tmp_path, "--region", slug, "--year", "2027", "--sample-weeks", "0")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "Team capacity" in done.stdout
    assert "team: Cli care; 3 pieces with a plan, 0 backlog jobs" in done.stdout
    assert "note: travel not estimated (no sample weeks)" in done.stdout
    assert lines[-1] == "peak: May 2027 needs 1 person for 1.0 person-hours (team of 2: enough)"


def test_csv_and_json_carry_the_months(capacity_world, tmp_path):
    """CSV: a header and twelve months; JSON: the same months, the team and the peak."""
    url, slug = capacity_world
    base = ("--region", slug, "--year", "2027", "--sample-weeks", "0")
    as_csv = _capacity(url, tmp_path, *base, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["month"] for row in rows] == [f"2027-{n:02d}" for n in range(1, 13)]
    assert (rows[3]["visits"], rows[3]["pieces"], rows[3]["people_needed"]) == ("1", "1", "1")
    assert (rows[4]["visits"], rows[4]["pieces"], rows[4]["needed_h"]) == ("1", "2", "1.0")
    assert rows[5]["team"] == "2"

    as_json = _capacity(url, tmp_path, *base, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    found = json.loads(as_json.stdout)
    assert found["team"] == ["Cli care"]
    assert found["peak"] == {"month": "2027-05", "people_needed": 1}
    assert found["months"][4]["needed_h"] == 1.0
    assert found["travel"]["minutes_per_visit"] == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--region", "atlantis", "--year", "2027"), 4, "atlantis"),
        (("--year", "1850"), 3, "year"),
        (("--year", "next"), 2, "--year"),
        (("--year", "2027", "--format", "xml"), 3, "--format is one of table, csv, json"),
        (("--year", "2027", "--sample-weeks", "40"), 3, "sample weeks"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(capacity_world, tmp_path, args, code, message):
    """Each refusal names what was wrong; no traceback."""
    url, slug = capacity_world
    full = args if "--region" in args else ("--region", slug, *args)
    done = _capacity(url, tmp_path, *full)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr
