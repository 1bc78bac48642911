"""The furniture care programme in GraphQL (#17 items 1-2): care plans, seasons, due work."""
