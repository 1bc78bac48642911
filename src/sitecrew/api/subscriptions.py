"""Subscriptions over WebSocket: follow a planning run until it finishes."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import anyio
import strawberry

from sitecrew.api.context import Context
from sitecrew.api.types.routes import PlanningRun
from sitecrew.domain.access import Role
from sitecrew.domain.ids import parse_id
from sitecrew.services.planning import read, runs
from sitecrew.services.scoping import require_region_planner

Info = strawberry.Info[Context, None]
#: How often a followed run is read again (seconds).
POLL_SECONDS = 0.5


@strawberry.type
class Subscription:
    @strawberry.subscription(description="A planning run's status and progress until it ends.")
    async def planning_run_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[PlanningRun, None]:
        context = info.context
        context.user.require(Role.ADMIN, Role.PLANNER, action="follow planning runs")
        run_id = parse_id(id)
        last = None
        while True:
            run = await context.read_fresh(runs.get_run, run_id)
            require_region_planner(context.user, run.region_id, action="follow this run")
            state = (run.state, run.progress, run.step)
            if state != last:
                unassigned = (
                    await context.read_fresh(read.unassigned_for_run, run.id)
                    if run.state.finished
                    else ()
                )
                yield PlanningRun.from_domain(run, unassigned)
                last = state
            if run.state.finished:
                return
            await anyio.sleep(POLL_SECONDS)
