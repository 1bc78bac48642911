"""The GraphQL schema: ``build_schema(settings)`` for serving, ``schema`` for SDL export."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from sitecrew.api.errors import ErrorCodes, SitecrewSchema
from sitecrew.api.mutations import Mutation
from sitecrew.api.queries import Query
from sitecrew.api.scalars import SCALAR_MAP
from sitecrew.api.security import hardening_extensions
from sitecrew.api.subscriptions import Subscription
from sitecrew.api.tenant_reads import RecordTenantReads
from sitecrew.config import ServerSettings


def build_schema(settings: ServerSettings) -> strawberry.Schema:
    """Build the schema with the hardening limits of ``settings``."""
    return SitecrewSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[*hardening_extensions(settings), RecordTenantReads, ErrorCodes],
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            batching_config={"max_operations": settings.max_batch} if settings.max_batch else None,
        ),
    )


#: The schema with default settings; ``sitecrew schema export`` prints it.
schema = build_schema(ServerSettings(development=True))
