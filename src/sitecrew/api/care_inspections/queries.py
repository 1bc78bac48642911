"""Queries: a family's wear codes, and an item's condition (grade, trend, records)."""

from __future__ import annotations

import strawberry

from sitecrew.api.care_inspections.types import FurnitureCondition, WearCode
from sitecrew.api.context import Context
from sitecrew.domain.ids import parse_id
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.services.care import codes as code_service
from sitecrew.services.care import inspections_reading as reading

Info = strawberry.Info[Context, None]


@strawberry.type
class CareInspectionQueries:
    @strawberry.field(
        description="A product family's wear codes: parts (the components inspections grade), "
        "their failure modes, and each mode's causes and remedies. Staff roles."
    )
    async def wear_codes(
        self, info: Info, family: FurnitureCategory, include_retired: bool = False
    ) -> list[WearCode]:
        codes = await info.context.read(
            code_service.list_wear_codes,
            info.context.user,
            family,
            include_retired=include_retired,
        )
        return [WearCode.from_domain(code) for code in codes]

    @strawberry.field(
        description="An item's condition: grade of its latest investigated inspection, trend "
        "(last two investigated inspections), inspections and repairs newest first."
    )
    async def furniture_condition(
        self, info: Info, furniture_id: strawberry.ID
    ) -> FurnitureCondition:
        condition = await info.context.read(
            reading.item_condition, info.context.user, parse_id(furniture_id, "furniture")
        )
        return FurnitureCondition.from_domain(condition)
