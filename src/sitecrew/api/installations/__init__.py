"""Installation projects in GraphQL (issue 17, item 6)."""
