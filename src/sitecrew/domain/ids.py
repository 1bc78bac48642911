"""Entity ids as clients send them: text that must spell a key this system could have issued.

Ids reach us as GraphQL ``ID`` strings and URL segments. Python's ``int`` is too lenient for
them (it accepts ``" 7"``, ``"7_0"`` and Arabic-Indic digits) and a number beyond the 32-bit keys
makes PostgreSQL refuse the whole statement; both used to surface as internal errors.
"""

from __future__ import annotations

import re

from sitecrew.errors import InvalidInputError, NotFoundError

#: Keys are 32-bit integers; a larger id cannot name anything.
LARGEST_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,30}")


def parse_id(value: object, what: str = "id") -> int:
    """Return the integer key that ``value`` spells.

    Raises
    ------
    InvalidInputError
        When ``value`` is not a whole number written in ASCII digits.
    NotFoundError
        When it is one, but outside the range of keys (0, or beyond 32 bits): nothing has it.
    """
    text = str(value)
    if isinstance(value, bool) or not _DIGITS.fullmatch(text):
        message = f"{what} must be a whole number, not {text[:40]!r}"
        raise InvalidInputError(message)
    number = int(text)
    if not 0 < number <= LARGEST_ID:
        message = f"no {what} {number}"
        raise NotFoundError(message)
    return number


def parse_optional_id(value: object | None, what: str = "id") -> int | None:
    """Like :func:`parse_id`, with ``None`` (not given) passed through."""
    return None if value is None else parse_id(value, what)
