"""Importing crews, their depots and members (one row per member) with weekly patterns."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.services.import_world import (
    CONTRACTOR,
    MAKER,
    count,
    import_engine_fixture,  # noqa: F401 (fixture import_engine)
    import_session_fixture,  # noqa: F401 (fixture import_session)
    reasons,
    run_import,
    unchanged_tables,
    write_csv,
    write_xlsx,
)

from sitecrew.db import models as m

HEADER = [
    "crew", "organisation", "depot", "depot_street", "depot_housenumber", "member", "role",
    "skills", "trainee", "week_pattern",
]  # fmt: skip
ROWS = [
    ["Care team Løkka", CONTRACTOR, "Løkka depot", "Markveien", "9", "Anne Berg", "lead",
     "oiling, carpentry", "no", "mon-fri 07:30-15:30; sat 08:00-12:00"],
    ["Care team Løkka", "", "", "", "", "Per Lie", "member", "oiling|welding", "", ""],
    ["Care team Løkka", "", "", "", "", "Siri Dahl", "", "media box", "yes", ""],
    ["Media box crew", MAKER, "Løkka depot", "", "", "Jon Moe", "leder", "media_box", "", "man-fre 07:00-15:00"],
]  # fmt: skip
WEEKDAYS = [["07:30", "15:30"]] * 5


def _crew(session, name: str) -> m.Crew:
    return session.scalars(select(m.Crew).where(m.Crew.name == name)).one()


def _members(session, crew: m.Crew) -> dict[str, tuple[str, list[str]]]:
    rows = session.scalars(select(m.CrewMember).where(m.CrewMember.crew_id == crew.id))
    return {row.name: (row.role, sorted(row.skills)) for row in rows}


def test_crews_depots_and_members_are_created_from_member_rows(import_session, tmp_path):
    """Two crews share one new depot at a matched address; patterns and skills are kept."""
    depots = count(import_session, m.Depot)

    report = run_import(import_session, "crews", write_csv(tmp_path / "c.csv", HEADER, ROWS))

    assert (report.created, report.rejected) == (4, 0)
    assert report.extra == {"crews created": 2, "depots created": 1}
    assert count(import_session, m.Depot) == depots + 1
    care = _crew(import_session, "Care team Løkka")
    assert care.week_pattern == [*WEEKDAYS, ["08:00", "12:00"], None]
    assert sorted(care.skills) == ["carpentry", "media_box", "oiling", "welding"]
    assert (str(care.shift_start), str(care.shift_end)) == ("07:30:00", "15:30:00")
    assert _members(import_session, care) == {
        "Anne Berg": ("lead", ["carpentry", "oiling"]),
        "Per Lie": ("member", ["oiling", "welding"]),
        "Siri Dahl": ("trainee", ["media_box"]),
    }
    media = _crew(import_session, "Media box crew")
    assert media.week_pattern == [["07:00", "15:00"]] * 5 + [None, None]
    assert media.depot_id == care.depot_id
    depot = import_session.get(m.Depot, care.depot_id)
    assert depot.address == "Markveien 9"
    point = import_session.execute(
        select(func.ST_X(m.AddressPoint.location)).where(
            m.AddressPoint.street == "Markveien", m.AddressPoint.housenumber == "9"
        )
    ).scalar_one()
    depot_lon = import_session.execute(
        select(func.ST_X(m.Depot.location)).where(m.Depot.id == depot.id)
    ).scalar_one()
    assert abs(depot_lon - point) < 1e-9


def test_reimport_is_unchanged_and_an_edited_pattern_updates_the_crew(import_session, tmp_path):
    """Same file: nothing changes. A new pattern and a promoted member: two rows updated."""
    path = write_csv(tmp_path / "c.csv", HEADER, ROWS)
    run_import(import_session, "crews", path)
    care = _crew(import_session, "Care team Løkka")
    version = care.version

    again = run_import(import_session, "crews", path)
    edited = [row.copy() for row in ROWS]
    edited[0][9] = "mon-thu 07:00-17:00"
    edited[2][6], edited[2][8] = "member", "no"
    changed = run_import(import_session, "crews", write_csv(tmp_path / "e.csv", HEADER, edited))

    assert (again.unchanged, again.updated, again.created) == (4, 0, 0)
    assert again.extra == {"crews unchanged": 2, "depots unchanged": 1}
    assert (changed.updated, changed.unchanged) == (2, 2)
    import_session.expire_all()
    care = _crew(import_session, "Care team Løkka")
    assert care.week_pattern == [["07:00", "17:00"]] * 4 + [None, None, None]
    assert care.version == version + 1
    assert _members(import_session, care)["Siri Dahl"][0] == "member"


BAD_ROWS = [
    (["Care team Løkka", "", "", "", "", "Ola", "member", "juggling", "", ""], "unknown skill 'juggling'"),
    (["Care team Løkka", "", "", "", "", "Kim", "boss", "", "", ""], "unknown role 'boss'"),
    (["Care team Løkka", "", "", "", "", "Liv", "lead", "", "yes", ""], "trainee is yes but role is lead"),
    (["Care team Løkka", "", "", "", "", "Anne Berg", "member", "", "", ""], "member 'Anne Berg' of crew 'Care team Løkka' is on line 2"),
    (["Care team Løkka", MAKER, "", "", "", "Tor", "member", "", "", ""], "organisation 'Oslo Benk AS' differs from 'Løkka Bygg AS' on line 2"),
    (["Care team Løkka", "", "", "", "", "", "member", "", "", ""], "member is empty"),
    (["Ghost crew", "Nobody AS", "Løkka depot", "", "", "Ea", "", "", "", ""], "crew 'Ghost crew': unknown organisation 'Nobody AS'"),
    (["Lost crew", "", "Nowhere depot", "", "", "Bo", "", "", "", ""], "depot 'Nowhere depot' is new: give depot_street"),
    (["Late crew", "", "Løkka depot", "", "", "Al", "", "", "", "mon-fri 9-5"], "crew 'Late crew': week_pattern: "),
    (["", "", "Løkka depot", "", "", "Al", "", "", "", ""], "crew is empty"),
]  # fmt: skip


def test_each_bad_row_is_rejected_with_its_reason(import_session, tmp_path):
    """Member problems refuse the row; crew problems refuse every row of that crew."""
    rows = [ROWS[0]] + [row for row, _ in BAD_ROWS]

    report = run_import(import_session, "crews", write_csv(tmp_path / "b.csv", HEADER, rows))

    assert (report.created, report.rejected) == (1, len(BAD_ROWS))
    found = reasons(report)
    for line, (_, expected) in enumerate(BAD_ROWS, start=3):
        assert expected in found[line], (line, found[line])


def test_strict_and_dry_run_write_no_crew(import_session, tmp_path):
    """--strict with a bad row and --dry-run leave crews, members and depots as they were."""
    path = write_csv(tmp_path / "s.csv", HEADER, [*ROWS, BAD_ROWS[0][0]])
    with unchanged_tables(import_session, m.Crew, m.CrewMember, m.Depot):
        strict = run_import(import_session, "crews", path, strict=True)
        dry = run_import(import_session, "crews", path, dry_run=True)

    assert strict.refused
    assert strict.rejected == 1
    assert dry.created == 4
    assert not dry.written


def test_a_workbook_of_crews_with_a_depot_by_coordinates(import_session, tmp_path):
    """XLSX with depot_lon/depot_lat instead of an address."""
    header = ["Crew", "Depot", "Depot lon", "Depot lat", "Member", "Trainee", "Shift pattern"]
    rows: list[list[object]] = [
        ["Night crew", "Night depot", 10.75, 59.93, "Mia", True, "daily 20:00-23:30"],
        ["Night crew", None, None, None, "Ali", False, None],
    ]

    report = run_import(import_session, "crews", write_xlsx(tmp_path / "c.xlsx", header, rows))

    assert (report.created, report.rejected) == (2, 0)
    night = _crew(import_session, "Night crew")
    assert night.week_pattern == [["20:00", "23:30"]] * 7
    assert _members(import_session, night)["Mia"][0] == "trainee"
