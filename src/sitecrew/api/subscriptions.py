"""Subscriptions over WebSocket: follow a planning run until it finishes.

Each poll is the same use case as the ``planningRun`` query (who may see the run, and the run
as it is now), in a session of its own that is closed before the next poll, so a followed run
holds no database connection while it waits.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import anyio
import strawberry

from sitecrew.api.context import Context
from sitecrew.api.types.routes import PlanningRun
from sitecrew.domain.ids import parse_id
from sitecrew.services.planning import use_cases

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
        run_id = parse_id(id, "run")
        last = None
        while True:
            report = await context.read_fresh(use_cases.get_planning_run, context.user, run_id)
            run = report.run
            state = (run.state, run.progress, run.step)
            if state != last:
                yield PlanningRun.from_domain(run, report.unassigned)
                last = state
            if run.state.finished:
                return
            await anyio.sleep(POLL_SECONDS)
