"""Tenants' self-service links in GraphQL, for admins and the campaign region's planners.

``issueTenantLinks`` answers every open home's link (issuing the missing ones, handing out
valid ones unchanged), the same list ``sitecrew campaign links`` writes for a mail merge; the
tenants' names it hands out are recorded in the personal-data log. ``revokeTenantLink`` stops
one home's link at once.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.domain.ids import parse_id
from sitecrew.services import tenant_links as service
from sitecrew.services.personal_data import api_actor

Info = strawberry.Info[Context, None]


@strawberry.type(description="A tenant's self-service link, for a mail merge.")
class TenantLink:
    apartment_id: strawberry.ID
    address: str
    unit: str
    tenant_name: str | None
    url: str
    expires_at: dt.datetime


@strawberry.type(description="The links of a campaign's open homes.")
class TenantLinks:
    links: list[TenantLink]


@strawberry.type(description="When a link was revoked.")
class RevokedTenantLink:
    apartment_id: strawberry.ID
    revoked_at: dt.datetime


_PROBLEMS = InvalidInput | NotFound | Forbidden | Conflict
IssueTenantLinksPayload = Annotated[
    TenantLinks | _PROBLEMS, strawberry.union("IssueTenantLinksPayload")
]
RevokeTenantLinkPayload = Annotated[
    RevokedTenantLink | _PROBLEMS, strawberry.union("RevokeTenantLinkPayload")
]


@strawberry.input(description="Links for a campaign's open homes (or only these apartments).")
class IssueTenantLinksInput:
    campaign_id: strawberry.ID
    apartment_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input(description="Stop one apartment's link in a campaign.")
class RevokeTenantLinkInput:
    campaign_id: strawberry.ID
    apartment_id: strawberry.ID


@strawberry.type
class TenantLinkMutations:
    @strawberry.mutation(
        description="Every open home's self-service link (admins; the region's planners). "
        "Without a configured link secret: an error with code CONFIGURATION."
    )
    @returns_problems
    async def issue_tenant_links(
        self, info: Info, input: IssueTenantLinksInput
    ) -> IssueTenantLinksPayload:
        context = info.context
        command = service.IssueLinks(
            parse_id(input.campaign_id, "campaign"),
            tuple(parse_id(a, "apartment") for a in input.apartment_ids),
        )
        issue = partial(
            service.issue_links,
            links=context.settings.tenant_links,
            actor=api_actor(context.user),
        )
        found = await context.write(issue, context.user, command)
        return TenantLinks(
            links=[
                TenantLink(
                    apartment_id=strawberry.ID(str(i.apartment_id)),
                    address=i.address,
                    unit=i.unit,
                    tenant_name=i.tenant_name,
                    url=i.url,
                    expires_at=i.expires_at,
                )
                for i in found
            ]
        )

    @strawberry.mutation(description="Stop one home's link at once (admins; region planners).")
    @returns_problems
    async def revoke_tenant_link(
        self, info: Info, input: RevokeTenantLinkInput
    ) -> RevokeTenantLinkPayload:
        command = service.RevokeLink(
            parse_id(input.campaign_id, "campaign"), parse_id(input.apartment_id, "apartment")
        )
        when = await info.context.write(service.revoke_link, info.context.user, command)
        return RevokedTenantLink(apartment_id=input.apartment_id, revoked_at=when)
