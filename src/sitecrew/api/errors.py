"""Errors across the GraphQL boundary, in one place.

Every error strawberry reports passes :meth:`SitecrewSchema.process_errors` exactly once (query
and mutation results, validation errors, exceptions raised while preparing an operation,
subscription frames). There each is classified:

- a known error (a ``SitecrewError`` anywhere in its chain) keeps its message and gains its
  stable ``extensions.code``;
- an error graphql-core made itself (a syntax or validation error, a variable of the wrong
  type, an unknown enum value) keeps its message with ``GRAPHQL_VALIDATION_FAILED``, whether the
  bad value came inline or through variables;
- a database that cannot be reached or answer right now (a refused or dropped connection, a
  server shutting down, a pool with no connection left, SQLite's "database is locked") is
  ``UNAVAILABLE`` with a "try again" message: the client did nothing wrong and retrying helps;
- anything else is masked to "Unexpected error." with ``INTERNAL``, so responses never carry a
  stack trace or SQL.

An expected error is logged as one line (code, operation, path, and who asked: role and token
id, never the secret); only an unexpected one is logged with its traceback. Every rewritten error
carries ``extensions.requestId`` while a request is being served (:mod:`sitecrew.logs`), so a
user's report leads to the server's log lines of that request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sitecrew.db.outages import database_unavailable
from sitecrew.errors import SitecrewError
from sitecrew.logs import current_request_id, describe_principal, principal_fields

if TYPE_CHECKING:
    from collections.abc import Iterator

    from strawberry.types import ExecutionContext

    from sitecrew.domain.access import Principal

LOGGER = logging.getLogger("sitecrew.api")
UNEXPECTED = "Unexpected error."
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL"
UNAVAILABLE = "UNAVAILABLE"
DATABASE_UNAVAILABLE = "The database is unavailable right now; try again shortly."
#: Longest message text written to the log line of an expected error.
LOGGED_MESSAGE_MAX = 300


@dataclass(frozen=True)
class Verdict:
    """What a client is told about an error, and whether the server expected it."""

    code: str
    message: str
    expected: bool
    cause: BaseException | None = None


def code_for(error: BaseException | None) -> str | None:
    """Return the stable code of a known error (None for an unexpected one)."""
    return error.code if isinstance(error, SitecrewError) else None


def _causes(error: GraphQLError) -> list[BaseException]:
    """Return the chain of original errors under ``error``, outermost first.

    graphql-core wraps a variable's coercion error twice ("Variable '$n' has invalid value"
    around "Int cannot represent ..." around whatever the scalar raised); the chain holds all.
    """
    chain: list[BaseException] = []
    cause = error.original_error
    while cause is not None and len(chain) < 8:  # noqa: PLR2004 (graphql-core nests two deep)
        chain.append(cause)
        cause = cause.original_error if isinstance(cause, GraphQLError) else None
    return chain


def classify(error: GraphQLError) -> Verdict:
    """Return the code, the message the client sees, and whether ``error`` was expected."""
    chain = _causes(error)
    known = next((cause for cause in chain if isinstance(cause, SitecrewError)), None)
    if known is not None:
        message = str(known) if chain[0] is known else error.message
        return Verdict(known.code, message, expected=True)
    if all(isinstance(cause, GraphQLError) for cause in chain):
        code = (error.extensions or {}).get("code", VALIDATION_FAILED)
        return Verdict(str(code), error.message, expected=True)
    if any(database_unavailable(cause) for cause in chain):
        return Verdict(UNAVAILABLE, DATABASE_UNAVAILABLE, expected=True)
    return Verdict(INTERNAL, UNEXPECTED, expected=False, cause=chain[-1])


def _rewrite(error: GraphQLError, verdict: Verdict) -> GraphQLError:
    extensions = {**(error.extensions or {}), "code": verdict.code}
    if not verdict.expected:
        extensions = {"code": verdict.code}
    request_id = current_request_id()
    if request_id is not None:
        extensions["requestId"] = request_id
    return GraphQLError(
        verdict.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _log(verdict: Verdict, path: str, operation: str | None, principal: Principal | None) -> None:
    name = operation or "anonymous"
    who = describe_principal(principal)
    fields = {"operation": name, "path": path, **principal_fields(principal)}
    if verdict.expected:
        message = verdict.message[:LOGGED_MESSAGE_MAX]
        LOGGER.info(
            "%s in %s at %s by %s: %r",
            verdict.code,
            name,
            path,
            who,
            message,
            extra={"code": verdict.code, **fields},
        )
    else:
        LOGGER.error(
            "unexpected error in %s at %s by %s",
            name,
            path,
            who,
            exc_info=verdict.cause,
            extra={"code": verdict.code, **fields},
        )


def rewrite_errors(
    errors: list[GraphQLError],
    operation: str | None = None,
    principal: Principal | None = None,
) -> None:
    """Classify, log and rewrite ``errors`` in place (the list strawberry will answer with)."""
    verdicts = [classify(error) for error in errors]
    for verdict, error in zip(verdicts, errors, strict=True):
        path = ".".join(str(key) for key in error.path) if error.path else "-"
        _log(verdict, path, operation, principal)
    errors[:] = [_rewrite(e, v) for e, v in zip(errors, verdicts, strict=True)]


def log_problem(error: SitecrewError, info: Any) -> None:
    """Log a mutation's expected failure (a payload problem, not a GraphQL error) as one line.

    ``info`` is the resolver's ``strawberry.Info`` (None when a resolver was called without
    one), read for the operation's name, the field and the caller.
    """
    operation = getattr(getattr(info, "operation", None), "name", None)
    name = None if operation is None else operation.value
    path = getattr(info, "field_name", None) or "-"
    principal = getattr(getattr(info, "context", None), "principal", None)
    _log(Verdict(error.code, str(error), expected=True), path, name, principal)


def _principal_of(execution_context: ExecutionContext | None) -> Principal | None:
    """Return who ran the operation (None before authentication or outside a request)."""
    context = getattr(execution_context, "context", None)
    return getattr(context, "principal", None)


class SitecrewSchema(strawberry.Schema):
    """A strawberry schema whose errors are classified, logged once and rewritten."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Replace strawberry's logging (a traceback per error) with :func:`rewrite_errors`.

        strawberry hands every error list it answers with to this method, including the
        errors of an exception raised before execution, which no extension hook sees in time.
        """
        operation = execution_context.operation_name if execution_context else None
        rewrite_errors(errors, operation, _principal_of(execution_context))


class ErrorCodes(SchemaExtension):
    """Make sure every answered error carries a code (a net under :class:`SitecrewSchema`).

    Errors already rewritten keep their code; this only matters for a schema built without
    :class:`SitecrewSchema`, where it rewrites without logging twice.
    """

    def on_operation(self) -> Iterator[None]:
        """Rewrite the operation's errors once it has run."""
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_rewrite(error, classify(error)) for error in result.errors]
