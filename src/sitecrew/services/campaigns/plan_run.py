"""Planning a campaign in the background: queue a plan run, read it (convention 19).

A campaign's sweep takes seconds (about 2 s for 22,000 homes, more for bigger campaigns), longer
than a request should hold a server, so the API and the CLI queue a run of kind ``campaign`` on
the planning runs' table and queue: the same states, progress, cancellation
(``cancelPlanningRun``), deadline, attempts and supervision as a day's run. The worker's part is
:mod:`~sitecrew.services.campaigns.sweep_run`; :func:`~sitecrew.services.campaigns.plan.
plan_campaign` still plans synchronously for scripts and benchmarks.

A campaign has at most one plan run queued or running: a second one is refused (Conflict, naming
the run to wait for or cancel), since two sweeps of the same homes would only overwrite each
other, and the later request's intent (its ``fromDay``) is better stated again once the first
has ended than silently queued behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.config import QueueSettings, RedisSettings
from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.routes import PlanningRunInfo, RunKind
from sitecrew.errors import ConflictError, NotFoundError
from sitecrew.services.campaigns.commands import PlanSummary
from sitecrew.services.campaigns.plan import plan_start
from sitecrew.services.campaigns.sweep_run import summary_from_json
from sitecrew.services.planning import dispatch, runs
from sitecrew.services.scoping import get_campaign_row, get_visible

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import PlanCampaign


@dataclass(frozen=True)
class CampaignPlanRun:
    """A campaign plan run as its planner reads it: the run, and the plan once it succeeded."""

    run: PlanningRunInfo
    summary: PlanSummary | None


def queue_campaign_plan(
    session: Session,
    principal: Principal,
    command: PlanCampaign,
    *,
    osm: OsmSettings,
    redis: RedisSettings = RedisSettings(),  # noqa: B008 (frozen: a safe shared default)
    queue: QueueSettings = QueueSettings(),  # noqa: B008
) -> CampaignPlanRun:
    """Queue a plan run of the campaign's sweep from ``command.from_day``; return it queued.

    A worker starts it once the caller commits: the task queue's (``sitecrew worker``) when a
    Redis is configured, else this process's own worker pool.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    InvalidInputError
        When ``from_day`` lies after the campaign's deadline.
    ConflictError
        When the campaign is completed or cancelled, or already has a plan run queued or
        running.
    UnavailableError
        When the task queue is configured but unreachable (nothing is queued then).
    """
    dispatch.check_dispatch(redis, queue)
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="plan campaigns"
        )
        plan_start(campaign, command.from_day)
        active = runs.active_campaign_run(session, campaign.id)
        if active is not None:
            msg = (
                f"campaign {campaign.id} is being planned already (run {active}, queued or "
                "running); wait for it to end or cancel it, then plan again"
            )
            raise ConflictError(msg)
        run = runs.insert_run(
            session,
            kind=RunKind.CAMPAIGN,
            region_id=campaign.region_id,
            day=command.from_day,
            options={"move_confirmed": command.move_confirmed},
            requested_by=principal.token_id,
            queue=dispatch.queue_name(redis),
            campaign_id=campaign.id,
        )
    dispatch.dispatch_after_commit(
        session, run.id, osm=osm, redis=redis, queue=queue, time_limit_s=runs.CAMPAIGN_RUN_S
    )
    return CampaignPlanRun(run, None)


def get_campaign_plan_run(session: Session, principal: Principal, run_id: int) -> CampaignPlanRun:
    """Return a campaign plan run the caller may see (its region's planners, admins).

    Raises
    ------
    PermissionDeniedError
        For roles that may not read planning runs.
    NotFoundError
        When the run does not exist, is a day's run, or belongs to another region than the
        planner's.
    """
    row = get_visible(session, principal, m.PlanningRun, run_id)
    session.refresh(row)  # a poller must see the worker's progress, not a cached row
    if row.kind != RunKind.CAMPAIGN.value:
        raise NotFoundError(f"no campaign plan run with id {run_id}")
    return campaign_plan_run(runs.run_info(row))


def campaign_plan_run(run: PlanningRunInfo) -> CampaignPlanRun:
    """Return the planner's view of a campaign run (its plan, when it succeeded)."""
    return CampaignPlanRun(run, summary_from_json(run.summary))
