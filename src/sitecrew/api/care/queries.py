"""Reading care plans and seasons (admins and planners; crews and contractors: FORBIDDEN)."""

from __future__ import annotations

import strawberry

from sitecrew.api.care.types import CarePlan, CareSeason
from sitecrew.api.context import Context
from sitecrew.domain.ids import parse_id
from sitecrew.services.care.reading import list_care_plans, list_care_seasons

Info = strawberry.Info[Context, None]


@strawberry.type
class CareQueries:
    @strawberry.field(
        description="Care plans by model and action: with regionId the plans in force there "
        "(its own, else the default, its seasons applied); without, every plan you read."
    )
    async def care_plans(
        self,
        info: Info,
        region_id: strawberry.ID | None = None,
        model_id: strawberry.ID | None = None,
    ) -> list[CarePlan]:
        context = info.context
        found = await context.read(
            list_care_plans,
            context.user,
            region_id=None if region_id is None else parse_id(region_id, "region"),
            model_id=None if model_id is None else parse_id(model_id, "furniture model"),
        )
        return [CarePlan.from_domain(plan) for plan in found]

    @strawberry.field(description="Regions' own seasons per care action.")
    async def care_seasons(
        self, info: Info, region_id: strawberry.ID | None = None
    ) -> list[CareSeason]:
        context = info.context
        found = await context.read(
            list_care_seasons,
            context.user,
            region_id=None if region_id is None else parse_id(region_id, "region"),
        )
        return [CareSeason.from_domain(season) for season in found]
