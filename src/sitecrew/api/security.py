"""Hardening: limits on depth, aliases, tokens and estimated cost; introspection switch.

All limits come from ``ServerSettings`` so operators can tune them without code changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import ASTValidationRule, GraphQLError, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

if TYPE_CHECKING:
    from graphql import FieldNode, ValidationContext

    from sitecrew.config import ServerSettings

#: A list field without ``first`` is assumed to return this many items (the default page).
LIST_MULTIPLIER = 50
#: Fields that return lists; ``edges``/``nodes`` inside a connection add no further factor.
LIST_FIELDS = frozenset(
    {
        "sites",
        "furniture",
        "buildings",
        "apartments",
        "jobs",
        "crews",
        "regions",
        "districts",
        "maintenanceRecords",
        "members",
        "appointments",
    }
)


def cost_rule(max_cost: int) -> type[ValidationRule]:
    """Return a validation rule refusing operations whose estimated cost exceeds ``max_cost``.

    The estimate counts every selected field, multiplying a list field's children by the page
    size asked for (``first``) or :data:`LIST_MULTIPLIER`: enough to stop a query that fans out
    over thousands of nested rows before it reaches the database.
    """

    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: Any, *_args: Any) -> None:
            cost = _selection_cost(node.selection_set, self.context)
            if cost > max_cost:
                msg = f"query cost {cost} exceeds the limit of {max_cost}; ask for less"
                self.report_error(GraphQLError(msg, node, extensions={"code": "QUERY_TOO_COSTLY"}))

    return CostLimit


def _selection_cost(selection_set: Any, context: ValidationContext) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if getattr(selection, "selection_set", None) is None:
            total += 1
            continue
        children = _selection_cost(selection.selection_set, context)
        total += 1 + children * _multiplier(selection)
    return total


def _multiplier(field: FieldNode | Any) -> int:
    for argument in getattr(field, "arguments", None) or ():
        if argument.name.value == "first" and hasattr(argument.value, "value"):
            return max(1, int(argument.value.value))
    name = getattr(getattr(field, "name", None), "value", "")
    return LIST_MULTIPLIER if name in LIST_FIELDS else 1


def hardening_extensions(settings: ServerSettings) -> list[Any]:
    """Return the schema extensions that enforce the configured limits.

    The validation rules (depth, aliases, cost, introspection) are built once, here, and added
    as one constant list: the validation cache keys on the rule classes, and strawberry's
    ``QueryDepthLimiter``/``MaxAliasesLimiter`` make a new class per request, which made every
    request validate its document again (more than half the server's time for a viewport).
    """
    rules: list[type[ASTValidationRule]] = [
        depth_validator(settings.max_query_depth, None),
        alias_validator(settings.max_aliases),
        cost_rule(settings.max_cost),
    ]
    if not settings.development:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, so each request gets fresh extension instances. Clients send the same few
    # documents again and again, so parsing and validation (limits included) are cached.
    return [
        lambda: ParserCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
    ]
