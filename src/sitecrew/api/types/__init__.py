"""GraphQL object types, one module per family, each built from domain objects."""
