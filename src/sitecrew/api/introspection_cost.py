"""What an introspection query costs: exactly the values its answer will hold.

Introspection is on for authenticated callers (GraphiQL reads the schema with it), and the depth
limit does not look at introspection fields (strawberry skips every name that starts with
``__``). So the cost estimate (:mod:`sitecrew.api.cost`) is what bounds an introspection query:
``{ __schema { types { fields { type { ofType { fields { ... } } } } } } }`` multiplies like
any nested list. As the schema is known before the query runs, :class:`IntrospectionCount`
counts the answer itself instead of bounding it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    SelectionSetNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, introspection_types

if TYPE_CHECKING:

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


#: Groups the fields a selection runs on an introspection type by response key (fragments,
#: directives and all, as :class:`sitecrew.api.cost._Walk` does for every other type).
Collect = Callable[[GraphQLObjectType, tuple[SelectionSetNode, ...]], dict[str, list[FieldNode]]]


class IntrospectionCount:
    """Count the values an introspection selection puts in its answer, exactly.

    The schema is fixed, so the answer of ``__schema``/``__type`` is known before it runs: this
    walks the schema's own objects along the selection, as execution would, and counts what it
    would write (a field once per item of its list, as the rest of the estimate does). Bounding
    each nested list by the largest one anywhere made GraphiQL's own introspection query cost
    more than a million once the schema had a mutation type of 40 fields; the exact count is
    about 30,000. Each (schema object, selection) pair is counted once (memo), so the walk is
    as long as the schema times the selection, however deep the nesting, and stops at
    :data:`INTROSPECTION_MAX_DEPTH`.
    """

    def __init__(self, schema: GraphQLSchema, collect: Collect) -> None:
        self._schema = schema
        self._collect = collect
        self._memo: dict[tuple[str, int, tuple[int, ...]], int] = {}

    def schema_cost(self, sets: tuple[SelectionSetNode, ...]) -> int:
        """Return the values of ``__schema { ... }``."""
        return 1 + self._object("__Schema", self._schema, sets, depth=0)

    def type_cost(self, type_name: object, sets: tuple[SelectionSetNode, ...]) -> int:
        """Return the values of ``__type(name: ...) { ... }`` (null for an unknown name)."""
        found = self._schema.get_type(type_name) if isinstance(type_name, str) else None
        return 1 if found is None else 1 + self._object("__Type", found, sets, depth=0)

    def _object(
        self, meta: str, value: object, sets: tuple[SelectionSetNode, ...], *, depth: int
    ) -> int:
        key = (meta, id(value), tuple(id(s) for s in sets))
        if key not in self._memo:
            meta_type = introspection_types[meta]
            assert isinstance(meta_type, GraphQLObjectType)  # noqa: S101 (the meta types are)
            grouped = self._collect(meta_type, sets)
            self._memo[key] = sum(
                self._field(meta_type, value, nodes, depth=depth) for nodes in grouped.values()
            )
        return self._memo[key]

    def _field(
        self, meta_type: GraphQLObjectType, value: object, nodes: list[FieldNode], *, depth: int
    ) -> int:
        name = nodes[0].name.value
        definition = meta_type.fields.get(name)
        if definition is None:  # __typename
            return 1
        named = get_named_type(definition.type)
        children = _children(self._schema, meta_type.name, name, value)
        if children is None:
            return 1
        if isinstance(named, GraphQLEnumType | GraphQLScalarType):
            return max(1, len(children)) if isinstance(children, list) else 1
        sets = tuple(node.selection_set for node in nodes if node.selection_set is not None)
        items = children if isinstance(children, list) else [children]
        if depth >= INTROSPECTION_MAX_DEPTH:
            return len(items)
        total = sum(
            1 + self._object(named.name, item, sets, depth=depth + 1) for item in items
        )
        return max(total, 1)  # an empty list is still a value in the answer


def _children(schema: GraphQLSchema, meta: str, name: str, value: Any) -> Any:
    """Return what introspection field ``meta.name`` holds for ``value``.

    An object, a list, ``True`` for a leaf, or ``None`` for null.
    """
    if meta == "__Schema":
        return {
            "types": list(schema.type_map.values()),
            "queryType": schema.query_type,
            "mutationType": schema.mutation_type,
            "subscriptionType": schema.subscription_type,
            "directives": list(schema.directives),
        }.get(name, True)
    if meta == "__Type":
        return _type_children(schema, name, value)
    if meta in {"__Field", "__InputValue", "__Directive"} and name == "args":
        return list(value.args.values())
    if meta in {"__Field", "__InputValue"} and name == "type":
        return value.type
    if meta == "__Directive" and name == "locations":
        return list(value.locations)
    return True


def _type_children(schema: GraphQLSchema, name: str, type_: Any) -> Any:
    """Return what ``__Type.name`` holds for ``type_`` (see :func:`_children`)."""
    composite = isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
    abstract = isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
    lists: dict[str, Callable[[], list[Any]] | None] = {
        "fields": (lambda: list(type_.fields.values())) if composite else None,
        "interfaces": (lambda: list(type_.interfaces)) if composite else None,
        "possibleTypes": (lambda: list(schema.get_possible_types(type_))) if abstract else None,
        "enumValues": (
            (lambda: list(type_.values.values())) if isinstance(type_, GraphQLEnumType) else None
        ),
        "inputFields": (
            (lambda: list(type_.fields.values()))
            if isinstance(type_, GraphQLInputObjectType)
            else None
        ),
    }
    if name in lists:
        make = lists[name]
        return None if make is None else make()
    if name == "ofType":
        return getattr(type_, "of_type", None)
    return True
