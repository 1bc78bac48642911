"""Small validation helpers that every domain entity uses in ``__post_init__``."""

from __future__ import annotations

from sitecrew.errors import InvalidInputError


def require_text(value: str, what: str, *, max_length: int = 500) -> None:
    """Raise unless ``value`` is non-blank text of at most ``max_length`` characters."""
    if not value or not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidInputError(f"{what} is longer than {max_length} characters")


def require_range(value: float, what: str, *, low: float, high: float) -> None:
    """Raise unless ``low <= value <= high``."""
    if not low <= value <= high:
        raise InvalidInputError(f"{what} must be between {low} and {high}, got {value}")
