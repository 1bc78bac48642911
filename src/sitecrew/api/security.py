"""Hardening: limits on depth, aliases, tokens and cost (introspection too); introspection switch.

All limits come from ``ServerSettings`` so operators can tune them without code changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import ASTValidationRule, ExecutionResult, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from sitecrew.api.cost import CostLimits, operation_cost

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sitecrew.config import ServerSettings


class CostLimit(SchemaExtension):
    """Refuse an operation whose cost (:mod:`sitecrew.api.cost`) exceeds ``max_cost``.

    Validation rules never see variables, so the cost is computed here, just before execution,
    on the parsed and validated document (both cached) with the request's variables.
    """

    def __init__(self, *, limits: CostLimits, max_cost: int) -> None:
        self._limits = limits
        self._max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        """Answer with QUERY_TOO_COSTLY instead of executing an operation beyond the budget."""
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = operation_cost(
                context.schema._schema,  # noqa: SLF001  (graphql-core's schema behind strawberry's)
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                limits=self._limits,
            )
            if cost > self._max_cost:
                msg = f"query cost {cost} exceeds the limit of {self._max_cost}; ask for less"
                context.result = ExecutionResult(data=None, errors=[too_costly(msg)])
        yield


def too_costly(message: str) -> GraphQLError:
    """Return the error that refuses an operation (or a batch) beyond the cost budget."""
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COSTLY"})


def hardening_extensions(settings: ServerSettings) -> list[Any]:
    """Return the schema extensions that enforce the configured limits.

    The validation rules (depth, aliases, and introspection when it is turned off) are built
    once, here, and added as one constant list: the validation cache keys on the rule classes,
    and strawberry's ``QueryDepthLimiter``/``MaxAliasesLimiter`` make a new class per request,
    which made every request validate its document again (more than half the server's time for
    a viewport). The cost depends on variables, so it is no validation rule: :class:`CostLimit`
    computes it per execution, after the cached parse and validation; it weighs introspection
    too, whose fields the depth limit skips.
    """
    rules: list[type[ASTValidationRule]] = [
        depth_validator(settings.max_query_depth, None),
        alias_validator(settings.max_aliases),
    ]
    limits = CostLimits.from_settings(settings)
    if not settings.introspection:  # on by default: GraphiQL reads the (public) schema with it
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, so each request gets fresh extension instances. Clients send the same few
    # documents again and again, so parsing and validation (static limits included) are cached.
    return [
        lambda: ParserCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
        lambda: CostLimit(limits=limits, max_cost=settings.max_cost),
    ]
