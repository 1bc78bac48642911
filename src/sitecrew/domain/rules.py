"""Small validation helpers that every domain entity uses in ``__post_init__``."""

from __future__ import annotations

import re
from datetime import date, datetime

from sitecrew.domain.limits import EARLIEST_DATE, LATEST_DATE, NAME_MAX, NOTES_MAX
from sitecrew.errors import InvalidInputError

#: Control characters (tab and newlines aside) and lone surrogates: PostgreSQL refuses NUL in
#: text and no database can encode a lone surrogate, so they would fail only at the write.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: In one-line fields (names, serials, addresses) newlines and tabs are refused as well.
_UNSTORABLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def require_text(value: str, what: str, *, max_length: int = NAME_MAX) -> None:
    """Raise unless ``value`` is non-blank, one-line text of at most ``max_length`` characters.

    Raises
    ------
    InvalidInputError
        For blank or over-long text, or text with control characters.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    _require_storable(value, what, max_length, _UNSTORABLE_LINE)


def optional_text(value: str | None, what: str, *, max_length: int = NAME_MAX) -> None:
    """Like :func:`require_text` for a field that may be absent (``None``)."""
    if value is not None:
        require_text(value, what, max_length=max_length)


def optional_notes(value: str | None, what: str, *, max_length: int = NOTES_MAX) -> None:
    """Raise unless ``value`` is ``None`` or free text (newlines allowed) within the cap.

    Raises
    ------
    InvalidInputError
        For over-long text or text with control characters other than tab and newlines.
    """
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text")
    _require_storable(value, what, max_length, _UNSTORABLE)


def _require_storable(value: str, what: str, max_length: int, refused: re.Pattern[str]) -> None:
    if len(value) > max_length:
        raise InvalidInputError(f"{what} is longer than {max_length} characters")
    if refused.search(value):
        raise InvalidInputError(f"{what} contains control characters")


def require_range(value: float, what: str, *, low: float, high: float) -> None:
    """Raise unless ``low <= value <= high``."""
    if not low <= value <= high:
        raise InvalidInputError(f"{what} must be between {low} and {high}, got {value}")


def require_plausible_date(value: date | None, what: str) -> None:
    """Raise unless ``value`` is ``None`` or a day between 1900 and 2200.

    A datetime is checked by its calendar day. Dates outside that span are typos; they also
    overflow time-zone conversions near the ends of Python's calendar.

    Raises
    ------
    InvalidInputError
        Naming the field and the accepted span.
    """
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        msg = f"{what} must be between {EARLIEST_DATE} and {LATEST_DATE}, got {day}"
        raise InvalidInputError(msg)
