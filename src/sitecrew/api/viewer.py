"""The ``viewer`` query: who the bearer token is, so that a front-end can pick its view."""

from __future__ import annotations

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.types.places import Organisation, Region
from sitecrew.api.types.work import Crew
from sitecrew.domain.access import Role
from sitecrew.services import viewer as service

Info = strawberry.Info[Context, None]


@strawberry.type(description="The caller, as its bearer token describes it.")
class Viewer:
    role: Role
    token_name: str | None = strawberry.field(
        description="The name the token was created with (null for a tenant's link)."
    )
    organisation: Organisation | None = strawberry.field(
        description="The contractor a contractor token speaks for, or the organisation of a "
        "crew token's crew; null otherwise."
    )
    crew: Crew | None = strawberry.field(description="A crew token's crew; null otherwise.")
    regions: list[Region] = strawberry.field(
        description="The regions the caller works in, by slug (at most "
        f"{service.MAX_REGIONS}): every region for an admin, a planner's own (every region "
        "when its token names none), the regions of a contractor's districts, a crew's region, "
        "none for a tenant."
    )

    @classmethod
    def from_domain(cls, viewer: service.Viewer) -> Viewer:
        """Build from :class:`sitecrew.services.viewer.Viewer`."""
        return cls(
            role=viewer.role,
            token_name=viewer.token_name,
            organisation=(
                None
                if viewer.organisation is None
                else Organisation.from_domain(viewer.organisation)
            ),
            crew=None if viewer.crew is None else Crew.from_domain(viewer.crew),
            regions=[Region.from_domain(region) for region in viewer.regions],
        )


@strawberry.type
class ViewerQueries:
    @strawberry.field(
        description="Who the bearer token is: its role, name, organisation or crew and the "
        "regions it works in. Without a valid token: UNAUTHENTICATED, as every query."
    )
    async def viewer(self, info: Info) -> Viewer:
        context = info.context
        return Viewer.from_domain(await context.read(service.describe_viewer, context.user))
