"""Mutations: record inspections and coded repairs on a job; add and change wear codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.care_inspections.types import InspectionRecorded, Repair, WearCode
from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.domain.condition import ComponentGrade, ConditionGrade
from sitecrew.domain.ids import parse_id
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import Repair as RepairFacts
from sitecrew.domain.wear_codes import WearCoding, WearLevel
from sitecrew.services.care import codes as code_service
from sitecrew.services.care import inspections as inspection_service
from sitecrew.services.care import inspections_repairs as repair_service

Info = strawberry.Info[Context, None]
InspectionPayload = Annotated[
    InspectionRecorded | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("InspectionPayload"),
]
RepairPayload = Annotated[
    Repair | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("RepairPayload")
]
WearCodePayload = Annotated[
    WearCode | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("WearCodePayload")
]
JOB = "The job on which it was done: a crew only a job of its published route of today."
PHOTO_IDS = "Photos uploaded for this job (POST /care/jobs/<jobId>/photos) to attach."


@strawberry.input(description="One component's grade; TG2 and TG3 need cause and consequence.")
class ComponentGradeInput:
    part: str = strawberry.field(description="A part code of the item's family (`slats`).")
    grade: ConditionGrade
    cause: str | None = None
    consequence: str | None = None


@strawberry.input
class RecordInspectionInput:
    job_id: strawberry.ID = strawberry.field(description=JOB)
    furniture_id: strawberry.ID
    inspected_on: dt.date
    components: list[ComponentGradeInput]
    notes: str | None = None
    photo_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description=PHOTO_IDS)


@strawberry.input(description="A repair; the four codes must be a combination of the family's.")
class RecordRepairInput:
    job_id: strawberry.ID = strawberry.field(description=JOB)
    furniture_id: strawberry.ID
    performed_on: dt.date
    part: str
    failure_mode: str
    cause: str
    remedy: str
    notes: str | None = None
    photo_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description=PHOTO_IDS)


@strawberry.input
class AddWearCodeInput:
    family: FurnitureCategory
    level: WearLevel
    code: str = strawberry.field(description="Lower-case letters, digits and _.")
    label: str
    parent: str | None = strawberry.field(
        default=None,
        description="The parent's path: a part for a failure mode, part/mode for a cause or "
        "remedy; none for a part.",
    )


@strawberry.input
class UpdateWearCodeInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you last read (stale: Conflict).")
    label: str | None = None
    retired: bool | None = strawberry.field(
        default=None, description="Retire a code no longer to be used (old repairs keep it)."
    )


@strawberry.type
class CareInspectionMutations:
    @strawberry.mutation(
        description="Record an inspection of an item on a job: NS 3424 grade per component. "
        "The item's grade follows; TG3 or a worsening trend raises a repair job (unless open)."
    )
    @returns_problems
    async def record_inspection(
        self, info: Info, input: RecordInspectionInput
    ) -> InspectionPayload:
        command = inspection_service.RecordInspection(
            job_id=parse_id(input.job_id, "job"),
            furniture_id=parse_id(input.furniture_id, "furniture"),
            inspected_on=input.inspected_on,
            components=tuple(
                ComponentGrade(c.part, c.grade, c.cause, c.consequence) for c in input.components
            ),
            notes=input.notes,
            photo_ids=tuple(parse_id(p, "photo") for p in input.photo_ids),
        )
        recorded = await info.context.write(
            inspection_service.record_inspection, info.context.user, command
        )
        return InspectionRecorded.from_domain(recorded)

    @strawberry.mutation(
        description="Record a repair of an item on a job, coded part / failure mode / cause / "
        "remedy from the item's family's list (else INVALID_WEAR_CODE)."
    )
    @returns_problems
    async def record_repair(self, info: Info, input: RecordRepairInput) -> RepairPayload:
        repair = RepairFacts(
            furniture_id=parse_id(input.furniture_id, "furniture"),
            job_id=parse_id(input.job_id, "job"),
            performed_on=input.performed_on,
            coding=WearCoding(input.part, input.failure_mode, input.cause, input.remedy),
            notes=input.notes,
        )
        command = repair_service.RecordRepair(
            repair, tuple(parse_id(p, "photo") for p in input.photo_ids)
        )
        stored = await info.context.write(repair_service.record_repair, info.context.user, command)
        return Repair.from_domain(stored)

    @strawberry.mutation(description="Add a wear code to a family's list (admins).")
    @returns_problems
    async def add_wear_code(self, info: Info, input: AddWearCodeInput) -> WearCodePayload:
        command = code_service.AddWearCode(
            input.family, input.level, input.code, input.label, input.parent
        )
        stored = await info.context.write(code_service.add_wear_code, info.context.user, command)
        return WearCode.from_domain(stored)

    @strawberry.mutation(description="Relabel, retire or bring back a wear code (admins).")
    @returns_problems
    async def update_wear_code(self, info: Info, input: UpdateWearCodeInput) -> WearCodePayload:
        command = code_service.UpdateWearCode(
            parse_id(input.id, "wear code"), input.version, input.label, input.retired
        )
        stored = await info.context.write(code_service.update_wear_code, info.context.user, command)
        return WearCode.from_domain(stored)
