"""``sitecrew campaign escalations``: the planner's list of homes a campaign gave up on.

A real ``sitecrew`` process against a committed escalation world of each backend: the escalated
home is listed with both attempts, the crew and the caretaker's key, without the tenant's phone
unless ``--contacts`` is given, which writes a read line to the personal-data log; an unknown
campaign exits non-zero with one line.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from tests.helpers import run_sitecrew
from tests.services.escalation_world import PHONE, build_escalation_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory


@pytest.fixture(scope="module")
def escalated(backend, database_url_factory):
    url = database_url_factory(backend, "escalations_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_escalation_world(session)
    yield url, world, engine
    engine.dispose()


def _run(url: str, tmp_path, *args: str):
    return run_sitecrew(
        "campaign", "escalations", *args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200"
    )


def _read_lines(engine) -> list[m.PersonalDataEvent]:
    with session_factory(engine)() as session:
        return list(
            session.scalars(select(m.PersonalDataEvent).where(m.PersonalDataEvent.action == "read"))
        )


def test_the_escalated_home_is_listed_with_its_attempts_and_access(escalated, tmp_path):
    """Both failed visits with the crew, the caretaker's key; no contact data, no log line."""
    url, world, engine = escalated
    done = _run(url, tmp_path, str(world.tenants.campaign_id))
    assert done.returncode == 0, done.stderr
    assert "1 escalated homes" in done.stdout
    assert str(world.apartment_id) in done.stdout
    assert "no_show (Hired" in done.stdout
    assert "no_access (Hired" in done.stdout
    assert "caretaker_key" in done.stdout
    assert PHONE not in done.stdout
    assert _read_lines(engine) == []


def test_contacts_are_shown_on_request_and_logged(escalated, tmp_path):
    """``--contacts`` adds the tenant's name and phone and one read line naming the flat."""
    url, world, engine = escalated
    done = _run(url, tmp_path, str(world.tenants.campaign_id), "--contacts")
    assert done.returncode == 0, done.stderr
    assert "Tenant 02" in done.stdout
    assert PHONE in done.stdout
    [line] = _read_lines(engine)
    assert line.actor.startswith("cli:")
    with session_factory(engine).begin() as session:
        subjects = session.scalars(
            select(m.PersonalDataSubject.apartment_id).where(
                m.PersonalDataSubject.event_id == line.id
            )
        ).all()
        assert subjects == [world.apartment_id]
        session.execute(delete(m.PersonalDataSubject))
        session.execute(delete(m.PersonalDataEvent).where(m.PersonalDataEvent.action == "read"))


def test_an_unknown_campaign_exits_non_zero_with_one_line(escalated, tmp_path):
    """A campaign that does not exist is refused without a traceback."""
    url, _, _ = escalated
    done = _run(url, tmp_path, "999999")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "999999" in done.stdout + done.stderr
