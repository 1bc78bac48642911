"""Expected failures of mutations, as members of each mutation's payload union."""

from __future__ import annotations

from typing import Any

import strawberry

from sitecrew.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SitecrewError,
)


@strawberry.interface(description="Why a mutation changed nothing.")
class Problem:
    code: str
    message: str


@strawberry.type(description="The input breaks a rule (coordinates, polygon, window, …).")
class InvalidInput(Problem):
    pass


@strawberry.type(description="A referenced entity does not exist (or is not yours to see).")
class NotFound(Problem):
    pass


@strawberry.type(description="The change collides with stored state; reload and retry.")
class Conflict(Problem):
    pass


@strawberry.type(description="The lifecycle does not allow this status change.")
class IllegalTransition(Problem):
    pass


@strawberry.type(description="Your role may not do this.")
class Forbidden(Problem):
    pass


#: Most specific first.
_TYPES: tuple[tuple[type[SitecrewError], Any], ...] = (
    (IllegalTransitionError, IllegalTransition),
    (ConflictError, Conflict),
    (NotFoundError, NotFound),
    (PermissionDeniedError, Forbidden),
    (InvalidInputError, InvalidInput),
)


def problem_from(error: SitecrewError) -> Any:
    """Return the payload member for an expected error; re-raise anything else."""
    for error_class, problem in _TYPES:
        if isinstance(error, error_class):
            return problem(code=error.code, message=str(error))
    raise error


@strawberry.type(description="The id of what was deleted.")
class Deleted:
    id: strawberry.ID
