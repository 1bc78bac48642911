"""Query cost: the most values an operation can put in its answer, known before it runs.

The estimate is computed on the operation that will execute: variables coerced (with their
defaults), ``@skip``/``@include`` applied, named and inline fragments expanded and fields merged by
response key as execution merges them. Every selected field costs one value each time it can
appear; a list multiplies its selection by the most items it can really return:

* a connection's ``edges``/``nodes`` by the page asked for (``first``, literal or variable),
  or by the page cap when the value is absent, unknown or beyond the cap;
* a nested list (a site's furniture, a job's appointments...) by the cap its resolver enforces;
* a list of enum values by the number of values.

A viewport is one JSON value in the schema but up to ``max_viewport_features`` features, so it
costs its feature cap times :data:`FEATURE_VALUES`; a route's GeoJSON and GPX cost as a feature
per stop and per leg. Where a union or interface is returned, the costliest member counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    StringValueNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_introspection_type,
    is_leaf_type,
    parse,
)
from graphql.execution.values import get_variable_values

from sitecrew.api.campaigns.types import LIST_CAPS as CAMPAIGN_LIST_CAPS
from sitecrew.api.introspection_cost import (
    INTROSPECTION_MAX_DEPTH,
    IntrospectionCount,
    meta_field,
)
from sitecrew.api.loaders import MAX_CHILDREN
from sitecrew.api.types import calendars as cal
from sitecrew.domain.condition import ConditionGrade
from sitecrew.domain.installations import MAX_LINES, MAX_PARTS, MAX_PIECES
from sitecrew.domain.offers import MAX_OFFERS
from sitecrew.services.campaigns.commands import MAX_FAILED_ATTEMPTS, MAX_SCOPE_IDS
from sitecrew.services.care.installations import MAX_LISTED as MAX_INSTALLATIONS
from sitecrew.services.expansion import scenarios as expansion
from sitecrew.services.expansion.reach import MAX_REACH_SITES
from sitecrew.services.expansion.scenario_input import MAX_DEPOTS as MAX_SCENARIO_DEPOTS
from sitecrew.services.viewer import MAX_REGIONS as MAX_VIEWER_REGIONS

if TYPE_CHECKING:
    from graphql import (
        DirectiveNode,
        DocumentNode,
        GraphQLCompositeType,
        GraphQLField,
        NamedTypeNode,
        SelectionSetNode,
    )

    from sitecrew.config import ServerSettings

#: Values one viewport feature stands for: its type, id, point and about five properties. On the
#: demo data a feature is about 210 bytes of JSON and a value of a typed list about 19.
FEATURE_VALUES = 10
#: Values an isochrone's outline stands for: a simplified polygon of a long budget carries
#: thousands of positions, as much JSON as a few hundred viewport features.
ISOCHRONE_VALUES = 300 * FEATURE_VALUES
#: Stops of the longest route: a crew may do at most 500 jobs a day (``domain.crews``), plus the
#: start, the lunch break and the end.
ROUTE_STOPS = 500 + 3
#: The most lines ``personalDataLog`` returns (``api.mutations.tenants``).
PERSONAL_DATA_LOG_MAX = 500
#: The cap each nested list's resolver enforces (``api.loaders``, ``domain.crews``). A list field
#: missing here costs the page cap; a test checks every list of the schema is listed.
NESTED_LIST_CAPS: dict[tuple[str, str], int] = {
    ("Site", "furniture"): MAX_CHILDREN,
    ("Furniture", "maintenanceRecords"): MAX_CHILDREN,
    ("Crew", "members"): MAX_CHILDREN,
    ("Job", "appointments"): MAX_CHILDREN,
    ("Route", "stops"): ROUTE_STOPS,
    ("Query", "personalDataLog"): PERSONAL_DATA_LOG_MAX,
    ("TenantErased", "fieldsCleared"): 3,
    ("Crew", "weekPattern"): cal.WEEK_DAYS,
    ("SetCrewCalendarInput", "weekPattern"): cal.WEEK_DAYS,
    ("Crew", "absences"): cal.ABSENCES_MAX,
    ("Crew", "availability"): cal.AVAILABILITY_DAYS_MAX,
    ("Region", "publicHolidays"): cal.HOLIDAYS_MAX,
    **CAMPAIGN_LIST_CAPS,  # installation campaigns (issue 15)
    ("Query", "appointmentOffers"): MAX_OFFERS,  # appointment offers (issue 16)
    ("TenantVisit", "offers"): MAX_OFFERS,  # a tenant's offers (issue 16)
    ("TenantLinks", "links"): MAX_SCOPE_IDS,  # one link per home of a campaign (issue 16)
    ("EscalatedHome", "attempts"): MAX_FAILED_ATTEMPTS,  # escalated after at most that many
    ("WearGroup", "grades"): len(ConditionGrade),  # one share per NS 3424 grade (issue 17)
    ("Query", "installations"): MAX_INSTALLATIONS,  # newest orders (issue 17)
    ("Installation", "lines"): MAX_LINES,  # one per model
    ("Installation", "furnitureIds"): MAX_PIECES,  # the pieces it put in
    ("Installation", "parts"): MAX_PARTS,  # one job per crew-day
    ("InstallationPart", "pieces"): MAX_LINES,  # one per model
    ("DepotReach", "sites"): MAX_REACH_SITES,  # the nearest reached sites (issue 18)
    ("Query", "expansionScenarios"): expansion.MAX_LISTED,  # the newest scenarios
    ("ExpansionScenario", "depots"): MAX_SCENARIO_DEPOTS,
    ("ExpansionComparison", "scenarios"): expansion.MAX_COMPARED,
    ("ExpansionComparison", "rows"): len(expansion.COMPARED),  # one per figure
    ("ExpansionComparisonRow", "values"): expansion.MAX_COMPARED,  # one per scenario
    ("CreateExpansionScenarioInput", "depots"): 50,  # api.expansion.scenarios' input caps
    ("CreateExpansionScenarioInput", "rates"): 20,
    ("CreateExpansionScenarioInput", "siteKinds"): 10,
    ("Viewer", "regions"): MAX_VIEWER_REGIONS,  # the regions a token works in (issue 19)
    ("Region", "bounds"): 4,  # west, south, east, north
}
#: Lists whose resolver enforces no cap (a run's unassigned jobs, the care programme's lists of
#: plans, codes, records and report rows): weighed as one full page.
UNCAPPED_LISTS = frozenset(
    {
        ("PlanningRun", "unassigned"),
        ("Query", "wearCodes"),
        ("Query", "carePlans"),
        ("Query", "careSeasons"),
        ("FurnitureCondition", "inspections"),
        ("FurnitureCondition", "repairs"),
        ("Inspection", "components"),
        ("RecordInspectionInput", "components"),
        ("WearReport", "groups"),
        ("WearReport", "failures"),
        ("WearReport", "worstSites"),
        ("SurvivalCurve", "points"),
        ("DueCareWork", "created"),
        ("CreateInstallationInput", "lines"),
    }
)
#: Lists inside a connection type, multiplied by the connection's page.
PAGE_LISTS = frozenset({"edges", "nodes"})


@dataclass(frozen=True)
class CostLimits:
    """The caps the estimate weighs lists and viewports by (from ``ServerSettings``)."""

    max_page_size: int
    max_viewport_features: int
    #: Fields nested deeper than this are not weighed (validation refuses such operations).
    max_depth: int

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> CostLimits:
        """Take the caps the resolvers enforce with these settings."""
        return cls(
            max_page_size=settings.max_page_size,
            max_viewport_features=settings.max_viewport_features,
            max_depth=settings.max_query_depth + 1,
        )

    def bulk_leaf(self, parent: str, name: str) -> int:
        """Return the values a leaf field stands for (1 but for FeatureCollections and GPX)."""
        if (parent, name) == ("Query", "viewport"):
            return self.max_viewport_features * FEATURE_VALUES
        if (parent, name) == ("Isochrone", "geojson"):
            return ISOCHRONE_VALUES
        if parent == "Route" and name in {"geojson", "gpx"}:
            return 2 * ROUTE_STOPS * FEATURE_VALUES
        return 1


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: CostLimits,
) -> int:
    """Return the cost of the operation of ``document`` that executes with ``variables``.

    An operation that will not execute (no such operation, variables that do not coerce) costs
    nothing: execution answers it with an error and runs no resolver.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, coerced.coerced, limits)
    return walk.object_cost(root, (operation.selection_set,), depth=0, page=None)


def request_cost(
    schema: GraphQLSchema,
    query: str,
    *,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: CostLimits,
    max_tokens: int,
) -> int:
    """Return the cost of one operation as a client sent it (not parsed or validated yet).

    A document that does not parse costs nothing: it is refused before anything runs.
    """
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return 0
    return operation_cost(
        schema, document, operation_name=operation_name, variables=variables, limits=limits
    )


@dataclass
class _Walk:
    """One cost computation: the document's fragments, the coerced variables, a memo."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    limits: CostLimits
    # A fragment spread in several places is weighed once per (type, selections, page, depth).
    memo: dict[tuple[str, tuple[int, ...], int | None, int], int] = field(default_factory=dict)

    def composite_cost(
        self,
        type_: GraphQLCompositeType,
        selection_sets: tuple[SelectionSetNode, ...],
        *,
        depth: int,
        page: int | None,
    ) -> int:
        """Return the cost of selections on a type (the costliest member of an abstract one)."""
        if not is_abstract_type(type_):
            assert isinstance(type_, GraphQLObjectType)  # noqa: S101  (composite, not abstract)
            return self.object_cost(type_, selection_sets, depth=depth, page=page)
        members = self.schema.get_possible_types(type_)
        return max(
            (self.object_cost(m, selection_sets, depth=depth, page=page) for m in members),
            default=0,
        )

    def object_cost(
        self,
        type_: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode, ...],
        *,
        depth: int,
        page: int | None,
    ) -> int:
        """Return the cost of the merged selections on one object type."""
        key = (type_.name, tuple(id(s) for s in selection_sets), page, depth)
        if key not in self.memo:
            grouped = self._grouped(type_, selection_sets)
            self.memo[key] = sum(
                self._field_cost(type_, nodes, depth=depth, page=page) for nodes in grouped.values()
            )
        return self.memo[key]

    def _field_cost(
        self, parent: GraphQLObjectType, nodes: list[FieldNode], *, depth: int, page: int | None
    ) -> int:
        name = nodes[0].name.value
        meta = meta_field(self.schema, parent, name)
        if meta is not None:
            return self._meta_cost(name, nodes)
        definition = parent.fields.get(name)
        if definition is None:  # __typename
            return 1
        named = get_named_type(definition.type)
        count = self._items(parent.name, name, definition, page)
        if is_leaf_type(named):
            return count * self.limits.bulk_leaf(parent.name, name)
        # Validation refuses deeper operations, but its depth limit skips introspection fields.
        introspection = is_introspection_type(named)
        if depth >= (INTROSPECTION_MAX_DEPTH if introspection else self.limits.max_depth):
            return count
        inner_page = self._page(definition, nodes) if "first" in definition.args else None
        sets = tuple(node.selection_set for node in nodes if node.selection_set is not None)
        assert is_composite_type(named)  # noqa: S101  (an output type that is no leaf)
        inner = self.composite_cost(named, sets, depth=depth + 1, page=inner_page)
        return count * (1 + inner)

    def _meta_cost(self, name: str, nodes: list[FieldNode]) -> int:
        """Return the exact values of ``__schema`` or ``__type`` (the schema is known)."""
        sets = tuple(node.selection_set for node in nodes if node.selection_set is not None)
        count = IntrospectionCount(self.schema, self._grouped)
        if name == "__schema":
            return count.schema_cost(sets)
        return max(count.type_cost(self._argument(node, "name"), sets) for node in nodes)

    def _grouped(
        self, type_: GraphQLObjectType, selection_sets: tuple[SelectionSetNode, ...]
    ) -> dict[str, list[FieldNode]]:
        """Group the fields the selections run on ``type_`` by response key."""
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect(type_, selection_set, grouped, visited)
        return grouped

    def _argument(self, node: FieldNode, name: str) -> object:
        """Return an argument's value: a literal string, or the variable's coerced value."""
        argument = next((a for a in node.arguments or () if a.name.value == name), None)
        if argument is None:
            return None
        value = argument.value
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        return value.value if isinstance(value, StringValueNode) else None

    def _items(self, parent: str, name: str, definition: GraphQLField, page: int | None) -> int:
        """Return how many times a field's value can appear (a list's most items, else 1)."""
        type_ = get_nullable_type(definition.type)
        if not isinstance(type_, GraphQLList):
            return 1
        item = get_named_type(type_)
        if isinstance(item, GraphQLEnumType):
            return len(item.values)
        if is_leaf_type(item):
            return 1  # a list of geometries (a building's entrances): one value, like a polygon
        if page is not None and name in PAGE_LISTS:
            return page
        return NESTED_LIST_CAPS.get((parent, name), self.limits.max_page_size)

    def _page(self, definition: GraphQLField, nodes: list[FieldNode]) -> int:
        """Return the page a connection field can return: its ``first``, or the cap."""
        cap = self.limits.max_page_size
        pages = [self._first(definition, node) for node in nodes]
        valid = [p for p in pages if isinstance(p, int) and not isinstance(p, bool) and p >= 1]
        return min(max(valid), cap) if len(valid) == len(pages) else cap

    def _first(self, definition: GraphQLField, node: FieldNode) -> object:
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if argument is None:
            default = definition.args["first"].default_value
            return None if default is Undefined else default
        value = argument.value
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        return int(value.value) if isinstance(value, IntValueNode) else None

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        """Group the fields that execute on ``type_`` by response key (as execution does)."""
        for selection in selection_set.selections:
            if not self._included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, type_):
                    self._collect(type_, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition, type_):
                    self._collect(type_, fragment.selection_set, grouped, visited)

    def _included(self, directives: tuple[DirectiveNode, ...] | None) -> bool:
        """Apply ``@skip``/``@include``; a condition not known here counts as included."""
        for directive in directives or ():
            name = directive.name.value
            if name not in {"skip", "include"}:
                continue
            condition = self._condition(directive)
            if condition is not None and condition is (name == "skip"):
                return False
        return True

    def _condition(self, directive: DirectiveNode) -> bool | None:
        argument = next((a for a in directive.arguments or () if a.name.value == "if"), None)
        value = argument.value if argument is not None else None
        if isinstance(value, BooleanValueNode):
            return value.value
        if isinstance(value, VariableNode):
            known = self.variables.get(value.name.value)
            return known if isinstance(known, bool) else None
        return None

    def _applies(self, condition: NamedTypeNode | None, type_: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        if named is type_:
            return True
        return is_abstract_type(named) and self.schema.is_sub_type(named, type_)
