"""What an introspection query costs: its meta fields, and the most items each list can hold.

Introspection is on for authenticated callers (GraphiQL reads the schema with it), and the depth
limit does not look at introspection fields (strawberry skips every name that starts with
``__``). So the cost estimate (:mod:`sitecrew.api.cost`) is what bounds an introspection query:
``{ __schema { types { fields { type { ofType { fields { ... } } } } } } }`` multiplies like
any nested list. Each introspection list is weighed by the most items it holds anywhere in the
running schema (the fields of its largest type, the arguments of its largest field...): an upper
bound, computed once per schema, so nesting can never make an answer larger than its estimate.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graphql import GraphQLField, GraphQLSchema

#: How deep introspection selections are weighed (graphql-js's own introspection query, which
#: GraphiQL sends, reaches 15 levels: nine ``ofType`` below a field's argument's type). Below
#: this, the only field that is no list is ``ofType``, which is null after a few wrappers.
INTROSPECTION_MAX_DEPTH = 32


def meta_field(schema: GraphQLSchema, parent: GraphQLObjectType, name: str) -> GraphQLField | None:
    """Return the definition of ``__schema`` or ``__type`` on the query type (None otherwise)."""
    if parent is not schema.query_type:
        return None
    return {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}.get(name)


def introspection_list_cap(schema: GraphQLSchema, parent: str, name: str) -> int:
    """Return the most items the introspection list ``parent.name`` holds in ``schema``."""
    return _caps(schema).get((parent, name), 0)


@lru_cache(maxsize=8)
def _caps(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """Return the largest length of every introspection list in ``schema``."""
    types = list(schema.type_map.values())  # introspection's own types are listed too
    composite = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in composite for f in t.fields.values()]
    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Directive", "args"): _longest(len(d.args) for d in schema.directives),
        ("__Type", "fields"): _longest(len(t.fields) for t in composite),
        ("__Type", "interfaces"): _longest(len(t.interfaces) for t in composite),
        ("__Type", "possibleTypes"): _longest(len(schema.get_possible_types(t)) for t in abstract),
        ("__Type", "enumValues"): _longest(
            len(t.values) for t in types if isinstance(t, GraphQLEnumType)
        ),
        ("__Type", "inputFields"): _longest(
            len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)
        ),
        ("__Field", "args"): _longest(len(f.args) for f in fields),
    }


def _longest(lengths: Iterable[int]) -> int:
    return max(lengths, default=0)
