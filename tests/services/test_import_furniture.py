"""Importing installed furniture by serial: placed by address or lon/lat, on OSM-made sites."""

from __future__ import annotations

from sqlalchemy import select
from tests.services.import_world import (
    MODEL,
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

HEADER = ["serial", "model", "installed_on", "street", "housenumber", "lon", "lat", "site"]
#: Two benches in Birkelunden park (the park wins over the residential area around it), one in
#: Grünerløkka skole's yard, one at Markveien 9 (in the big residential area), one on a street
#: corner in no OSM area but with its site named.
ROWS = [
    ["SN-1", MODEL, "2024-05-01", "", "", "10.7605", "59.9262", ""],
    ["SN-2", "park bench CLASSIC", "01.05.2024", "", "", "10.7603", "59.9264", ""],
    ["SN-3", MODEL, "", "", "", "10.762057", "59.926396", ""],
    ["SN-4", MODEL, "", "Markveien", "9", "", "", ""],
    ["SN-5", MODEL, "", "", "", "10.77", "59.92", "Corner of Lakkegata"],
]


def _item(session, serial: str) -> m.Furniture:
    return session.scalars(select(m.Furniture).where(m.Furniture.serial == serial)).one()


def _site_of(session, serial: str) -> m.Site:
    return session.get(m.Site, _item(session, serial).site_id)


def test_furniture_lands_on_sites_made_from_the_osm_areas_around_it(import_session, tmp_path):
    """Park, schoolyard, housing yard and a named street site are created once each."""
    sites = count(import_session, m.Site)

    report = run_import(import_session, "furniture", write_csv(tmp_path / "f.csv", HEADER, ROWS))

    assert (report.created, report.rejected) == (5, 0)
    assert report.qualities == {"exact": 1, "lonlat": 4}
    assert count(import_session, m.Site) == sites + 4
    park = _site_of(import_session, "SN-1")
    assert (park.name, park.kind, park.osm_id) == ("Birkelunden", "park", "way/3236549")
    assert _site_of(import_session, "SN-2").id == park.id
    school = _site_of(import_session, "SN-3")
    assert (school.name, school.kind) == ("Grünerløkka skole", "schoolyard")
    assert _site_of(import_session, "SN-4").kind == "housing_cooperative"
    corner = _site_of(import_session, "SN-5")
    assert (corner.name, corner.kind, corner.area) == ("Corner of Lakkegata", "other", None)
    assert str(_item(import_session, "SN-2").installed_on) == "2024-05-01"
    assert log_lines(import_session)[-1].action == "import:furniture"


def test_a_named_site_is_found_by_name(import_session, tmp_path):
    """A later file naming a stored site puts the item there, wherever its point is."""
    run_import(import_session, "furniture", write_csv(tmp_path / "f.csv", HEADER, ROWS))
    rows = [["SN-9", MODEL, "", "", "", "10.7700", "59.9210", "birkelunden"]]

    run_import(import_session, "furniture", write_csv(tmp_path / "g.csv", HEADER, rows))

    assert _site_of(import_session, "SN-9").id == _site_of(import_session, "SN-1").id


def test_reimport_changes_nothing_and_an_edit_updates_one_item(import_session, tmp_path):
    """Upsert by serial: the same file is all unchanged; a new date updates one item only."""
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)
    run_import(import_session, "furniture", path)
    versions = dict(import_session.execute(select(m.Furniture.serial, m.Furniture.version)).all())

    again = run_import(import_session, "furniture", path)
    edited = [row.copy() for row in ROWS]
    edited[2][2] = "2020-06-01"
    changed = run_import(import_session, "furniture", write_csv(tmp_path / "e.csv", HEADER, edited))

    assert (again.unchanged, again.updated, again.created) == (5, 0, 0)
    assert (changed.unchanged, changed.updated) == (4, 1)
    import_session.expire_all()
    after = dict(import_session.execute(select(m.Furniture.serial, m.Furniture.version)).all())
    assert {s for s in after if after[s] != versions.get(s)} == {"SN-3"}


BAD_ROWS = [
    (["SN-1", MODEL, "", "", "", "10.7605", "59.9262", ""], "duplicate serial 'SN-1', first on line 2"),
    (["SN-11", "Sofa", "", "", "", "10.7605", "59.9262", ""], "unknown model 'Sofa'; known models: Park bench classic"),
    (["SN-12", MODEL, "yesterday", "", "", "10.7605", "59.9262", ""], "installed_on is not a date"),
    (["SN-13", MODEL, "", "", "", "10.77", "59.92", ""], "lies in no school, playground, park or residential area"),
    (["SN-14", MODEL, "", "", "", "10.9", "59.9", ""], "lies outside region 'lokka'"),
    (["SN-15", MODEL, "", "", "", "10.7605", "", ""], "lat must be a number"),
    (["SN-16", MODEL, "", "", "", "", "", ""], "no place given"),
    (["SN-17", MODEL, "", "Nowhere gate", "1", "", "", ""], "Nowhere gate"),
    (["", MODEL, "", "", "", "10.7605", "59.9262", ""], "serial is empty"),
]  # fmt: skip


def test_each_bad_row_is_rejected_with_its_reason(import_session, tmp_path):
    """Every refusal names its problem and line; the good row is imported."""
    rows = [ROWS[0]] + [row for row, _ in BAD_ROWS]

    report = run_import(import_session, "furniture", write_csv(tmp_path / "b.csv", HEADER, rows))

    assert (report.created, report.rejected) == (1, len(BAD_ROWS))
    found = reasons(report)
    for line, (_, expected) in enumerate(BAD_ROWS, start=3):
        assert expected in found[line], (line, found[line])


def test_strict_and_dry_run_write_no_furniture_or_site(import_session, tmp_path):
    """--strict with a bad row and --dry-run both leave furniture and sites as they were."""
    path = write_csv(tmp_path / "s.csv", HEADER, [*ROWS, BAD_ROWS[1][0]])
    with unchanged_tables(import_session, m.Furniture, m.Site):
        strict = run_import(import_session, "furniture", path, strict=True)
        dry = run_import(import_session, "furniture", path, dry_run=True)

    assert strict.refused
    assert (strict.created, strict.rejected) == (5, 1)
    assert dry.extra["sites created"] == 4
    assert not dry.written


def test_a_workbook_with_numbers_and_dates_imports(import_session, tmp_path):
    """XLSX cells hold numbers and dates; they read as the CSV's text would."""
    from datetime import date

    rows: list[list[object]] = [
        ["SN-21", MODEL, date(2023, 4, 2), None, None, 10.7605, 59.9262, None],
    ]
    report = run_import(import_session, "furniture", write_xlsx(tmp_path / "f.xlsx", HEADER, rows))

    assert report.created == 1
    assert _item(import_session, "SN-21").installed_on == date(2023, 4, 2)


def test_a_roads_only_region_takes_lonlat_but_refuses_addresses(import_session, tmp_path):
    """Without address points an address is refused; lon/lat with a named site still works."""
    rows = [
        ["SN-31", MODEL, "", "", "", "17.6389", "59.8586", "Stora torget"],
        ["SN-32", MODEL, "", "Drottninggatan", "1", "", "", "Stora torget"],
    ]
    path = write_csv(tmp_path / "u.csv", HEADER, rows)

    report = run_import(import_session, "furniture", path, region=ROADS_REGION)

    assert (report.created, report.rejected) == (1, 1)
    assert "has no OSM address points" in reasons(report)[3]
