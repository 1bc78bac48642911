"""``sitecrew import KIND FILE``: the real command on a database of each backend.

The database holds region ``lokka`` read from the Grünerløkka OSM clip; every test commits
(it is a real process), so each uses register keys of its own.
"""

from __future__ import annotations

import subprocess  # the CLI is tested as a user runs it: a real process

import pytest
from sqlalchemy import func, select
from tests.helpers import run_sitecrew
from tests.services.import_world import write_csv, write_xlsx

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory

HEADER = ["external_ref", "street", "housenumber", "postcode", "unit", "floor", "tenant_name"]


@pytest.fixture(scope="session")
def import_cli_url(backend, database_url_factory, osm_dir, tmp_path_factory) -> str:
    """A migrated database of ``backend`` with region ``lokka`` (the Grünerløkka clip)."""
    from sitecrew.config import OsmSettings
    from sitecrew.services.region_setup import NewRegion, add_region_from_extract

    url = database_url_factory(backend, "sitecrew_test_import_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    cache = tmp_path_factory.mktemp("import-cli-graphs")
    with session_factory(engine).begin() as session:
        add_region_from_extract(
            session,
            NewRegion("lokka", osm_dir / "oslo-grunerlokka.osm.pbf"),
            osm=OsmSettings(directory=osm_dir, cache_directory=cache),
        )
    engine.dispose()
    return url


@pytest.fixture
def sitecrew(import_cli_url, tmp_path, osm_dir):
    """Run ``sitecrew ARGS`` on the import database."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sitecrew(
            *args, cwd=tmp_path, DATABASE_URL=import_cli_url, SITECREW_OSM_DIR=str(osm_dir)
        )

    return run


def _flats(url: str, prefix: str) -> int:
    engine = engine_from_url(url)
    try:
        with engine.connect() as connection:
            query = select(func.count()).where(m.Apartment.external_ref.like(f"{prefix}%"))
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()


def _rows(prefix: str) -> list[list[str]]:
    """Two flats at real addresses, with units of their own (the database is shared)."""
    return [
        [f"{prefix}1", "Thorvald Meyers gate", "12B", "0555", f"{prefix}H1", "1", "Kari Nordmann"],
        [f"{prefix}2", "Markveien", "9", "0554", f"{prefix}H1", "1", ""],
    ]


def test_import_prints_a_summary_and_a_second_run_changes_nothing(
    sitecrew, tmp_path, import_cli_url
):
    """Exit 0, counts per outcome and match quality; the same file again is all unchanged."""
    path = write_csv(tmp_path / "flats.csv", HEADER, _rows("CLI-A-"))

    first = sitecrew("import", "apartments", str(path), "--region", "lokka")
    second = sitecrew("import", "apartments", str(path))  # the only region needs no --region

    assert first.returncode == 0, first.stderr
    assert "Imported apartments from flats.csv" in first.stdout
    assert "  created            2" in first.stdout
    assert "  matched by   exact 2" in first.stdout
    assert "  buildings created: 2" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "  unchanged          2" in second.stdout
    assert _flats(import_cli_url, "CLI-A-") == 2


def test_rejected_rows_go_to_the_rejects_file_and_the_import_still_runs(sitecrew, tmp_path):
    """Exit 0 with a rejected count; FILE.rejects.csv holds the row, its line and the reason."""
    rows = [*_rows("CLI-B-"), ["CLI-B-3", "Nowhere gate", "1", "", "H1", "", ""]]
    path = write_xlsx(tmp_path / "flats.xlsx", HEADER, rows)

    result = sitecrew("import", "apartments", str(path), "--region", "LOKKA")

    assert result.returncode == 0, result.stderr
    assert "  rejected           1" in result.stdout
    rejects = (tmp_path / "flats.xlsx.rejects.csv").read_text(encoding="utf-8-sig")
    assert rejects.splitlines()[1].startswith("4;")
    assert "Nowhere gate" in rejects
    assert "flats.xlsx.rejects.csv" in result.stdout


def test_every_row_goes_to_the_report_file_the_summary_names(sitecrew, tmp_path):
    """FILE.report.csv: one line per row read, its outcome, match and reason; also on --strict."""
    rows = [
        *_rows("CLI-E-"),
        ["CLI-E-3", "Thorvald Meyres gate", "12B", "0555", "CLI-E-H2", "", ""],
        ["CLI-E-4", "Nowhere gate", "1", "", "H1", "", ""],
    ]
    path = write_csv(tmp_path / "review.csv", HEADER, rows)

    refused = sitecrew("import", "apartments", str(path), "--strict")
    strict_lines = (tmp_path / "review.csv.report.csv").read_text(encoding="utf-8-sig")
    result = sitecrew("import", "apartments", str(path))

    assert refused.returncode == 3
    assert len(strict_lines.splitlines()) == 1 + len(rows)
    assert result.returncode == 0, result.stderr
    assert "review.csv.report.csv" in result.stdout
    lines = (tmp_path / "review.csv.report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == (
        "line;outcome;key;match_quality;match_score;matched_address;osm_ref;postcode_differs;reason"
    )
    assert len(lines) == 1 + len(rows)
    assert lines[1].startswith("2;created;CLI-E-1;exact;100;Thorvald Meyers gate 12B, 0555 Oslo;")
    assert lines[3].startswith("4;created;CLI-E-3;fuzzy;")
    assert lines[4].startswith("5;rejected;CLI-E-4;;;;;;")


def test_strict_refuses_with_exit_3_and_writes_nothing(sitecrew, tmp_path, import_cli_url):
    """--strict and one bad row: exit 3, an error line, no flat written."""
    rows = [*_rows("CLI-C-"), ["CLI-C-3", "Markveien", "9", "", "CLI-C-H2", "x", ""]]
    path = write_csv(tmp_path / "strict.csv", HEADER, rows)

    result = sitecrew("import", "apartments", str(path), "--strict")

    assert result.returncode == 3
    assert "error: --strict: 1 of 3 rows rejected, nothing was written" in result.stderr
    assert "Refused (--strict) apartments" in result.stdout
    assert _flats(import_cli_url, "CLI-C-") == 0


def test_dry_run_reports_and_writes_nothing(sitecrew, tmp_path, import_cli_url):
    """--dry-run: the same summary a real run gives, and no flat in the database."""
    path = write_csv(tmp_path / "dry.csv", HEADER, _rows("CLI-D-"))

    result = sitecrew("import", "apartments", str(path), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "Checked (dry run) apartments" in result.stdout
    assert "  created            2" in result.stdout
    assert "nothing was written" in result.stdout
    assert _flats(import_cli_url, "CLI-D-") == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("apartments", "missing.csv"), 4, "error: no such file"),
        (("apartments", "bad.csv"), 3, "unknown column(s) 'colour'"),
        (("apartments", "good.csv", "--region", "atlantis"), 4, "unknown region 'atlantis'"),
    ],
)
def test_files_and_regions_that_cannot_be_used_exit_non_zero(
    sitecrew, tmp_path, args, code, message
):
    """An unreadable file, unknown column or unknown region: a one-line error and its exit code."""
    write_csv(tmp_path / "bad.csv", [*HEADER, "colour"], [])
    write_csv(tmp_path / "good.csv", HEADER, [])

    result = sitecrew("import", *args)

    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_organisations_import_needs_no_region(sitecrew, tmp_path):
    """Organisations belong to no region."""
    path = write_csv(tmp_path / "orgs.csv", ["name", "kind"], [["CLI Bygg AS", "contractor"]])

    result = sitecrew("import", "organisations", str(path))

    assert result.returncode == 0, result.stderr
    assert "  created            1" in result.stdout
