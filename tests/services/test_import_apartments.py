"""Importing a housing company's register of flats into a region read from real OSM data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.services.import_world import (
    ACTOR,
    ROADS_REGION,
    count,
    import_engine_fixture,  # noqa: F401 (fixture import_engine)
    import_session_fixture,  # noqa: F401 (fixture import_session)
    log_lines,
    reasons,
    run_import,
    unchanged_tables,
    write_csv,
    write_xlsx,
)

from sitecrew.db import models as m
from sitecrew.errors import InvalidInputError

HEADER = [
    "external_ref", "street", "housenumber", "postcode", "city", "unit", "floor",
    "tenant_name", "tenant_phone", "tenant_email",
]  # fmt: skip
#: Real addresses of the Grünerløkka clip: 12B twice (one building, two flats), written as
#: registers do ("12 b"), one without postcode; 12B and Markveien 9 lie in district West,
#: Toftes gate 50 in East.
ROWS = [
    ["A-1", "Thorvald Meyers gate", "12B", "0555", "Oslo", "H0101", "1", "Kari Nordmann",
     "+47 900 11 222", "kari@example.no"],
    ["A-2", "Thorvald Meyers gate", "12 b", "0555", "Oslo", "H0201", "2", "", "", ""],
    ["A-3", "Markveien", "9", "0554", "Oslo", "H0101", "1", "Ola Hansen", "22 33 44 55", ""],
    ["A-4", "Toftes gate", "50", "", "", "U1", "-1", "", "", ""],
]  # fmt: skip


def _flat(session, ref: str) -> m.Apartment:
    return session.scalars(select(m.Apartment).where(m.Apartment.external_ref == ref)).one()


def _versions(session) -> dict[str, int]:
    return dict(session.execute(select(m.Apartment.external_ref, m.Apartment.version)).all())


def _point_of(session, street: str, number: str) -> tuple[float, float]:
    point = m.AddressPoint
    query = select(func.ST_X(point.location), func.ST_Y(point.location)).where(
        point.street == street, point.housenumber == number
    )
    return tuple(session.execute(query).one())


def test_flats_are_created_at_their_matched_address_points(import_session, tmp_path):
    """Each flat stands on its OSM address point, in a building made for that point."""
    buildings = count(import_session, m.Building)
    report = run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))

    assert (report.created, report.rejected) == (4, 0)
    assert report.qualities["exact"] >= 2
    assert count(import_session, m.Building) == buildings + 3
    flat = _flat(import_session, "A-1")
    point = _point_of(import_session, "Thorvald Meyers gate", "12B")
    flat_point = import_session.execute(
        select(func.ST_X(m.Apartment.location), func.ST_Y(m.Apartment.location)).where(
            m.Apartment.id == flat.id
        )
    ).one()
    assert tuple(flat_point) == pytest.approx(point, abs=1e-9)
    assert (flat.unit, flat.floor, flat.tenant_name) == ("H0101", 1, "Kari Nordmann")
    assert _flat(import_session, "A-2").building_id == flat.building_id
    building = import_session.get(m.Building, flat.building_id)
    assert (building.address, building.postcode, building.city) == (
        "Thorvald Meyers gate 12B", "0555", "Oslo",
    )  # fmt: skip
    assert building.footprint is not None  # the OSM outline the point lies in
    districts = dict(import_session.execute(select(m.District.id, m.District.name)).all())
    assert districts[flat.district_id] == "West"
    assert districts[_flat(import_session, "A-4").district_id] == "East"


def test_import_is_logged_with_counts_and_no_personal_data(import_session, tmp_path):
    """The personal-data log names the file, its hash and the counts; never a tenant."""
    path = write_csv(tmp_path / "tenants.csv", HEADER, ROWS)
    run_import(import_session, "apartments", path)

    line = log_lines(import_session)[-1]
    assert (line.action, line.subject, line.actor) == ("import:apartments", "tenants.csv", ACTOR)
    assert len(line.file_sha256) == 64
    assert line.detail == {
        "rows_read": 4, "created": 4, "updated": 0, "unchanged": 0, "rejected": 0,
    }  # fmt: skip
    assert "Kari" not in repr((line.actor, line.subject, line.detail))


def test_importing_the_same_file_again_changes_nothing(import_session, tmp_path):
    """Re-importing: every row unchanged, no version moves, no building added."""
    path = write_csv(tmp_path / "r.csv", HEADER, ROWS)
    run_import(import_session, "apartments", path)
    versions = _versions(import_session)
    buildings = count(import_session, m.Building)

    again = run_import(import_session, "apartments", path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    import_session.expire_all()
    assert _versions(import_session) == (versions)
    assert count(import_session, m.Building) == buildings


def test_an_edited_file_updates_only_the_changed_rows(import_session, tmp_path):
    """A changed floor and a new phone update two flats; their versions move, no others."""
    run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    before = _versions(import_session)
    edited = [row.copy() for row in ROWS]
    edited[1][6] = "3"
    edited[2][8] = "+47 911 22 333"

    report = run_import(import_session, "apartments", write_csv(tmp_path / "e.csv", HEADER, edited))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 2)
    import_session.expire_all()
    after = _versions(import_session)
    assert {ref for ref in after if after[ref] != before.get(ref)} == {"A-2", "A-3"}
    assert after["A-2"] == before["A-2"] + 1
    assert _flat(import_session, "A-2").floor == 3
    assert _flat(import_session, "A-3").tenant_phone == "+47 911 22 333"


def test_a_file_without_tenant_columns_keeps_the_stored_tenants(import_session, tmp_path):
    """Tenant columns left out mean "not in this file", not "erase the tenants"."""
    run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    slim = [row[:7] for row in ROWS]

    report = run_import(
        import_session, "apartments", write_csv(tmp_path / "s.csv", HEADER[:7], slim)
    )

    assert report.unchanged == 4
    assert _flat(import_session, "A-1").tenant_name == "Kari Nordmann"


BAD_ROWS = [
    (["A-1", "Markveien", "9", "", "", "H0301", "3", "", "", ""],
     "duplicate external_ref 'A-1', first on line 2"),
    (["B-2", "Thorvald Meyers gate", "12B", "", "", "H0101", "", "", "", ""],
     "is claimed on line 2 by 'A-1'"),
    (["B-3", "Nowhere gate", "1", "", "", "H0101", "", "", "", ""], "Nowhere gate"),
    (["B-4", "Thorvald Meyers gate", "999", "", "", "H0101", "", "", "", ""], "999"),
    (["B-5", "Markveien", "9", "", "", "H0102", "x", "", "", ""],
     "floor must be a whole number, got 'x'"),
    (["B-6", "Markveien", "9", "", "", "H0103", "300", "", "", ""],
     "floor must be between -5 and 200, got 300"),
    (["B-7", "Markveien", "9", "", "", "H0104", "", "Eva", "", "eva.example.no"],
     "tenant_email is not an e-mail address"),
    (["B-8", "Markveien", "9", "", "", "H0105", "", "Eva", "call me", ""],
     "tenant_phone is not a phone number"),
    (["B-9", "Markveien", "9", "", "", "", "", "", "", ""], "unit is empty"),
    (["", "Markveien", "9", "", "", "H0106", "", "", "", ""], "external_ref is empty"),
    (["B-11", "Markveien", "9", "", "", "H0107", "", "", "+47 900 00 000", ""],
     "tenant_phone or tenant_email given without tenant_name"),
    (["B-12", "", "", "", "", "H0108", "", "", "", ""], "street"),
    (["B-13", "Markveien", "9", "", "", "H0109", "", "", "", "", "extra"],
     "11 fields but the header names 10 (a value holding ';' must be in double quotes)"),
]  # fmt: skip


def test_each_bad_row_is_rejected_with_its_reason_and_line(import_session, tmp_path):
    """Every refusal names the problem; the good row is imported; the rejects file has them all."""
    rows = [ROWS[0]] + [row for row, _ in BAD_ROWS]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)

    report = run_import(import_session, "apartments", path)

    assert (report.created, report.rejected) == (1, len(BAD_ROWS))
    found = reasons(report)
    for line, (_, expected) in enumerate(BAD_ROWS, start=3):
        assert expected in found[line], (line, found[line])
    rejects = report.rejects_path.read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0].startswith("rejected_line;rejected_reason;external_ref;street")
    assert len(rejects) == 1 + len(BAD_ROWS)
    assert rejects[1].startswith("3;duplicate external_ref")


def test_a_unit_taken_by_a_stored_flat_is_rejected(import_session, tmp_path):
    """Another register key for a building and unit already stored is refused, naming the flat."""
    run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    other = [["C-1", *ROWS[0][1:]]]

    report = run_import(import_session, "apartments", write_csv(tmp_path / "c.csv", HEADER, other))

    assert report.rejected == 1
    assert "(external_ref 'A-1')" in reasons(report)[2]


def test_strict_writes_nothing_when_a_row_is_rejected(import_session, tmp_path):
    """--strict: one bad row and no flat, building or log line is written."""
    rows = [*ROWS, BAD_ROWS[2][0]]
    path = write_csv(tmp_path / "strict.csv", HEADER, rows)
    with unchanged_tables(import_session, m.Apartment, m.Building, m.PersonalDataEvent):
        report = run_import(import_session, "apartments", path, strict=True)

    assert report.refused
    assert not report.written
    assert (report.created, report.rejected) == (4, 1)  # what a real run would have done
    assert report.rejects_path.exists()


def test_dry_run_writes_nothing_but_its_log_line(import_session, tmp_path):
    """--dry-run matches and reports every row, writes no flat, logs the dry run."""
    path = write_csv(tmp_path / "dry.csv", HEADER, ROWS)
    with unchanged_tables(import_session, m.Apartment, m.Building):
        report = run_import(import_session, "apartments", path, dry_run=True)

    assert report.created == 4
    assert not report.written
    assert report.extra["buildings created"] == 3
    assert log_lines(import_session)[-1].action == "import:apartments:dry-run"


def test_a_workbook_imports_like_the_csv(import_session, tmp_path):
    """XLSX: numbers stay numbers (a postcode typed as 555 is 0555), the first sheet is read."""
    rows: list[list[object]] = [row.copy() for row in ROWS]
    rows[0][3] = 555  # Excel drops the leading zero of a postcode typed as a number
    rows[0][6] = 1
    path = write_xlsx(tmp_path / "register.xlsx", HEADER, rows)

    report = run_import(import_session, "apartments", path)

    assert (report.created, report.rejected) == (4, 0)
    assert _flat(import_session, "A-1").floor == 1
    again = run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    assert again.unchanged == 4


def test_comma_separated_file_with_quotes_and_norwegian_headers(import_session, tmp_path):
    """A ','-file without BOM, quoted fields, headers as a Norwegian register writes them."""
    header = ["Leilighet ID", "Gate", "Husnr", "Postnr", "Poststed", "Bolignr", "Etasje",
              "Navn", "Telefon", "E-post"]  # fmt: skip
    rows = [["A-9", "Thorvald Meyers gate", "12B", "0555", "Oslo", "H0501", "5",
             "Nordmann, Kari", "", ""]]  # fmt: skip
    path = write_csv(tmp_path / "komma.csv", header, rows, delimiter=",", bom=False)

    report = run_import(import_session, "apartments", path)

    assert report.created == 1
    assert _flat(import_session, "A-9").tenant_name == "Nordmann, Kari"


def test_a_street_with_its_number_in_one_column_is_split(import_session, tmp_path):
    """No housenumber column: "Markveien 9" is read as street and number."""
    path = write_csv(
        tmp_path / "adr.csv", ["ref", "adresse", "unit"], [["A-7", "Markveien 9", "H1"]]
    )

    report = run_import(import_session, "apartments", path)

    assert report.created == 1


def test_a_roads_only_region_refuses_every_address_with_the_reason(import_session, tmp_path):
    """A region read from a roads-only extract has no address points to match against."""
    path = write_csv(tmp_path / "r.csv", HEADER, ROWS)

    report = run_import(import_session, "apartments", path, region=ROADS_REGION)

    assert report.rejected == 4
    assert "has no OSM address points" in reasons(report)[2]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([*HEADER, "shoe size"], "unknown column(s) 'shoe size'"),
        ([h for h in HEADER if h != "unit"], "missing required column(s) unit"),
        (["external_ref", "ref", "street", "unit"], "two columns mean 'external_ref'"),
    ],
)
def test_a_header_that_cannot_be_used_stops_the_import(import_session, tmp_path, header, message):
    """Unknown, missing or doubled columns: nothing is read, the message lists what is accepted."""
    path = write_csv(tmp_path / "h.csv", header, [])
    with pytest.raises(InvalidInputError) as raised:
        run_import(import_session, "apartments", path)
    assert message in str(raised.value)


def test_a_file_that_is_not_utf8_is_refused_with_advice(import_session, tmp_path):
    """A Windows-1252 export is refused, saying how to save it."""
    path = tmp_path / "latin.csv"
    path.write_bytes("external_ref;street;unit\r\nA;Grünerløkka;1\r\n".encode("cp1252"))
    with pytest.raises(InvalidInputError, match="not UTF-8 \\(line 2\\)"):
        run_import(import_session, "apartments", path)


def test_two_flats_can_swap_units_in_one_file(import_session, tmp_path):
    """A corrected register that swaps two flats' units updates both (the unit rule holds after)."""
    run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    swapped = [row.copy() for row in ROWS]
    swapped[0][5], swapped[1][5] = ROWS[1][5], ROWS[0][5]

    report = run_import(
        import_session, "apartments", write_csv(tmp_path / "s.csv", HEADER, swapped)
    )

    assert (report.updated, report.unchanged, report.rejected) == (2, 2, 0)
    import_session.expire_all()
    assert (_flat(import_session, "A-1").unit, _flat(import_session, "A-2").unit) == (
        "H0201",
        "H0101",
    )


def test_a_unit_is_not_freed_by_a_rejected_row(import_session, tmp_path):
    """The flat holding a unit keeps it when its own row in the file is rejected."""
    run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, ROWS))
    rows = [["C-1", *ROWS[0][1:]], [*ROWS[0][:6], "x", *ROWS[0][7:]]]

    report = run_import(import_session, "apartments", write_csv(tmp_path / "c.csv", HEADER, rows))

    assert report.rejected == 2
    assert "its row in this file was rejected" in reasons(report)[2]


def test_a_letter_column_is_matched_with_the_number(import_session, tmp_path):
    """Registers that keep the house letter apart ("12" and "B") find 12B."""
    header = ["external_ref", "street", "housenumber", "letter", "unit"]
    path = write_csv(tmp_path / "l.csv", header, [["L-1", "Thorvald Meyers gate", "12", "B", "H1"]])

    report = run_import(import_session, "apartments", path)

    assert report.created == 1
    building = import_session.get(m.Building, _flat(import_session, "L-1").building_id)
    assert building.address == "Thorvald Meyers gate 12B"


def test_a_corrected_rejects_file_imports_as_it_is(import_session, tmp_path):
    """The rejects file keeps the register's columns: fix the cells, import it again."""
    rows = [*ROWS, ["A-5", "Markveien", "9", "", "", "H0201", "x", "", "", ""]]
    report = run_import(import_session, "apartments", write_csv(tmp_path / "r.csv", HEADER, rows))
    fixed = report.rejects_path.read_text(encoding="utf-8-sig").replace(";x;", ";2;")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8")

    again = run_import(import_session, "apartments", tmp_path / "fixed.csv")

    assert (again.created, again.rejected) == (1, 0)
    assert _flat(import_session, "A-5").floor == 2


def test_the_region_must_be_named_when_there_are_several(import_session, tmp_path):
    """Without --region and with two regions, the import asks which one (listing them)."""
    path = write_csv(tmp_path / "r.csv", HEADER, ROWS)
    with pytest.raises(
        InvalidInputError, match="name the region with --region: one of lokka, roads"
    ):
        run_import(import_session, "apartments", path, region=None)


def test_a_tab_separated_export_is_read(import_session, tmp_path):
    """Tab-separated text (a copy from a spreadsheet) is sniffed like ';' and ','."""
    path = write_csv(tmp_path / "t.txt", HEADER, ROWS[:1], delimiter="\t", bom=False)

    assert run_import(import_session, "apartments", path).created == 1


def test_a_wrong_postcode_still_matches_and_is_counted(import_session, tmp_path):
    """Markveien 9 is in 0554: a register saying 0555 matches it, and the summary says so."""
    rows = [["P-1", "Markveien", "9", "0555", "Oslo", "H1", "", "", "", ""]]

    report = run_import(import_session, "apartments", write_csv(tmp_path / "p.csv", HEADER, rows))

    assert report.created == 1
    assert report.extra["postcode differs from OSM"] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "old.xls: .xls files are not read; save it as .xlsx"),
        ("broken.xlsx", b"garbage", "broken.xlsx cannot be read as an XLSX workbook"),
        ("empty.csv", b"", "empty.csv is empty: the first line must name the columns"),
    ],
)
def test_files_that_are_no_register_are_refused(import_session, tmp_path, name, content, message):
    """Other spreadsheet formats, a broken workbook, an empty file: a clear refusal."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as raised:
        run_import(import_session, "apartments", path)
    assert message in str(raised.value)
