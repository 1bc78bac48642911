"""The streams behind the subscriptions: woken by events, answered from the read services.

Each stream subscribes to its topic first and reads the database second, so a change committed
between the two is still seen. After that it reads again when an event says something changed,
and also every few seconds whatever it heard: an event is a hint, the database is the truth,
and the periodic read is the safety net for an event lost (Redis restarted, a publisher that
could not reach it). Without Redis, or while Redis is away, events of other processes (planning
runs execute in a worker process) never arrive, so the periodic read comes as often as the old
polling did. What a result holds is read through the read services with the caller's
principal: an event's payload is never trusted for what a client may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.api.types.routes import PlanningRun, Route
from sitecrew.api.types.work import Job
from sitecrew.events import listen, topics
from sitecrew.services import live
from sitecrew.services.planning import use_cases

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import AsyncGenerator

    from sitecrew.api.context import Context
    from sitecrew.domain.geo import BBox
    from sitecrew.events import Listener

#: Seconds between two safety-net reads of a run while events reach this server (Redis).
RUN_RECHECK_S = 5.0
#: Seconds between two reads of a run when only the database tells (no Redis, or Redis away).
RUN_POLL_S = 0.5
#: The same for a region's jobs and a crew's route (a larger read, changes are rarer).
LIST_RECHECK_S = 30.0
LIST_POLL_S = 2.0


def _wait_s(listener: Listener, recheck_s: float, poll_s: float) -> float:
    return recheck_s if listener.reaches_other_processes else poll_s


async def follow_run(context: Context, run_id: int) -> AsyncGenerator[PlanningRun, None]:
    """Yield the run each time its state, progress or step changed, until it has ended."""
    async with listen(topics.run(run_id), context.settings.redis) as listener:
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
            await listener.receive(_wait_s(listener, RUN_RECHECK_S, RUN_POLL_S))


async def follow_jobs(
    context: Context, region: str, bbox: BBox | None = None
) -> AsyncGenerator[Job, None]:
    """Yield each job of the region in ``bbox`` whose status changed, as the caller sees it.

    An event names jobs anywhere in the region: the box, like the scope, is applied when the
    named jobs are read.
    """
    user = context.user
    region_id = await context.read_fresh(live.followed_region, user, region)
    async with listen(topics.region_jobs(region_id), context.settings.redis) as listener:
        known = await context.read_fresh(live.job_statuses, user, region_id, bbox=bbox)
        while True:
            event = await listener.receive(_wait_s(listener, LIST_RECHECK_S, LIST_POLL_S))
            if event is not None and isinstance(event.get("jobs"), list):
                ids = [job_id for job_id in event["jobs"] if isinstance(job_id, int)]
            else:  # a safety-net read: which statuses differ from what was sent?
                now = await context.read_fresh(live.job_statuses, user, region_id, bbox=bbox)
                ids = [job_id for job_id, status in now.items() if known.get(job_id) != status]
            jobs = (
                await context.read_fresh(live.visible_jobs, user, region_id, ids, bbox=bbox)
                if ids
                else []
            )
            for job in jobs:
                if known.get(int(job.id or 0)) != job.status.value:
                    known[int(job.id or 0)] = job.status.value
                    yield Job.from_domain(job)


async def follow_route(
    context: Context, crew_id: int, day: dt.date
) -> AsyncGenerator[Route | None, None]:
    """Yield the crew's published route of ``day`` now, then each time another is published."""
    user = context.user
    async with listen(topics.crew_routes(crew_id), context.settings.redis) as listener:
        last: int | None = -1
        while True:
            route = await context.read_fresh(live.published_route, user, crew_id, day)
            route_id = None if route is None else route.route_id
            if route_id != last:
                last = route_id
                yield None if route is None else Route.from_domain(route)
            await listener.receive(_wait_s(listener, LIST_RECHECK_S, LIST_POLL_S))


async def follow_region_routes(
    context: Context, region: str, day: dt.date
) -> AsyncGenerator[Route, None]:
    """Yield each route of ``day`` published for a crew of the region after the subscription.

    One stream for a planner's whole day, where one ``routePublished`` per crew would soon
    pass the subscriptions a connection may hold. Only crews the caller may see count.
    """
    user = context.user
    region_id = await context.read_fresh(live.followed_region, user, region)
    async with listen(topics.region_routes(region_id), context.settings.redis) as listener:
        known = await context.read_fresh(live.published_route_ids, user, region_id, day)
        while True:
            await listener.receive(_wait_s(listener, LIST_RECHECK_S, LIST_POLL_S))
            now = await context.read_fresh(live.published_route_ids, user, region_id, day)
            for crew_id, route_id in sorted(now.items()):
                if known.get(crew_id) == route_id:
                    continue
                route = await context.read_fresh(live.published_route, user, crew_id, day)
                if route is not None:
                    yield Route.from_domain(route)
            known = now
