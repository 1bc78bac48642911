"""The catalogue's default care plans, as the furniture maker writes them for its products.

Wooden pieces (pine, larch, oak) are oiled on the model's service interval, only in the dry
months of April to September (the oil must cure; a region may set its own months), looked over
yearly and have their fixings tightened every other year. Metal pieces are inspected on their
interval and tightened every other year. Every visit (oiling, inspection, repair) looks the
piece over and tightens what it finds loose, so each counts as an inspection and a tightening:
a separate tightening visit is due only when no one came for two years. Minutes and setup are
the job kinds' usual ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.domain.care import CarePlan, Season
from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import DEFAULT_MINUTES, JobKind, MaintenanceAction
from sitecrew.services.care.plans import add_care_plan

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Materials that are oiled (the demo catalogue's woods).
OILED_MATERIALS = frozenset({"pine", "larch", "oak"})
#: Outdoor oiling: only in dry months (Oslo: April to September).
DRY_MONTHS = Season(4, 9)
DAYS_PER_MONTH = 30.44
#: Every visit that looks a piece over counts as an inspection.
LOOKED_OVER = frozenset(
    {
        MaintenanceAction.INSPECTED,
        MaintenanceAction.OILED,
        MaintenanceAction.REPAIRED,
        MaintenanceAction.REPLACED_PART,
    }
)


def default_plans(model_id: int, material: str, interval_days: int) -> list[CarePlan]:
    """Return the default plans of a catalogue model from its material and service interval."""
    months = max(1, round(interval_days / DAYS_PER_MONTH))
    tighten = CarePlan(
        model_id,
        "tighten_fixings",
        JobKind.REPAIR,
        interval_months=24,
        minutes_per_piece=5,
        setup_minutes=10,
        required_skills=frozenset({Skill.CARPENTRY}),
        counted_actions=LOOKED_OVER,
    )
    if material not in OILED_MATERIALS:
        inspect = _inspect(model_id, months)
        return [inspect, tighten]
    oil = CarePlan(
        model_id,
        "oil",
        JobKind.OIL,
        interval_months=months,
        minutes_per_piece=DEFAULT_MINUTES[JobKind.OIL],
        setup_minutes=10,
        required_skills=frozenset({Skill.OILING}),
        season=DRY_MONTHS,
        counted_actions=frozenset({MaintenanceAction.OILED}),
    )
    return [oil, _inspect(model_id, 12), tighten]


def _inspect(model_id: int, months: int) -> CarePlan:
    return CarePlan(
        model_id,
        "inspect",
        JobKind.INSPECT,
        interval_months=months,
        minutes_per_piece=DEFAULT_MINUTES[JobKind.INSPECT],
        setup_minutes=5,
        required_skills=frozenset({Skill.INSPECTION}),
        counted_actions=LOOKED_OVER,
    )


def add_default_plans(session: Session, model_id: int, material: str, interval_days: int) -> int:
    """Store a model's default plans (trusted loaders: the demo); return how many."""
    plans = default_plans(model_id, material, interval_days)
    for plan in plans:
        add_care_plan(session, plan)
    return len(plans)
