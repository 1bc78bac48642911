"""Subscriptions over WebSocket: a planning run's progress, a region's jobs, a crew's route.

Each is fed by live-update events (:mod:`sitecrew.events`) and answered from the read services
with the caller's principal (:mod:`sitecrew.api.live`), in a session of its own per read that
is closed before the next wait, so a followed stream holds no database connection while idle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from sitecrew.api import live
from sitecrew.api.context import Context
from sitecrew.api.inputs import BBoxInput
from sitecrew.api.types.routes import PlanningRun, Route
from sitecrew.api.types.work import Job
from sitecrew.domain.ids import parse_id

Info = strawberry.Info[Context, None]
BBOX_ARGUMENT = (
    "Only jobs whose place (their apartment, furniture item or site) lies in this box, boundary "
    "included: a map console follows what it shows. A box that is not one is INVALID_INPUT."
)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="A planning run's status and progress until it ends.")
    async def planning_run_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[PlanningRun, None]:
        async for run in live.follow_run(info.context, parse_id(id, "run")):
            yield run

    @strawberry.subscription(
        description="Jobs of a region (slug or id) whose status changes, as the caller may see "
        "them: a contractor its districts' jobs, a crew the jobs of its routes. Subscribe "
        "before reading the jobs: only changes after the subscription are sent."
    )
    async def job_status_changed(
        self,
        info: Info,
        region: str,
        bbox: Annotated[BBoxInput | None, strawberry.argument(description=BBOX_ARGUMENT)] = None,
    ) -> AsyncGenerator[Job, None]:
        area = bbox.to_domain() if bbox is not None else None  # checked before anything is read
        async for job in live.follow_jobs(info.context, region, area):
            yield job

    @strawberry.subscription(
        description="A crew's published route of a day: the route now (null when none is "
        "published), then each route published for that crew and day after it."
    )
    async def route_published(
        self, info: Info, crew_id: strawberry.ID, date: dt.date
    ) -> AsyncGenerator[Route | None, None]:
        async for route in live.follow_route(info.context, parse_id(crew_id, "crew"), date):
            yield route

    @strawberry.subscription(
        description="Each route of a day published (or republished) for a crew of a region "
        "(slug or id) after the subscription, as the caller may see it: one stream for a "
        "planner's whole day."
    )
    async def routes_published(
        self, info: Info, region: str, date: dt.date
    ) -> AsyncGenerator[Route, None]:
        async for route in live.follow_region_routes(info.context, region, date):
            yield route
