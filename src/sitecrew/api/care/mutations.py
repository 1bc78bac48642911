"""Writing care plans and seasons, and generating due work: one input, a union payload each."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from sitecrew.api.care.types import CarePlan, CareSeason, DueCareWork
from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Deleted,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.types.enums import JobKind, MaintenanceAction, Skill
from sitecrew.domain.care import CarePlan as DomainPlan
from sitecrew.domain.care import RegionSeason, Season, parse_horizon
from sitecrew.domain.ids import parse_id
from sitecrew.services.care.due import GenerateDueWork, generate_due_work
from sitecrew.services.care.plans import create_care_plan, delete_care_plan, update_care_plan
from sitecrew.services.care.seasons import set_care_season
from sitecrew.services.sites import Changes

Info = strawberry.Info[Context, None]

CarePlanPayload = Annotated[
    CarePlan | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("CarePlanPayload"),
]
DeleteCarePlanPayload = Annotated[
    Deleted | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("DeleteCarePlanPayload"),
]
CareSeasonPayload = Annotated[
    CareSeason | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("CareSeasonPayload"),
]
DueCareWorkPayload = Annotated[
    DueCareWork | InvalidInput | NotFound | Forbidden, strawberry.union("DueCareWorkPayload")
]


@strawberry.input(description="A care plan; without regionId the catalogue's default (admins).")
class CreateCarePlanInput:
    model_id: strawberry.ID
    action: str
    job_kind: JobKind
    interval_months: int
    minutes_per_piece: int
    region_id: strawberry.ID | None = None
    setup_minutes: int = 0
    required_skills: list[Skill] = strawberry.field(default_factory=list)
    people: int = 1
    season_start_month: int | None = None
    season_end_month: int | None = None
    counted_actions: list[MaintenanceAction] = strawberry.field(default_factory=list)


@strawberry.input(description="New values for a plan read at version; omitted fields stay.")
class UpdateCarePlanInput:
    id: strawberry.ID
    version: int
    action: str | None = None
    job_kind: JobKind | None = None
    interval_months: int | None = None
    minutes_per_piece: int | None = None
    setup_minutes: int | None = None
    required_skills: list[Skill] | None = None
    people: int | None = None
    season_start_month: int | None = None
    season_end_month: int | None = None
    clear_season: bool = strawberry.field(default=False, description="Any month from now on.")
    counted_actions: list[MaintenanceAction] | None = None


@strawberry.input
class DeleteCarePlanInput:
    id: strawberry.ID
    version: int


@strawberry.input(description="A region's own months for an action (replacing the plans').")
class SetCareSeasonInput:
    region_id: strawberry.ID
    action: str
    start_month: int
    end_month: int
    version: int | None = None


@strawberry.input(description="Make the region's care work due within the horizon.")
class GenerateDueCareWorkInput:
    region_id: strawberry.ID
    horizon: str = strawberry.field(default="8w", description="8w, 30d, 2m: at most a year.")
    today: date | None = strawberry.field(
        default=None, description="Count from this day (default: the region's today)."
    )


def _season(start: int | None, end: int | None) -> Season | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        return Season(start or 0, end or 0)  # refused: a season needs both months
    return Season(start, end)


def _plan(input: CreateCarePlanInput) -> DomainPlan:
    return DomainPlan(
        model_id=parse_id(input.model_id, "furniture model"),
        action=input.action,
        job_kind=input.job_kind,
        interval_months=input.interval_months,
        minutes_per_piece=input.minutes_per_piece,
        setup_minutes=input.setup_minutes,
        required_skills=frozenset(input.required_skills),
        people=input.people,
        season=_season(input.season_start_month, input.season_end_month),
        counted_actions=frozenset(input.counted_actions),
        region_id=None if input.region_id is None else parse_id(input.region_id, "region"),
    )


def _changes(input: UpdateCarePlanInput) -> Changes:
    given: dict[str, Any] = {
        "action": input.action,
        "job_kind": input.job_kind,
        "interval_months": input.interval_months,
        "minutes_per_piece": input.minutes_per_piece,
        "setup_minutes": input.setup_minutes,
        "people": input.people,
        "required_skills": None
        if input.required_skills is None
        else frozenset(input.required_skills),
        "counted_actions": None
        if input.counted_actions is None
        else frozenset(input.counted_actions),
        "season": _season(input.season_start_month, input.season_end_month),
    }
    values = {key: value for key, value in given.items() if value is not None}
    if input.clear_season:
        values["season"] = None
    return Changes(parse_id(input.id, "care plan"), input.version, values)


@strawberry.type
class CareMutations:
    @strawberry.mutation(
        description="Add a care plan: the catalogue's default (admins) or a region's own "
        "(admins and that region's planners; crews and contractors: FORBIDDEN)."
    )
    @returns_problems
    async def create_care_plan(self, info: Info, input: CreateCarePlanInput) -> CarePlanPayload:
        context = info.context
        plan = _plan(input)
        return CarePlan.from_domain(await context.write(create_care_plan, context.user, plan))

    @strawberry.mutation(description="Change a care plan from the version you read.")
    @returns_problems
    async def update_care_plan(self, info: Info, input: UpdateCarePlanInput) -> CarePlanPayload:
        context = info.context
        changes = _changes(input)
        return CarePlan.from_domain(await context.write(update_care_plan, context.user, changes))

    @strawberry.mutation(description="Delete a care plan (the jobs it made stay).")
    @returns_problems
    async def delete_care_plan(
        self, info: Info, input: DeleteCarePlanInput
    ) -> DeleteCarePlanPayload:
        context = info.context
        plan_id = parse_id(input.id, "care plan")
        await context.write(delete_care_plan, context.user, plan_id, input.version)
        return Deleted(id=input.id)

    @strawberry.mutation(description="Give a region its own months for a care action.")
    @returns_problems
    async def set_care_season(self, info: Info, input: SetCareSeasonInput) -> CareSeasonPayload:
        context = info.context
        season = RegionSeason(
            parse_id(input.region_id, "region"),
            input.action,
            Season(input.start_month, input.end_month),
        )
        stored = await context.write(set_care_season, context.user, season, version=input.version)
        return CareSeason.from_domain(stored)

    @strawberry.mutation(
        description="Make jobs for the care due within the horizon: one per site and action, "
        "overdue first; a second run makes nothing new (admins and the region's planners)."
    )
    @returns_problems
    async def generate_due_care_work(
        self, info: Info, input: GenerateDueCareWorkInput
    ) -> DueCareWorkPayload:
        context = info.context
        command = GenerateDueWork(
            parse_id(input.region_id, "region"), parse_horizon(input.horizon), input.today
        )
        report = await context.write(generate_due_work, context.user, command)
        return DueCareWork.from_domain(report)
