"""Installation campaigns in GraphQL (issue 15): types, queries and mutations.

``queries.CampaignQueries`` and ``mutations.CampaignMutations`` are mixed into the Query and
Mutation roots; ``types.LIST_CAPS`` tells the cost analysis the cap of every campaign list.
Nothing is imported here, so that the cost analysis can read the caps without importing the
mutations (which import the Mutation root's package).
"""
