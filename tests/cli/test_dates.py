"""Dates as users type them: a wrong form and a day that does not exist get different answers."""

from __future__ import annotations

import pytest

from sitecrew.cli import main
from sitecrew.domain.days import parse_day
from sitecrew.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "--date 2026-02-30 does not exist: February 2026 has 28 days"),
        ("2028-02-30", "--date 2028-02-30 does not exist: February 2028 has 29 days"),
        ("2026-13-01", "--date 2026-13-01 does not exist: there is no month 13"),
        ("2026-04-31", "--date 2026-04-31 does not exist: April 2026 has 30 days"),
        ("0000-01-01", "--date 0000-01-01 does not exist: there is no year 0"),
        ("2.6.2026", "--date must be YYYY-MM-DD, got '2.6.2026'"),
        ("2026-6-2", "--date must be YYYY-MM-DD, got '2026-6-2'"),
        ("\uff12\uff10\uff12\uff16-06-02", "--date must be YYYY-MM-DD"),  # full-width digits
    ],
)
def test_a_bad_day_names_what_is_wrong_when_parsed(text, message):
    """A well-formed day that does not exist is told apart from a malformed one."""
    with pytest.raises(InvalidInputError) as raised:
        parse_day(text, name="--date")
    assert message in str(raised.value)


def test_a_real_day_is_returned_when_parsed():
    """Leap days and the last day of December parse."""
    assert parse_day("2028-02-29").isoformat() == "2028-02-29"
    assert parse_day("9999-12-31").isoformat() == "9999-12-31"


def test_plan_says_the_day_does_not_exist_when_given_february_30(capsys):
    """``sitecrew plan --date 2026-02-30`` exits 3 saying the day does not exist, not its form."""
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--region", "oslo", "--date", "2026-02-30"])
    assert exited.value.code == 3
    error = capsys.readouterr().err
    assert "2026-02-30 does not exist" in error
    assert "YYYY-MM-DD" not in error
