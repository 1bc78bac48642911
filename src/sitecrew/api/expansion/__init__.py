"""Expansion planning in GraphQL (issue 18): isochrones and depot reach."""
