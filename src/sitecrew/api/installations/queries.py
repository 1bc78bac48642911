"""Reading installation orders (admins and planners; crews, contractors, tenants: FORBIDDEN)."""

from __future__ import annotations

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.installations.types import Installation
from sitecrew.api.types.enums import JobStatus
from sitecrew.domain.ids import parse_id
from sitecrew.services.care.installations import list_installations

Info = strawberry.Info[Context, None]


@strawberry.type
class InstallationQueries:
    @strawberry.field(
        description="Installation orders you plan, newest first, by region, site and status "
        "(derived from their parts' jobs); at most 100."
    )
    async def installations(
        self,
        info: Info,
        region_id: strawberry.ID | None = None,
        site_id: strawberry.ID | None = None,
        status: JobStatus | None = None,
    ) -> list[Installation]:
        context = info.context
        found = await context.read(
            list_installations,
            context.user,
            region_id=None if region_id is None else parse_id(region_id, "region"),
            site_id=None if site_id is None else parse_id(site_id, "site"),
            status=status,
        )
        return [Installation.from_domain(order) for order in found]
