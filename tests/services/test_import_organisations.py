"""Importing organisations by name, and binding the region's districts to contractors."""

from __future__ import annotations

from sqlalchemy import select
from tests.services.import_world import (
    CONTRACTOR,
    MAKER,
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

ROWS = [
    ["Grønn Park AS", "contractor"],
    ["Benkefabrikken", "Furniture maker"],
    ["Sofienberg Borettslag", "eier"],
    [CONTRACTOR, "contractor"],
]


def _kind(session, name: str) -> str:
    return session.scalars(select(m.Organisation.kind).where(m.Organisation.name == name)).one()


def _contractor_of(session, district: str) -> int | None:
    query = select(m.District.contractor_id).where(m.District.name == district)
    return session.scalars(query).one()


def _organisation_id(session, name: str) -> int:
    return session.scalars(select(m.Organisation.id).where(m.Organisation.name == name)).one()


def test_organisations_are_created_and_known_ones_left_alone(import_session, tmp_path):
    """New names are created with their kind (in any spelling); a stored one is unchanged."""
    path = write_csv(tmp_path / "o.csv", ["Name", "Type"], ROWS)

    report = run_import(import_session, "organisations", path, region=None)

    assert (report.created, report.unchanged, report.rejected) == (3, 1, 0)
    assert _kind(import_session, "Benkefabrikken") == "furniture_maker"
    assert _kind(import_session, "Sofienberg Borettslag") == "owner"
    assert log_lines(import_session)[-1].action == "import:organisations"


def test_a_changed_kind_updates_the_organisation_and_reimport_changes_nothing(
    import_session, tmp_path
):
    """Matched by name in any case: a new kind is an update; the same file again is unchanged."""
    path = write_csv(tmp_path / "o.csv", ["name", "kind"], ROWS)
    run_import(import_session, "organisations", path)
    edited = [["grønn park as", "service_provider"], *ROWS[1:]]

    changed = run_import(
        import_session, "organisations", write_csv(tmp_path / "e.csv", ["name", "kind"], edited)
    )
    again = run_import(
        import_session, "organisations", write_csv(tmp_path / "e2.csv", ["name", "kind"], edited)
    )

    assert (changed.updated, changed.unchanged) == (1, 3)
    assert (again.updated, again.unchanged) == (0, 4)
    assert _kind(import_session, "Grønn Park AS") == "service_provider"


def test_bad_organisation_rows_are_rejected(import_session, tmp_path):
    """Unknown kind, empty name, a name twice: refused with reasons."""
    rows = [["Ny AS", "owner"], ["Rar AS", "pirate"], ["", "owner"], ["ny as", "contractor"]]

    report = run_import(
        import_session, "organisations", write_csv(tmp_path / "b.csv", ["name", "kind"], rows)
    )

    found = reasons(report)
    assert "unknown organisation kind 'pirate'; kinds: owner, furniture_maker" in found[3]
    assert found[4] == "name is empty"
    assert found[5] == "duplicate name 'ny as', first on line 2"


def test_strict_dry_run_and_workbook_for_organisations(import_session, tmp_path):
    """--strict and --dry-run write no organisation; a workbook reads like the CSV."""
    bad = write_csv(tmp_path / "b.csv", ["name", "kind"], [["Ny AS", "owner"], ["Rar AS", "x"]])
    with unchanged_tables(import_session, m.Organisation):
        assert run_import(import_session, "organisations", bad, strict=True).refused
        assert run_import(import_session, "organisations", bad, dry_run=True).created == 1
    book = write_xlsx(tmp_path / "o.xlsx", ["Navn", "Rolle"], [["Verksted AS", "contractor"]])

    assert run_import(import_session, "organisations", book).created == 1


def test_districts_are_bound_to_contractors_and_unbound(import_session, tmp_path):
    """A contractor takes district West; an empty contractor frees East; re-import is unchanged."""
    header = ["Bydel", "Entreprenør"]
    path = write_csv(tmp_path / "d.csv", header, [["West", CONTRACTOR], ["east", ""]])

    report = run_import(import_session, "districts", path)
    again = run_import(import_session, "districts", path)

    assert (report.updated, report.unchanged) == (1, 1)  # East was free already
    assert (again.updated, again.unchanged) == (0, 2)
    assert _contractor_of(import_session, "West") == _organisation_id(import_session, CONTRACTOR)
    unbind = write_csv(tmp_path / "u.csv", header, [["West", ""]])
    assert run_import(import_session, "districts", unbind).updated == 1
    assert _contractor_of(import_session, "West") is None


def test_bad_district_rows_are_rejected(import_session, tmp_path):
    """Unknown district, unknown organisation, a maker as contractor, a district twice."""
    rows = [["North", CONTRACTOR], ["West", "Nobody AS"], ["West", MAKER], ["East", CONTRACTOR],
            ["east", ""]]  # fmt: skip
    with unchanged_tables(import_session, m.District):
        report = run_import(
            import_session,
            "districts",
            write_csv(tmp_path / "b.csv", ["district", "contractor"], rows),
        )

    found = reasons(report)
    assert found[2] == "region 'lokka' has no district 'North'; its districts: East, West"
    assert found[3] == "unknown organisation 'Nobody AS' (import organisations first)"
    assert "'Oslo Benk AS' is a furniture_maker, not a contractor" in found[4]
    assert found[6] == "district 'east' is bound on line 5 already"
    assert report.updated == 1
    assert count(import_session, m.District) == 2
