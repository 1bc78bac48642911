"""Campaign queries: one campaign, a page of them, a plan run, a crew's visits, escalations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.campaigns.escalations import EscalatedHome
from sitecrew.api.campaigns.runs import CampaignPlanRun
from sitecrew.api.campaigns.types import Campaign, CampaignVisit
from sitecrew.api.context import Context
from sitecrew.api.pagination import Connection, check_page_size, connection_of, decode_cursor
from sitecrew.api.types.places import REGION_FIELD
from sitecrew.domain.ids import parse_id
from sitecrew.services.campaigns import escalations, plan_run, read

Info = strawberry.Info[Context, None]
DEFAULT_PAGE = 50


@strawberry.type
class CampaignQueries:
    @strawberry.field(
        description="One campaign (admins and the region's planners; else NOT_FOUND/FORBIDDEN)."
    )
    async def campaign(self, info: Info, id: strawberry.ID) -> Campaign:
        context = info.context
        found = await context.read(read.get_campaign, context.user, parse_id(id, "campaign"))
        return Campaign.from_domain(found)

    @strawberry.field(
        description="A campaign's background plan run (admins and the region's planners; a "
        "day's planning run or another region's: NOT_FOUND)."
    )
    async def campaign_plan_run(self, info: Info, id: strawberry.ID) -> CampaignPlanRun:
        context = info.context
        run_id = parse_id(id, "run")
        found = await context.read(plan_run.get_campaign_plan_run, context.user, run_id)
        return CampaignPlanRun.from_domain(found)

    @strawberry.field(description="Campaigns the caller may read, by id, optionally of a region.")
    async def campaigns(
        self,
        info: Info,
        region: Annotated[str | None, strawberry.argument(description=REGION_FIELD)] = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Campaign]:
        context = info.context
        query = read.ListCampaigns(
            region=region,
            after_id=decode_cursor(after),
            limit=check_page_size(first, context.settings.server.max_page_size),
        )
        found, has_next = await context.read(read.list_campaigns, context.user, query)
        return connection_of(
            [Campaign.from_domain(c) for c in found], [c.id for c in found], has_next=has_next
        )

    @strawberry.field(
        description=f"A crew's campaign visits of a day, by window (at most "
        f"{read.MAX_DAY_VISITS}): a crew its own; admins and the region's planners any crew's."
    )
    async def crew_campaign_visits(
        self,
        info: Info,
        crew_id: strawberry.ID,
        date: dt.date,
        campaign_id: strawberry.ID | None = None,
    ) -> list[CampaignVisit]:
        context = info.context
        query = read.CrewCampaignVisits(
            crew_id=parse_id(crew_id, "crew"),
            day=date,
            campaign_id=None if campaign_id is None else parse_id(campaign_id, "campaign"),
        )
        found = await context.read(read.list_crew_campaign_visits, context.user, query)
        return [CampaignVisit.from_domain(visit) for visit in found]

    @strawberry.field(
        description="A campaign's escalated homes, by id, with every attempt and the tenant's "
        "answer on how to get in (admins and the region's planners; else NOT_FOUND/FORBIDDEN)."
    )
    async def campaign_escalations(
        self,
        info: Info,
        campaign_id: strawberry.ID,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[EscalatedHome]:
        context = info.context
        query = escalations.ListEscalations(
            campaign_id=parse_id(campaign_id, "campaign"),
            after_id=decode_cursor(after),
            limit=check_page_size(first, context.settings.server.max_page_size),
        )
        found, has_next = await context.read(escalations.list_escalations, context.user, query)
        return connection_of(
            [EscalatedHome.from_domain(e) for e in found],
            [e.home.id for e in found],
            has_next=has_next,
        )
