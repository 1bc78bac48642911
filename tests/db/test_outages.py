"""Which failures mean "the database is away for now": what a retry outlives, not a bug."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from sitecrew.db.outages import database_unavailable, retry_while_unavailable
from sitecrew.services.planning.runs import DATABASE_WENT_AWAY, failure_message

REFUSED = "postgresql+psycopg://postgres@127.0.0.1:1/none"  # nothing listens on port 1


def _refused_connection() -> OperationalError:
    engine = create_engine(REFUSED, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("a connection to port 1 was accepted")


def test_a_refused_connection_is_an_outage_and_a_bad_statement_is_not():
    """Connection refused: unavailable. A missing table (a bug): not unavailable."""
    assert database_unavailable(_refused_connection())
    engine = create_engine("sqlite://")
    with engine.connect() as connection, pytest.raises(Exception) as raised:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not database_unavailable(raised.value)
    assert not database_unavailable(ProgrammingError("SELECT", {}, Exception("syntax")))
    assert not database_unavailable(ValueError("not a database error"))


def test_work_is_tried_again_while_the_database_is_away_then_gives_up():
    """Outages are retried until the wait is spent; then the last error is raised."""
    tries: list[int] = []

    def comes_back_on_the_third_try() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise _refused_connection()
        return "written"

    assert retry_while_unavailable(comes_back_on_the_third_try, interval_s=0.01) == "written"
    assert len(tries) == 3

    def never_back() -> None:
        raise _refused_connection()

    with pytest.raises(OperationalError):
        retry_while_unavailable(never_back, wait_s=0.05, interval_s=0.01)


def test_a_bug_is_not_retried():
    """Anything but an outage is raised at once, on the first try."""
    tries: list[int] = []

    def buggy() -> None:
        tries.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        retry_while_unavailable(buggy, interval_s=0.01)
    assert tries == [1]


def test_a_run_cut_by_an_outage_tells_its_reader_so_and_not_an_unexpected_failure():
    """The run's message says the database went away, not "failed unexpectedly (reference)"."""
    assert failure_message(_refused_connection(), run_id=1) == DATABASE_WENT_AWAY
    assert "unexpectedly" in failure_message(ValueError("bug"), run_id=1)
