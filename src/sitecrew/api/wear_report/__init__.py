"""The wear report in GraphQL (issue 17, item 5)."""
