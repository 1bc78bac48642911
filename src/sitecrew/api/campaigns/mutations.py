"""Campaign mutations: create, plan, confirm a window, materialise a day, record, cancel.

Each parses its input, calls one use case of :mod:`sitecrew.services.campaigns` (access,
validation and the write in one transaction) and converts the answer; ``returns_problems``
turns the expected errors into the payload's problem members.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

import strawberry

from sitecrew.api.campaigns.runs import CampaignPlanRun
from sitecrew.api.campaigns.types import (
    Campaign,
    CampaignHome,
    CampaignVisit,
    MaterialisedDay,
)
from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.types.enums import JobKind
from sitecrew.api.types.places import REGION_FIELD
from sitecrew.domain.campaigns import VisitOutcome
from sitecrew.domain.ids import parse_id
from sitecrew.services import campaigns as service
from sitecrew.services import regions as region_service
from sitecrew.services.campaigns import lifecycle, plan_run
from sitecrew.services.campaigns.commands import REVISIT_AFTER_DAYS

Info = strawberry.Info[Context, None]
_PROBLEMS = InvalidInput | NotFound | Forbidden | Conflict
CampaignPayload = Annotated[Campaign | _PROBLEMS, strawberry.union("CampaignPayload")]
PlanCampaignPayload = Annotated[
    CampaignPlanRun | _PROBLEMS, strawberry.union("PlanCampaignPayload")
]
ConfirmVisitWindowPayload = Annotated[
    CampaignHome | _PROBLEMS, strawberry.union("ConfirmVisitWindowPayload")
]
MaterialiseCampaignDayPayload = Annotated[
    MaterialisedDay | _PROBLEMS, strawberry.union("MaterialiseCampaignDayPayload")
]
RecordVisitOutcomePayload = Annotated[
    CampaignVisit | _PROBLEMS, strawberry.union("RecordVisitOutcomePayload")
]
_VERSION = "The version you last read (a stale one is a Conflict); null: no check."
_SCOPE = "Exactly one kind of scope: districtIds, buildingIds or apartmentIds."


@strawberry.input(description=f"A new draft campaign. {_SCOPE}")
class CreateCampaignInput:
    region: str = strawberry.field(description=REGION_FIELD)
    name: str
    start_on: dt.date
    deadline_on: dt.date
    crew_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    district_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    building_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    apartment_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    job_kind: JobKind = JobKind.INSTALL_MEDIA_BOX
    minutes_per_home: float = 30.0
    setup_minutes_per_entrance: float = 10.0
    visits_per_crew_day: int = 14
    revisit_share: float = 0.1
    max_failed_attempts: int = 3
    window_minutes: int = 120
    on_time_confidence: float = strawberry.field(
        default=0.8,
        description="Share of crew-days that should end within the shift (0.5-0.99).",
    )


@strawberry.input(description="(Re-)plan the sweep from a day; confirmed windows stay unless told.")
class PlanCampaignInput:
    campaign_id: strawberry.ID
    from_day: dt.date
    move_confirmed: bool = False


@strawberry.input(description="The tenant knows the home's proposed window.")
class ConfirmVisitWindowInput:
    home_id: strawberry.ID
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Turn a day's visits into jobs with appointments (idempotent).")
class MaterialiseCampaignDayInput:
    campaign_id: strawberry.ID
    date: dt.date


@strawberry.input(description="How a visit ended, with the actual start and end (with offset).")
class RecordVisitOutcomeInput:
    visit_id: strawberry.ID
    outcome: VisitOutcome
    started_at: dt.datetime
    ended_at: dt.datetime
    notes: str | None = None
    version: int | None = strawberry.field(default=None, description=_VERSION)
    revisit_after_days: int = strawberry.field(
        default=REVISIT_AFTER_DAYS, description="How long a failed visit waits for its re-visit."
    )


@strawberry.input(description="Cancel a draft or active campaign; its homes become free.")
class CancelCampaignInput:
    campaign_id: strawberry.ID
    version: int | None = strawberry.field(default=None, description=_VERSION)


def _ids(values: list[strawberry.ID], what: str) -> tuple[int, ...]:
    return tuple(parse_id(value, what) for value in values)


def _create_command(data: CreateCampaignInput, region_id: int) -> service.CreateCampaign:
    return service.CreateCampaign(
        region_id=region_id,
        name=data.name,
        start_on=data.start_on,
        deadline_on=data.deadline_on,
        crew_ids=_ids(data.crew_ids, "crew"),
        district_ids=_ids(data.district_ids, "district"),
        building_ids=_ids(data.building_ids, "building"),
        apartment_ids=_ids(data.apartment_ids, "apartment"),
        job_kind=data.job_kind,
        minutes_per_home=data.minutes_per_home,
        setup_minutes_per_entrance=data.setup_minutes_per_entrance,
        visits_per_crew_day=data.visits_per_crew_day,
        revisit_share=data.revisit_share,
        max_failed_attempts=data.max_failed_attempts,
        window_minutes=data.window_minutes,
        on_time_confidence=data.on_time_confidence,
    )


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(
        description="Create a draft campaign with a pending home for every apartment in scope "
        "(admins; the region's planners). A home in another open campaign of the job kind: "
        "Conflict."
    )
    @returns_problems
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> CampaignPayload:
        context = info.context
        found = await context.write(
            region_service.in_region,
            context.user,
            input.region,
            service.create_campaign,
            partial(_create_command, input),
        )
        return Campaign.from_domain(found)

    @strawberry.mutation(
        description="Start placing every home not done on a day, crew and two-hour window from "
        "`fromDay` on, in the background (about 2 s for 22,000 homes once a worker has it): "
        "returns the queued run; its `summary` is the plan once it succeeded. A campaign with "
        "a plan run queued or running already: Conflict. When the task queue is down the "
        "request fails with code UNAVAILABLE and nothing is queued."
    )
    @returns_problems
    async def plan_campaign(self, info: Info, input: PlanCampaignInput) -> PlanCampaignPayload:
        context = info.context
        command = service.PlanCampaign(
            parse_id(input.campaign_id, "campaign"), input.from_day, input.move_confirmed
        )
        settings = context.settings
        queue_plan = partial(
            plan_run.queue_campaign_plan,
            osm=settings.osm,
            redis=settings.redis,
            queue=settings.queue,
        )
        found = await context.write(queue_plan, context.user, command)
        return CampaignPlanRun.from_domain(found)

    @strawberry.mutation(description="Confirm a home's proposed window with its tenant.")
    @returns_problems
    async def confirm_visit_window(
        self, info: Info, input: ConfirmVisitWindowInput
    ) -> ConfirmVisitWindowPayload:
        command = service.ConfirmVisitWindow(parse_id(input.home_id, "home"), input.version)
        home = await info.context.write(service.confirm_visit_window, info.context.user, command)
        return CampaignHome.from_domain(home)

    @strawberry.mutation(
        description="Create the day's jobs, appointments and visits of an active campaign "
        "(again: nothing new)."
    )
    @returns_problems
    async def materialise_campaign_day(
        self, info: Info, input: MaterialiseCampaignDayInput
    ) -> MaterialiseCampaignDayPayload:
        command = service.MaterialiseDay(parse_id(input.campaign_id, "campaign"), input.date)
        made = await info.context.write(service.materialise_day, info.context.user, command)
        return MaterialisedDay.from_domain(made)

    @strawberry.mutation(
        description="Record how a visit ended (admins, the region's planners, the visit's own "
        "crew); once per visit. A missed visit tells the tenant the best new windows and the "
        "link to choose one, or that the housing company will call once the home is escalated."
    )
    @returns_problems
    async def record_visit_outcome(
        self, info: Info, input: RecordVisitOutcomeInput
    ) -> RecordVisitOutcomePayload:
        command = service.RecordVisitOutcome(
            visit_id=parse_id(input.visit_id, "visit"),
            outcome=input.outcome,
            started_at=input.started_at,
            ended_at=input.ended_at,
            notes=input.notes,
            version=input.version,
            revisit_after_days=input.revisit_after_days,
        )
        visit = await info.context.write(
            service.record_outcome, info.context.user, command, osm=info.context.settings.osm
        )
        return CampaignVisit.from_domain(visit)

    @strawberry.mutation(
        description="Cancel a campaign: jobs not started are withdrawn, unfinished homes become "
        "free for another campaign. Completed or cancelled already: Conflict."
    )
    @returns_problems
    async def cancel_campaign(self, info: Info, input: CancelCampaignInput) -> CampaignPayload:
        command = lifecycle.CancelCampaign(parse_id(input.campaign_id, "campaign"), input.version)
        found = await info.context.write(lifecycle.cancel_campaign, info.context.user, command)
        return Campaign.from_domain(found)
