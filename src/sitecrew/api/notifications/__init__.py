"""The outbox of messages to tenants in GraphQL: what planners read to see what failed."""
