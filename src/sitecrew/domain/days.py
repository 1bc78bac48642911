"""Service days as people type them: ``YYYY-MM-DD`` text that must also name a real day.

``date.fromisoformat`` fails the same way for ``2026-6-2`` (wrong form) and ``2026-02-30`` (right
form, no such day); telling those apart saves a user from retyping a date that was well formed.
"""

from __future__ import annotations

import re
from datetime import date

from sitecrew.errors import InvalidInputError

_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
#: Longest piece of rejected input repeated in a message.
_SHOWN = 40


def parse_day(text: str, *, name: str = "date") -> date:
    """Return the day ``text`` names.

    Parameters
    ----------
    text
        The day as typed (a CLI option, a URL segment).
    name
        What the value is called where the user typed it (``--date``), for the message.

    Raises
    ------
    InvalidInputError
        When ``text`` is not ``YYYY-MM-DD``, or is but names no day (``2026-02-30``).
    """
    match = _DAY.fullmatch(text)
    if match is None:
        message = f"{name} must be YYYY-MM-DD, got {text[:_SHOWN]!r}"
        raise InvalidInputError(message)
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        message = f"{name} {text} does not exist: {_why_not(year, month)}"
        raise InvalidInputError(message) from None


def _why_not(year: int, month: int) -> str:
    """Say which part of a well-formed date names nothing."""
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:  # noqa: PLR2004
        return f"there is no month {month:02d}"
    days = _days_in(year, month)
    return f"{date(year, month, 1):%B %Y} has {days} days"


def _days_in(year: int, month: int) -> int:
    if month == 12:  # noqa: PLR2004  (December: the next month may be beyond year 9999)
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days
