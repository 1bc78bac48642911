"""The wear report query (admins; planners: their region; crews and contractors: FORBIDDEN)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.wear_report.types import WearReport
from sitecrew.domain.ids import parse_id
from sitecrew.services.care.wear_report import WearReportQuery, wear_report
from sitecrew.services.care.wear_report_stats import WearGroupBy

Info = strawberry.Info[Context, None]


@strawberry.type
class WearReportQueries:
    @strawberry.field(
        description="Wear per product model over a period (both days included): pieces, "
        "inspections and grade shares, failures per piece-year by part and mode, time to first "
        "repair (Kaplan-Meier), oil intervals vs planned, worst sites. Without modelId: every "
        "model; without regionId: every region you read (a planner: its own)."
    )
    async def wear_report(
        self,
        info: Info,
        *,
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
        model_id: strawberry.ID | None = None,
        group_by: WearGroupBy = WearGroupBy.MODEL,
        region_id: strawberry.ID | None = None,
    ) -> WearReport:
        query = WearReportQuery(
            from_,
            to,
            model_id=None if model_id is None else parse_id(model_id, "furniture model"),
            group_by=group_by,
            region_id=None if region_id is None else parse_id(region_id, "region"),
        )
        report = await info.context.read(wear_report, info.context.user, query)
        return WearReport.from_domain(report)
