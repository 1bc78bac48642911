"""GraphQL types of inspections, repairs, wear codes and photos."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

import sitecrew.api.types.enums  # noqa: F401 (registers FurnitureCategory first)
from sitecrew.api.types.work import Job
from sitecrew.domain.condition import ConditionGrade, Trend
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import WearLevel

if TYPE_CHECKING:
    from sitecrew.domain.condition import ComponentGrade
    from sitecrew.domain.wear_codes import WearCode as WearCodeFacts
    from sitecrew.services.care.inspections import InspectionRecorded as RecordedFacts
    from sitecrew.services.care.inspections_reading import (
        InspectionFacts,
        ItemCondition,
        RepairFacts,
    )

strawberry.enum(ConditionGrade, description="NS 3424 condition grade; TGIU: not investigated.")
strawberry.enum(Trend, name="ConditionTrend")
strawberry.enum(WearLevel)

PHOTOS = "Photos uploaded for it; GET /care/photos/<id> with your token (its crew, planners)."


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="One code of a product family's wear list.")
class WearCode:
    id: strawberry.ID
    family: FurnitureCategory
    level: WearLevel
    code: str
    label: str
    path: str = strawberry.field(
        description="Its place in the family's tree: part, part/mode, part/mode/cause or remedy."
    )
    parent_id: strawberry.ID | None
    retired: bool
    version: int

    @classmethod
    def from_domain(cls, code: WearCodeFacts) -> WearCode:
        """Build from ``domain.wear_codes.WearCode``."""
        return cls(
            id=strawberry.ID(str(code.id)),
            family=code.family,
            level=code.level,
            code=code.code,
            label=code.label,
            path=code.path,
            parent_id=_id(code.parent_id),
            retired=code.retired,
            version=code.version,
        )


@strawberry.type(description="One component's grade, with the deviation's cause and consequence.")
class ComponentGradeResult:
    part: str
    grade: ConditionGrade
    cause: str | None
    consequence: str | None

    @classmethod
    def from_domain(cls, component: ComponentGrade) -> ComponentGradeResult:
        """Build from ``domain.condition.ComponentGrade``."""
        return cls(
            part=component.part,
            grade=component.grade,
            cause=component.cause,
            consequence=component.consequence,
        )


@strawberry.type(description="An inspection of one item on a job (NS 3424 grades).")
class Inspection:
    id: strawberry.ID
    furniture_id: strawberry.ID
    job_id: strawberry.ID
    crew_id: strawberry.ID | None
    inspected_on: dt.date
    grade: ConditionGrade = strawberry.field(
        description="The worst investigated component; TGIU when none was investigated."
    )
    components: list[ComponentGradeResult]
    notes: str | None
    repair_job_id: strawberry.ID | None = strawberry.field(
        description="The repair job this inspection raised (TG3 or a worsening trend)."
    )
    photo_ids: list[strawberry.ID] = strawberry.field(description=PHOTOS)

    @classmethod
    def from_domain(cls, facts: InspectionFacts) -> Inspection:
        """Build from ``services.care.inspections_reading.InspectionFacts``."""
        return cls(
            id=strawberry.ID(str(facts.id)),
            furniture_id=strawberry.ID(str(facts.furniture_id)),
            job_id=strawberry.ID(str(facts.job_id)),
            crew_id=_id(facts.crew_id),
            inspected_on=facts.inspected_on,
            grade=facts.grade,
            components=[ComponentGradeResult.from_domain(c) for c in facts.components],
            notes=facts.notes,
            repair_job_id=_id(facts.repair_job_id),
            photo_ids=[strawberry.ID(str(p)) for p in facts.photo_ids],
        )


@strawberry.type(description="A coded repair of one item on a job.")
class Repair:
    id: strawberry.ID
    furniture_id: strawberry.ID
    job_id: strawberry.ID
    crew_id: strawberry.ID | None
    performed_on: dt.date
    part: str
    failure_mode: str
    cause: str
    remedy: str
    notes: str | None
    photo_ids: list[strawberry.ID] = strawberry.field(description=PHOTOS)

    @classmethod
    def from_domain(cls, facts: RepairFacts) -> Repair:
        """Build from ``services.care.inspections_reading.RepairFacts``."""
        return cls(
            id=strawberry.ID(str(facts.id)),
            furniture_id=strawberry.ID(str(facts.furniture_id)),
            job_id=strawberry.ID(str(facts.job_id)),
            crew_id=_id(facts.crew_id),
            performed_on=facts.performed_on,
            part=facts.coding.part,
            failure_mode=facts.coding.failure_mode,
            cause=facts.coding.cause,
            remedy=facts.coding.remedy,
            notes=facts.notes,
            photo_ids=[strawberry.ID(str(p)) for p in facts.photo_ids],
        )


@strawberry.type(description="A recorded inspection, the item's trend and any repair job.")
class InspectionRecorded:
    inspection: Inspection
    trend: Trend
    repair_job: Job | None = strawberry.field(
        description="The item's repair job when the inspection called for one (new or open)."
    )
    repair_raised: bool = strawberry.field(
        description="True when this inspection created the repair job; false when one was open."
    )

    @classmethod
    def from_domain(cls, recorded: RecordedFacts) -> InspectionRecorded:
        """Build from ``services.care.inspections.InspectionRecorded``."""
        return cls(
            inspection=Inspection.from_domain(recorded.inspection),
            trend=recorded.trend,
            repair_job=Job.from_domain(recorded.repair_job) if recorded.repair_job else None,
            repair_raised=recorded.repair_raised,
        )


@strawberry.type(description="An item's condition: its grade, trend and records, newest first.")
class FurnitureCondition:
    furniture_id: strawberry.ID
    grade: ConditionGrade
    trend: Trend
    inspections: list[Inspection]
    repairs: list[Repair]

    @classmethod
    def from_domain(cls, condition: ItemCondition) -> FurnitureCondition:
        """Build from ``services.care.inspections_reading.ItemCondition``."""
        return cls(
            furniture_id=strawberry.ID(str(condition.furniture_id)),
            grade=condition.grade,
            trend=condition.trend,
            inspections=[Inspection.from_domain(i) for i in condition.inspections],
            repairs=[Repair.from_domain(r) for r in condition.repairs],
        )
