"""Expected failures of mutations, as members of each mutation's payload union."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import strawberry

from sitecrew.api.errors import log_problem
from sitecrew.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SitecrewError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

P = ParamSpec("P")
R = TypeVar("R")


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


def returns_problems(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn the expected errors a mutation raises into its payload union's problem members.

    The one place a resolver's ``SitecrewError`` becomes ``InvalidInput``, ``NotFound``,
    ``Forbidden``, ``Conflict`` or ``IllegalTransition``; anything else propagates and is masked
    by :class:`sitecrew.api.errors.ErrorCodes`. Resolvers are then parse -> one service call ->
    ``from_domain``, with no ``try`` of their own.
    """

    @functools.wraps(resolver)
    async def resolve(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except SitecrewError as error:
            problem = problem_from(error)  # an error with no payload member is raised on
            log_problem(error, kwargs.get("info"))
            return problem

    return resolve
