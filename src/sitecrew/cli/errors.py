"""Exit codes for the error classes: the command line's half of the one error table."""

from __future__ import annotations

from sitecrew.errors import (
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SitecrewError,
    StreetGraphError,
    UnavailableError,
)

#: Most specific class first; 2 is left to the CLI library's own usage errors.
EXIT_CODES: tuple[tuple[type[SitecrewError], int], ...] = (
    (InvalidInputError, 3),
    (StreetGraphError, 3),
    (NotFoundError, 4),
    (ConflictError, 5),
    (PermissionDeniedError, 6),
    (ConfigurationError, 7),
    (UnavailableError, 7),  # like an unreachable database: a service is down
)


#: A database failure no check foresaw (the same code as an unreachable database).
DATABASE_EXIT_CODE = 7


def exit_code_for(error: SitecrewError) -> int:
    """Return the process exit code for a known error (1 when no row is more specific)."""
    for error_class, code in EXIT_CODES:
        if isinstance(error, error_class):
            return code
    return 1
