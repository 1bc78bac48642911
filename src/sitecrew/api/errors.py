"""Errors across the GraphQL boundary, in one place.

Known errors (``SitecrewError``) keep their message and gain a stable ``extensions.code``;
anything else is masked to "Unexpected error" and logged with its traceback, so responses never
carry stack traces or SQL.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sitecrew.errors import SitecrewError

if TYPE_CHECKING:
    from collections.abc import Iterator

LOGGER = logging.getLogger("sitecrew.api")
UNEXPECTED = "Unexpected error."


def code_for(error: BaseException | None) -> str | None:
    """Return the stable code of a known error (None for an unexpected one)."""
    return error.code if isinstance(error, SitecrewError) else None


def _rewrite(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    code = code_for(original)
    if code is not None:
        return GraphQLError(
            str(original), nodes=error.nodes, path=error.path, extensions={"code": code}
        )
    if original is None:  # a validation or syntax error from graphql-core: safe to show
        extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
        return GraphQLError(
            error.message, nodes=error.nodes, path=error.path, extensions=extensions
        )
    LOGGER.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        UNEXPECTED, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL"}
    )


class ErrorCodes(SchemaExtension):
    """Give known errors their code and mask the rest (the MaskErrors pattern, with codes)."""

    def on_operation(self) -> Iterator[None]:
        """Rewrite the operation's errors once it has run."""
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_rewrite(error) for error in result.errors]
        pre = self.execution_context.pre_execution_errors
        if pre:
            self.execution_context.pre_execution_errors = [_rewrite(error) for error in pre]
