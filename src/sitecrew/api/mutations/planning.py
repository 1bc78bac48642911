"""Planning mutations: start planning a region's day, publish a run's routes to the crews."""

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
from sitecrew.api.types.places import REGION_FIELD
from sitecrew.api.types.routes import PlanningRun
from sitecrew.domain.ids import parse_id
from sitecrew.domain.routes import PlanOptions
from sitecrew.services import regions as region_service
from sitecrew.services.planning import use_cases

Info = strawberry.Info[Context, None]
PlanRoutesPayload = Annotated[
    PlanningRun | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("PlanRoutesPayload"),
]


@strawberry.type(description="How many routes a publish made visible to crews.")
class Published:
    run_id: strawberry.ID
    routes: int


PublishPayload = Annotated[
    Published | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("PublishPayload")
]


@strawberry.input
class PlanRoutesInput:
    region: str = strawberry.field(description=REGION_FIELD)
    date: dt.date
    time_limit_seconds: float = strawberry.field(
        default=5.0, description="The solver's time limit; the server caps it (300 s by default)."
    )
    seed: int = 1
    publish: bool = False


@strawberry.input
class PublishRoutesInput:
    run_id: strawberry.ID


@strawberry.input
class CancelPlanningRunInput:
    run_id: strawberry.ID


CancelPlanningRunPayload = Annotated[
    PlanningRun | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("CancelPlanningRunPayload"),
]


@strawberry.type
class PlanningMutations:
    @strawberry.mutation(
        description=(
            "Start planning a region's day in the background. A region has at most a few runs "
            "queued or running at once (more: Conflict with code QUOTA_EXCEEDED). When the task "
            "queue is down the request fails with code UNAVAILABLE and nothing is queued."
        )
    )
    @returns_problems
    async def plan_routes(self, info: Info, input: PlanRoutesInput) -> PlanRoutesPayload:
        context = info.context
        options = PlanOptions(
            seed=input.seed, time_limit_s=input.time_limit_seconds, publish=input.publish
        )
        settings = context.settings
        run = await context.write(
            region_service.in_region,
            context.user,
            input.region,
            partial(
                use_cases.plan_routes,
                osm=settings.osm,
                limits=settings.routing,
                redis=settings.redis,
                queue=settings.queue,
            ),
            partial(use_cases.PlanRoutes, day=input.date, options=options),
        )
        return PlanningRun.from_domain(run)

    @strawberry.mutation(description="Publish a succeeded run's draft routes to the crews.")
    @returns_problems
    async def publish_routes(self, info: Info, input: PublishRoutesInput) -> PublishPayload:
        command = use_cases.PublishRoutes(parse_id(input.run_id, "run"))
        count = await info.context.write(use_cases.publish_routes, info.context.user, command)
        return Published(run_id=input.run_id, routes=count)

    @strawberry.mutation(
        description=(
            "Cancel a queued or running planning run: a queued run never starts, a running one "
            "stops at its next progress check and stores no routes. A finished run: Conflict."
        )
    )
    @returns_problems
    async def cancel_planning_run(
        self, info: Info, input: CancelPlanningRunInput
    ) -> CancelPlanningRunPayload:
        command = use_cases.CancelRun(parse_id(input.run_id, "run"))
        run = await info.context.write(use_cases.cancel_planning_run, info.context.user, command)
        return PlanningRun.from_domain(run)
