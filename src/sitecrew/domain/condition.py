"""Condition grades of NS 3424 for furniture: per component, per item, and the trend over time.

An inspection grades each component of a piece (a bench's slats, frame, fixings and surface
finish) TG0 (no deviation) to TG3 (large deviation, failed), or TGIU when the component was not
investigated. The item's grade is the worst investigated component, because a bench with one
failed slat is a failed bench whatever its frame looks like; an inspection that investigated
nothing says nothing (TGIU) and must not move the item's recorded condition.

The trend compares an item's latest investigated grade with the one before it: two
inspections are the least that show a direction, and the latest step is what a planner acts on
(a bench that went from TG1 to TG2 needs a repair now, whatever it looked like three years ago).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sitecrew.domain.rules import optional_notes, require_plausible_date
from sitecrew.errors import InvalidInputError


class ConditionGrade(StrEnum):
    """NS 3424 condition grades (tilstandsgrad); TGIU: not investigated."""

    TG0 = "TG0"
    TG1 = "TG1"
    TG2 = "TG2"
    TG3 = "TG3"
    TGIU = "TGIU"

    @property
    def level(self) -> int | None:
        """Return 0-3 for an investigated grade, ``None`` for TGIU."""
        return None if self is ConditionGrade.TGIU else int(self.value[2])

    @classmethod
    def of_level(cls, level: int) -> ConditionGrade:
        """Return the grade of a 0-3 level (the item's stored ``condition_grade``)."""
        return cls(f"TG{level}")


class Trend(StrEnum):
    """Where an item's condition is going, from its last two investigated inspections."""

    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"
    UNKNOWN = "unknown"  # fewer than two investigated inspections


#: Grades at which NS 3424 asks for the cause and the consequence of the deviation.
EXPLAINED_GRADES = frozenset({ConditionGrade.TG2, ConditionGrade.TG3})


@dataclass(frozen=True)
class ComponentGrade:
    """One component's grade in an inspection, with why it is so and what it leads to."""

    part: str
    grade: ConditionGrade
    cause: str | None = None
    consequence: str | None = None

    def __post_init__(self) -> None:
        if not self.part.strip():
            raise InvalidInputError("a graded component needs its part code")
        optional_notes(self.cause, "cause")
        optional_notes(self.consequence, "consequence")
        if self.grade in EXPLAINED_GRADES and not (
            (self.cause or "").strip() and (self.consequence or "").strip()
        ):
            msg = (
                f"{self.part} graded {self.grade.value}: NS 3424 needs the cause and the "
                "consequence of the deviation"
            )
            raise InvalidInputError(msg)


def derive_grade(components: tuple[ComponentGrade, ...] | list[ComponentGrade]) -> ConditionGrade:
    """Return the item's grade: the worst investigated component, TGIU if none was investigated.

    Raises
    ------
    InvalidInputError
        When no component is graded at all.
    """
    if not components:
        raise InvalidInputError("an inspection grades at least one component")
    levels = [c.grade.level for c in components if c.grade.level is not None]
    return ConditionGrade.TGIU if not levels else ConditionGrade.of_level(max(levels))


def trend_of(grades: list[ConditionGrade]) -> Trend:
    """Return the trend of an item's grades, oldest first (TGIU inspections are skipped)."""
    levels = [g.level for g in grades if g.level is not None]
    if len(levels) < 2:  # noqa: PLR2004 (two points make a direction)
        return Trend.UNKNOWN
    previous, latest = levels[-2], levels[-1]
    if latest > previous:
        return Trend.WORSENING
    if latest < previous:
        return Trend.IMPROVING
    return Trend.STABLE


@dataclass(frozen=True)
class RepairNeed:
    """Why an inspection raises a repair job, and how soon it is due."""

    reason: str
    priority: int
    due_on: date


#: Days until a repair raised by a failed component (TG3) or a worsening trend is due.
TG3_REPAIR_DAYS = 14
WORSENING_REPAIR_DAYS = 42


def repair_need(grade: ConditionGrade, trend: Trend, inspected_on: date) -> RepairNeed | None:
    """Return the repair an inspection calls for: TG3 soon (priority 1), worsening later (2)."""
    if grade is ConditionGrade.TG3:
        due = inspected_on + timedelta(days=TG3_REPAIR_DAYS)
        return RepairNeed("condition grade TG3", 1, due)
    if trend is Trend.WORSENING:
        due = inspected_on + timedelta(days=WORSENING_REPAIR_DAYS)
        return RepairNeed(f"condition worsening to {grade.value}", 2, due)
    return None


@dataclass(frozen=True)
class Inspection:
    """An inspection of one item on a job: its components' grades and the derived item grade."""

    furniture_id: int
    job_id: int
    inspected_on: date
    components: tuple[ComponentGrade, ...]
    notes: str | None = None
    crew_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_plausible_date(self.inspected_on, "inspection date")
        optional_notes(self.notes, "inspection notes")
        parts = [c.part for c in self.components]
        if len(set(parts)) != len(parts):
            raise InvalidInputError("each component is graded once per inspection")
        derive_grade(self.components)

    @property
    def grade(self) -> ConditionGrade:
        """Return the item's grade derived from its components."""
        return derive_grade(self.components)
