"""The campaign plan run in GraphQL: a background sweep's status, progress and plan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from sitecrew.api.campaigns.types import PlanSummary
from sitecrew.api.types.routes import PlanningRun  # noqa: F401 (registers PlanningRunStatus)
from sitecrew.domain.routes import RunState

if TYPE_CHECKING:
    from sitecrew.services.campaigns.plan_run import CampaignPlanRun as CampaignPlanRunInfo


@strawberry.type(
    description="A background plan of a campaign's sweep. Follow it with "
    "`planningRunProgress(id)` (status, progress, step) or poll `campaignPlanRun(id)`; stop it "
    "with `cancelPlanningRun`. Its steps: queued, load homes, learn, sweep, store, done."
)
class CampaignPlanRun:
    id: strawberry.ID
    campaign_id: strawberry.ID
    from_day: dt.date
    status: RunState
    progress: float = strawberry.field(description="0 to 1.")
    step: str | None
    message: str | None = strawberry.field(description="Why the run failed or was stopped.")
    summary: PlanSummary | None = strawberry.field(
        description="What the plan did, once the run succeeded (null before)."
    )
    created_at: dt.datetime | None = strawberry.field(description="When it was asked for (UTC).")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def from_domain(cls, found: CampaignPlanRunInfo) -> CampaignPlanRun:
        """Build from ``services.campaigns.plan_run.CampaignPlanRun``."""
        run = found.run
        return cls(
            id=strawberry.ID(str(run.id)),
            campaign_id=strawberry.ID(str(run.campaign_id)),
            from_day=run.service_date,
            status=run.state,
            progress=run.progress,
            step=run.step,
            message=run.message,
            summary=None if found.summary is None else PlanSummary.from_domain(found.summary),
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )
