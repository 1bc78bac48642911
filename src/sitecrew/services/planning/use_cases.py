"""Planning use cases: plan a region's day in the background, publish a run, read a run.

Each is one call ``verb_noun(session, principal, command)`` that checks access (through
:mod:`sitecrew.services.scoping`, the one home of access rules), validates and writes in the
caller's transaction, on one snapshot. A run is expensive (a worker process for up to the API's
time cap), so planning is also limited: a time cap per run and a quota of queued or running runs
per region, checked under a per-region lock so two requests at once cannot both slip under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sitecrew.config import QueueSettings, RedisSettings
from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.domain.plans import UnassignedJob
from sitecrew.domain.routes import PlanningRunInfo, PlanOptions, RunKind, RunState
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, QuotaExceededError
from sitecrew.services.planning import dispatch, persist, read, runs
from sitecrew.services.scoping import get_changeable, get_visible, require_region_planner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings, RoutingSettings
    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class PlanRoutes:
    """Plan ``day`` in a region, with the solver options the client asked for."""

    region_id: int
    day: date
    options: PlanOptions


@dataclass(frozen=True)
class PublishRoutes:
    """Make a succeeded run's draft routes the crews' routes."""

    run_id: int


@dataclass(frozen=True)
class CancelRun:
    """Stop a queued or running planning run."""

    run_id: int


@dataclass(frozen=True)
class RunReport:
    """A planning run as its planner reads it, with the jobs it left out."""

    run: PlanningRunInfo
    unassigned: tuple[UnassignedJob, ...]


def plan_routes(
    session: Session,
    principal: Principal,
    command: PlanRoutes,
    *,
    osm: OsmSettings,
    limits: RoutingSettings,
    redis: RedisSettings = RedisSettings(),  # noqa: B008 (frozen: a safe shared default)
    queue: QueueSettings = QueueSettings(),  # noqa: B008
) -> PlanningRunInfo:
    """Queue a planning run for a region's day; a worker starts it once the caller commits.

    Parameters
    ----------
    session
        A write session (on SQLite it holds the write lock from its first statement).
    principal
        The caller: an admin, or a planner of the region.
    command
        Region, day and solver options.
    osm
        Where the worker finds the street graphs.
    limits
        ``max_time_limit_s`` and ``max_active_runs_per_region``.
    redis, queue
        With a Redis URL the run goes to the task queue (``sitecrew worker`` executes it);
        without, this server's own worker pool does.

    Returns
    -------
    PlanningRunInfo
        The queued run (poll it with :func:`get_planning_run`).

    Raises
    ------
    PermissionDeniedError
        For other roles, or a planner of another region.
    InvalidInputError
        When the time limit is missing or above the cap, or the region cannot be routed.
    NotFoundError
        When the region does not exist.
    QuotaExceededError
        When the region already has ``max_active_runs_per_region`` runs queued or running.
    UnavailableError
        When the task queue is configured but unreachable (nothing is queued then; should it
        fail between the check and the commit, the run is failed at once).
    """
    require_region_planner(principal, command.region_id, action="plan routes")
    _check_time_limit(command.options, limits.max_time_limit_s)
    dispatch.check_dispatch(redis, queue)
    with transaction(session):
        lock_key(session, f"planning runs:region {command.region_id}")
        active = runs.count_active_runs(session, command.region_id)
        if active >= limits.max_active_runs_per_region:
            msg = (
                f"region {command.region_id} already has {active} planning runs queued or "
                f"running (at most {limits.max_active_runs_per_region}); wait for one to finish"
            )
            raise QuotaExceededError(msg)
        run = runs.create_run(
            session,
            region=command.region_id,
            day=command.day,
            options=command.options,
            requested_by=principal.token_id,
            queue=dispatch.queue_name(redis),
        )
    dispatch.dispatch_after_commit(
        session,
        run.id,
        osm=osm,
        redis=redis,
        queue=queue,
        time_limit_s=command.options.time_limit_s or limits.max_time_limit_s,
    )
    return run


def _check_time_limit(options: PlanOptions, cap_s: float) -> None:
    """Refuse a run that could hold a worker longer than the server allows."""
    limit = options.time_limit_s
    if limit is None or not 0 < limit <= cap_s:
        msg = f"timeLimitSeconds must be more than 0 and at most {cap_s:g} s, got {limit}"
        raise InvalidInputError(msg)


def publish_routes(session: Session, principal: Principal, command: PublishRoutes) -> int:
    """Publish a succeeded run's draft routes to its crews; return how many were published.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and planners.
    NotFoundError
        When the run does not exist or belongs to another region than the planner's.
    ConflictError
        When the run has not succeeded, its routes are already published or superseded (a
        newer plan of those crews), or another publish of the day got there first.
    """
    with transaction(session):
        row = get_changeable(session, principal, m.PlanningRun, command.run_id, action="publish")
        require_region_planner(principal, row.region_id, action="publish routes")
        if row.kind != RunKind.DAY.value:
            raise ConflictError(f"planning run {row.id} plans a campaign: it has no routes")
        if row.status != RunState.SUCCEEDED.value:
            msg = f"planning run {row.id} is {row.status}: only a succeeded run can be published"
            raise ConflictError(msg)
        return persist.publish_routes(session, row.id)


def cancel_planning_run(
    session: Session, principal: Principal, command: CancelRun
) -> PlanningRunInfo:
    """Cancel a queued or running run of the caller's region; return it.

    A queued run is never started; a running run is cancelled at once and its worker stops at
    its next progress check, storing nothing.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the run does not exist or belongs to another region than the planner's.
    ConflictError
        When the run has already finished (succeeded, failed or cancelled).
    """
    with transaction(session):
        row = get_changeable(session, principal, m.PlanningRun, command.run_id, action="cancel")
        _refuse_expansion_run(row)
        require_region_planner(principal, row.region_id, action="cancel planning runs")
        if not runs.cancel_run(session, row.id):
            session.refresh(row)
            msg = (
                f"planning run {row.id} is {row.status}: only a queued or running run can be "
                "cancelled"
            )
            raise ConflictError(msg)
        session.refresh(row)
        return runs.run_info(row)


def get_planning_run(session: Session, principal: Principal, run_id: int) -> RunReport:
    """Return a run the caller may see (its region's planners, admins) and its left-out jobs.

    Raises
    ------
    PermissionDeniedError
        For roles that may not read planning runs.
    NotFoundError
        When the run does not exist or belongs to another region than the planner's.
    """
    row = get_visible(session, principal, m.PlanningRun, run_id)
    _refuse_expansion_run(row)
    session.refresh(row)  # a poller must see the worker's progress, not a cached row
    return RunReport(runs.run_info(row), read.unassigned_for_run(session, row.id))


def _refuse_expansion_run(row: m.PlanningRun) -> None:
    """Keep an expansion scenario's run out of the planning run use cases.

    Its readers follow the scenario (``expansionScenario``, ``cancelExpansionScenario``); a
    planning run's view (a day, routes, a region's time zone) does not fit it.

    Raises
    ------
    NotFoundError
        When the run computes an expansion scenario.
    """
    if row.kind == RunKind.EXPANSION.value:
        msg = f"no planning run {row.id}: it runs expansion scenario {row.scenario_id}"
        raise NotFoundError(msg)
