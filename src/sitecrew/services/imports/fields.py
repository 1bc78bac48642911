"""Cell values as registers write them, parsed or refused with a reason a person can act on.

Each parser raises :class:`FieldError` with a sentence naming the column and what it holds;
the kinds turn that into the row's rejection.
"""

from __future__ import annotations

import re
from datetime import date

from sitecrew.domain import limits

#: Spellings of yes and no (English, Norwegian, Swedish).
YES = frozenset({"yes", "y", "true", "1", "x", "ja", "j"})
NO = frozenset({"no", "n", "false", "0", "nei", "nej", ""})
FLOOR_RANGE = (-5, 200)
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}")
_PHONE = re.compile(r"\+?[0-9 ()./-]+")
_PHONE_DIGITS = (5, 15)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class FieldError(ValueError):
    """A cell that cannot be used; the message is the row's rejection reason."""


def text(value: str, column: str, *, max_length: int = limits.NAME_MAX) -> str:
    """Return one-line text within ``max_length`` characters."""
    if len(value) > max_length:
        raise FieldError(f"{column} is longer than {max_length} characters")
    if _CONTROL.search(value):
        raise FieldError(f"{column} contains control characters")
    return value


def required(value: str, column: str, *, max_length: int = limits.NAME_MAX) -> str:
    """Return non-empty one-line text (see :func:`text`)."""
    if not value:
        raise FieldError(f"{column} is empty")
    return text(value, column, max_length=max_length)


def optional_int(value: str, column: str, *, low: int, high: int) -> int | None:
    """Return a whole number within ``low..high`` (``"3."`` reads as 3), or ``None`` if empty."""
    if not value:
        return None
    try:
        number = int(value.rstrip(".").strip())
    except ValueError:
        raise FieldError(f"{column} must be a whole number, got {value[:40]!r}") from None
    if not low <= number <= high:
        raise FieldError(f"{column} must be between {low} and {high}, got {number}")
    return number


def email(value: str, column: str) -> str | None:
    """Return a plausible e-mail address (``name@host.tld``), or ``None`` if empty."""
    if not value:
        return None
    text(value, column, max_length=limits.EMAIL_MAX)
    if not _EMAIL.fullmatch(value):
        raise FieldError(f"{column} is not an e-mail address: {value[:60]!r}")
    return value


def phone(value: str, column: str) -> str | None:
    """Return a plausible phone number (digits, spaces, ``+ - ( ) . /``; 5 to 15 digits)."""
    if not value:
        return None
    text(value, column, max_length=limits.PHONE_MAX)
    digits = sum(char.isdigit() for char in value)
    low, high = _PHONE_DIGITS
    if not _PHONE.fullmatch(value) or not low <= digits <= high:
        raise FieldError(
            f"{column} is not a phone number (digits, spaces and + - ( ) only, "
            f"{low} to {high} digits): {value[:40]!r}"
        )
    return value


def optional_date(value: str, column: str) -> date | None:
    """Return a day written ``2024-05-01`` or ``01.05.2024``, or ``None`` if empty."""
    if not value:
        return None
    dotted = _DOTTED_DATE.fullmatch(value)
    try:
        if dotted:
            day, month, year = (int(part) for part in dotted.groups())
            parsed = date(year, month, day)
        else:
            parsed = date.fromisoformat(value[:10])
    except ValueError:
        raise FieldError(f"{column} is not a date (2024-05-01 or 01.05.2024): {value!r}") from None
    if not limits.EARLIEST_DATE <= parsed <= limits.LATEST_DATE:
        raise FieldError(
            f"{column} must be between {limits.EARLIEST_DATE} and {limits.LATEST_DATE}"
        )
    return parsed


def yes_no(value: str, column: str) -> bool:
    """Return a yes/no cell (``yes``, ``ja``, ``x``, ``1`` ...; empty is no)."""
    folded = value.strip().lower()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise FieldError(f"{column} must be yes or no, got {value[:20]!r}")


def coordinate(value: str, column: str, *, limit: float) -> float:
    """Return a longitude or latitude in degrees (a decimal comma is accepted)."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise FieldError(f"{column} must be a number in degrees, got {value[:40]!r}") from None
    if not -limit <= number <= limit:
        raise FieldError(f"{column} must be between -{limit:g} and {limit:g}, got {number}")
    return number
