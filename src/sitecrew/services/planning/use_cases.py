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

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.domain.plans import UnassignedJob
from sitecrew.domain.routes import PlanningRunInfo, PlanOptions, RunState
from sitecrew.errors import ConflictError, InvalidInputError, QuotaExceededError
from sitecrew.services.planning import persist, read, runs
from sitecrew.services.planning.background import start_after_commit
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
    """
    require_region_planner(principal, command.region_id, action="plan routes")
    _check_time_limit(command.options, limits.max_time_limit_s)
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
        )
    start_after_commit(session, run.id, osm)
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
        if row.status != RunState.SUCCEEDED.value:
            msg = f"planning run {row.id} is {row.status}: only a succeeded run can be published"
            raise ConflictError(msg)
        return persist.publish_routes(session, row.id)


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
    session.refresh(row)  # a poller must see the worker's progress, not a cached row
    return RunReport(runs.run_info(row), read.unassigned_for_run(session, row.id))
