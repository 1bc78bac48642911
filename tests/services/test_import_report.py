"""``FILE.report.csv``: one line per row read, with its outcome and how its address matched.

A housing company reviews, row by row, which addresses were matched fuzzily or with another
postcode than OSM's; the report is written on every run (dry runs and ``--strict`` refusals
too), replaced each time, in the register's delimiter with a byte-order mark.
"""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select
from tests.services.import_world import (
    CONTRACTOR,
    MODEL,
    import_engine_fixture,  # noqa: F401 (fixture import_engine)
    import_session_fixture,  # noqa: F401 (fixture import_session)
    run_import,
    write_csv,
    write_xlsx,
)

from sitecrew.db import models as m
from sitecrew.errors import InvalidInputError
from sitecrew.services.imports.report import REPORT_COLUMNS

HEADER = ["external_ref", "street", "housenumber", "postcode", "city", "unit"]
#: One row of each kind a reviewer looks for, at real addresses of the Grünerløkka clip.
ROWS = [
    ["R-1", "Thorvald Meyers gate", "12B", "0555", "Oslo", "H1"],  # exact
    ["R-2", "Thorvald Meyers gt.", "12 b", "0555", "Oslo", "H2"],  # normalised
    ["R-3", "Thorvald Meyres gate", "12B", "0555", "Oslo", "H3"],  # a typo: fuzzy
    ["R-4", "Markveien", "9", "0555", "Oslo", "H1"],  # Markveien 9 is in 0554
    ["R-5", "Markveien", "9999", "0554", "Oslo", "H1"],  # no such number
]


def _report(path) -> list[dict[str, str]]:
    """The report file of ``path`` as dicts, checking its header and convention."""
    target = path.with_name(path.name + ".report.csv")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads it as UTF-8
    text = raw.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    assert tuple(rows[0]) == REPORT_COLUMNS
    return [dict(zip(REPORT_COLUMNS, row, strict=True)) for row in rows[1:]]


def _osm_refs(session, street: str, number: str) -> set[str]:
    point = m.AddressPoint
    query = select(point.osm_ref).where(point.street == street, point.housenumber == number)
    return set(session.scalars(query))


def test_every_row_is_listed_with_its_outcome_and_match(import_session, tmp_path):
    """Exact, normalised, fuzzy, another postcode and an unknown number: one line each."""
    path = write_csv(tmp_path / "flats.csv", HEADER, ROWS)

    report = run_import(import_session, "apartments", path)

    lines = _report(path)
    assert report.report_path == tmp_path / "flats.csv.report.csv"
    assert len(lines) == report.rows_read == len(ROWS)
    by_key = {line["key"]: line for line in lines}
    assert [line["line"] for line in lines] == ["2", "3", "4", "5", "6"]
    exact, normalised, fuzzy, moved, unknown = (by_key[f"R-{n}"] for n in range(1, 6))
    assert (exact["outcome"], exact["match_quality"], exact["match_score"]) == (
        "created", "exact", "100",
    )  # fmt: skip
    assert exact["matched_address"] == "Thorvald Meyers gate 12B, 0555 Oslo"
    assert exact["osm_ref"] in _osm_refs(import_session, "Thorvald Meyers gate", "12B")
    assert exact["osm_ref"].startswith(("node/", "way/"))
    assert (exact["postcode_differs"], exact["reason"]) == ("no", "")
    assert (normalised["outcome"], normalised["match_quality"]) == ("created", "normalised")
    assert normalised["matched_address"] == exact["matched_address"]
    assert normalised["osm_ref"] == exact["osm_ref"]
    assert (fuzzy["outcome"], fuzzy["match_quality"]) == ("created", "fuzzy")
    assert 80 <= float(fuzzy["match_score"]) < 100
    assert fuzzy["osm_ref"] == exact["osm_ref"]
    assert (moved["outcome"], moved["match_quality"], moved["postcode_differs"]) == (
        "created", "exact", "yes",
    )  # fmt: skip
    assert moved["matched_address"] == "Markveien 9, 0554 Oslo"
    assert moved["osm_ref"] in _osm_refs(import_session, "Markveien", "9")
    assert unknown["outcome"] == "rejected"
    assert unknown["reason"] == report.rejections[0].reason
    assert "9999" in unknown["reason"]
    assert [unknown[c] for c in ("match_quality", "match_score", "osm_ref")] == ["", "", ""]


def test_a_row_rejected_after_its_address_matched_keeps_the_match(import_session, tmp_path):
    """A unit claimed twice: the second row is rejected, and the report says where it matched."""
    rows = [ROWS[0], ["R-9", "Thorvald Meyers gate", "12B", "0555", "Oslo", "H1"]]
    path = write_csv(tmp_path / "twice.csv", HEADER, rows)

    run_import(import_session, "apartments", path)

    second = _report(path)[1]
    assert (second["outcome"], second["match_quality"]) == ("rejected", "exact")
    assert "claimed on line 2" in second["reason"]


def test_importing_again_lists_every_row_unchanged_and_replaces_the_report(
    import_session, tmp_path
):
    """The second run's report is a new file: same rows, all unchanged, the rejected one again."""
    path = write_csv(tmp_path / "again.csv", HEADER, ROWS)
    run_import(import_session, "apartments", path)

    run_import(import_session, "apartments", path)

    lines = _report(path)
    assert len(lines) == len(ROWS)
    assert [line["outcome"] for line in lines] == ["unchanged"] * 4 + ["rejected"]
    assert [line["match_quality"] for line in lines] == [
        "exact", "normalised", "fuzzy", "exact", "",
    ]  # fmt: skip


def test_dry_runs_and_strict_refusals_write_the_report_too(import_session, tmp_path):
    """What a real run would do, line by line, while nothing is written to the database."""
    dry = write_csv(tmp_path / "dry.csv", HEADER, ROWS[:2])
    strict = write_csv(tmp_path / "strict.csv", HEADER, ROWS)

    checked = run_import(import_session, "apartments", dry, dry_run=True)
    refused = run_import(import_session, "apartments", strict, strict=True)

    assert not checked.written
    assert [line["outcome"] for line in _report(dry)] == ["created", "created"]
    assert refused.refused
    assert refused.report_path == tmp_path / "strict.csv.report.csv"
    assert [line["outcome"] for line in _report(strict)][-1] == "rejected"
    assert len(_report(strict)) == len(ROWS)


def test_the_report_uses_the_registers_delimiter_and_names_rows_of_a_workbook(
    import_session, tmp_path
):
    """A comma file gets a comma report; a workbook gets ';' (as its rejects file does)."""
    commas = write_csv(tmp_path / "commas.csv", HEADER, ROWS[:1], delimiter=",")
    book = write_xlsx(tmp_path / "book.xlsx", HEADER, ROWS[3:5])

    run_import(import_session, "apartments", commas)
    run_import(import_session, "apartments", book)

    first_line = (tmp_path / "commas.csv.report.csv").read_text(encoding="utf-8-sig")
    assert first_line.startswith("line,outcome,key,")
    assert [line["key"] for line in _report(commas)] == ["R-1"]
    assert [(line["key"], line["outcome"]) for line in _report(book)] == [
        ("R-4", "created"), ("R-5", "rejected"),
    ]  # fmt: skip


def test_furniture_placed_by_lon_lat_shows_lonlat(import_session, tmp_path):
    """Coordinates are no address match: quality ``lonlat``, no score or OSM address."""
    header = ["serial", "model", "street", "housenumber", "lon", "lat"]
    rows = [
        ["RF-1", MODEL, "", "", "10.7605", "59.9262"],
        ["RF-2", MODEL, "Markveien", "9", "", ""],
        ["RF-3", "No such model", "", "", "10.7605", "59.9262"],
    ]
    path = write_csv(tmp_path / "benches.csv", header, rows)

    run_import(import_session, "furniture", path)

    lonlat, address, unknown = _report(path)
    assert (lonlat["key"], lonlat["outcome"], lonlat["match_quality"]) == (
        "RF-1", "created", "lonlat",
    )  # fmt: skip
    assert [lonlat[c] for c in ("match_score", "matched_address", "osm_ref")] == ["", "", ""]
    assert lonlat["postcode_differs"] == "no"
    assert (address["match_quality"], address["matched_address"]) == (
        "exact", "Markveien 9, 0554 Oslo",
    )  # fmt: skip
    assert address["osm_ref"] in _osm_refs(import_session, "Markveien", "9")
    assert unknown["outcome"] == "rejected"
    assert "unknown model" in unknown["reason"]


def test_crew_rows_are_named_by_crew_and_member_and_show_the_depot_match(
    import_session, tmp_path
):
    """Each member row carries its crew's depot address as matched."""
    header = ["crew", "organisation", "depot", "depot_street", "depot_housenumber", "member"]
    rows = [
        ["Report crew", CONTRACTOR, "Report depot", "Markveien", "9", "Anne Berg"],
        ["Report crew", "", "", "", "", "Per Lie"],
        ["", "", "", "", "", "Nobody"],
    ]
    path = write_csv(tmp_path / "crews.csv", header, rows)

    run_import(import_session, "crews", path)

    anne, per, nobody = _report(path)
    assert (anne["key"], anne["outcome"]) == ("Report crew / Anne Berg", "created")
    assert (per["key"], per["match_quality"]) == ("Report crew / Per Lie", "exact")
    assert per["matched_address"] == "Markveien 9, 0554 Oslo"
    assert (nobody["key"], nobody["outcome"], nobody["reason"]) == (
        " / Nobody", "rejected", "crew is empty",
    )  # fmt: skip


def test_organisation_rows_are_named_by_name(import_session, tmp_path):
    """Kinds without addresses list every row with empty match columns."""
    path = write_csv(tmp_path / "orgs.csv", ["name", "kind"], [["Report AS", "contractor"]])

    run_import(import_session, "organisations", path, region=None)

    (line,) = _report(path)
    assert (line["key"], line["outcome"], line["match_quality"]) == ("Report AS", "created", "")


def test_an_import_whose_report_cannot_be_written_imports_nothing(import_session, tmp_path):
    """No report, no import: the reviewer would otherwise lose the rows' account."""
    path = write_csv(tmp_path / "blocked.csv", HEADER, ROWS[:1])
    (tmp_path / "blocked.csv.report.csv").mkdir()  # a folder where the file should go
    flats = select(func.count()).where(m.Apartment.external_ref == "R-1")

    with pytest.raises(InvalidInputError, match=r"cannot write .*blocked\.csv\.report\.csv"):
        run_import(import_session, "apartments", path)

    assert import_session.scalar(flats) == 0
