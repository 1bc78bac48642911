"""``sitecrew crew``: list crews, set a calendar, keep absences, show availability, as a user runs it.

Each test runs the real ``sitecrew`` process against a database of each backend holding one
world of every entity (``tests.helpers.make_world``: crew "Care team A" with a trainee member)
and a lead, committed once; each test undoes what it changes so they stay independent.
"""

from __future__ import annotations

import subprocess  # the CLI is tested as a user runs it: a real process

import pytest
from sqlalchemy import delete, update
from tests.helpers import make_world, run_sitecrew

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.crews import CrewMember, CrewRole
from sitecrew.services import crews


@pytest.fixture(scope="session")
def crew_world(backend, database_url_factory) -> tuple[str, int]:
    """A database of ``backend`` with one world and a lead beside its trainee; URL, lead's id."""
    url = database_url_factory(backend, "sitecrew_test_crew_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = make_world(session)
        lead = crews.add_crew_member(session, CrewMember(world.crew.id, "Kari Lead", CrewRole.LEAD))
    engine.dispose()
    return url, lead.id or 0


@pytest.fixture
def sitecrew(crew_world, tmp_path):
    """Run ``sitecrew ARGS`` on the world; absences and calendars are reset afterwards."""
    url, _ = crew_world

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sitecrew(*args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")

    yield run
    engine = engine_from_url(url)
    with session_factory(engine).begin() as session:
        session.execute(delete(m.MemberAbsence))
        session.execute(
            update(m.Crew).values(
                week_pattern=None,
                active_from=None,
                active_until=None,
                min_members=1,
                works_public_holidays=False,
            )
        )
    engine.dispose()


def test_calendar_is_set_and_shown_as_availability(sitecrew):
    """A Saturday shift and a start date; the table shows Whitsun off and Saturday worked."""
    listed = sitecrew("crew", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Care team A" in listed.stdout
    assert "mon-fri 07:30-15:30" in listed.stdout
    result = sitecrew(
        "crew",
        "calendar",
        "care team a",
        "--pattern",
        "mon-fri 07:30-15:30, sat 09:00-13:00",
        "--active-from",
        "2026-05-20",
        "--min-members",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "mon-fri 07:30-15:30, sat 09:00-13:00; active 2026-05-20 to open" in result.stdout
    shown = sitecrew("crew", "availability", "Care team A", "--from", "2026-05-19", "--to", "2026-05-25")
    assert shown.returncode == 0, shown.stderr
    lines = {line.split("│")[1].strip(): line for line in shown.stdout.splitlines() if "│ 2026" in line}
    assert "before the crew starts (2026-05-20)" in lines["2026-05-19"]
    assert "09:00-13:00" in lines["2026-05-23"]
    assert "Sunday: not in the crew's week" in lines["2026-05-24"]
    assert "public holiday: Pentecost Monday" in lines["2026-05-25"]
    assert "only trainees present" not in shown.stdout


def test_absences_are_added_listed_refused_when_overlapping_and_removed(sitecrew, crew_world):
    """The lead's course leaves the trainee alone; a sick day inside it is refused (exit 5)."""
    _, member = crew_world
    added = sitecrew(
        "crew", "absence", "add", str(member), "--kind", "training",
        "--from", "2026-06-01", "--to", "2026-06-07", "--note", "Media-box course",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    absence_id = added.stdout.split()[1].rstrip(":")
    overlap = sitecrew(
        "crew", "absence", "add", str(member), "--kind", "sick", "--from", "2026-06-07",
        "--to", "2026-06-08",
    )  # fmt: skip
    assert overlap.returncode == 5
    assert overlap.stderr.startswith("error: member")
    assert f"absence {absence_id}" in overlap.stderr
    assert "Traceback" not in overlap.stderr
    listed = sitecrew("crew", "absence", "list", "--crew", "Care team A")
    assert "Media-box course" in listed.stdout
    assert "training" in listed.stdout
    shown = sitecrew("crew", "availability", "Care team A", "--from", "2026-06-01", "--to", "2026-06-01")
    assert "only trainees present" in shown.stdout
    removed = sitecrew("crew", "absence", "remove", absence_id)
    assert removed.returncode == 0, removed.stderr
    assert "0 absences" in sitecrew("crew", "absence", "list").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("calendar", "Care team A", "--pattern", "mon-fri 15:00-07:00"), 3, "end after it starts"),
        (("calendar", "No such crew", "--min-members", "2"), 4, "no crew 'No such crew'"),
        (("availability", "Care team A", "--from", "2026-01-01", "--to", "2027-01-02"), 3, "366"),
        (("absence", "add", "1", "--kind", "holiday", "--from", "2026-06-01", "--to", "2026-06-01"), 3, "kinds: sick"),
        (("absence", "remove", "999999"), 4, "no member absence with id 999999"),
    ],
)
def test_mistakes_are_one_line_and_a_non_zero_exit(sitecrew, args, code, message):
    """Bad patterns, unknown crews, long spans, unknown kinds and ids: `error: ...`, no trace."""
    result = sitecrew("crew", *args)
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
