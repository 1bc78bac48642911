"""Care plans as data: create, change and delete them (one use case per function).

A plan with no region is the catalogue's default for its model and action, the admins' (it moves
care in every region); a plan with a region is that region's own, its planners', and replaces the
default there. At most one plan per model, action and region: the database's unique index keeps
that for regional plans, and a lock on the model and action keeps it for the defaults, whose
region is NULL (which a unique index does not compare).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.care import CarePlan, Season
from sitecrew.domain.crews import parse_skills
from sitecrew.domain.jobs import JobKind, MaintenanceAction
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.services._persist import check_version, save
from sitecrew.services._registers import remove
from sitecrew.services.scoping import get_changeable_care_plan, require_care_plan_writer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.sites import Changes

#: The fields a change may set; the model and region say whose plan it is and stay.
CHANGEABLE_FIELDS = frozenset(
    {
        "action",
        "job_kind",
        "interval_months",
        "minutes_per_piece",
        "setup_minutes",
        "required_skills",
        "people",
        "season",
        "counted_actions",
    }
)


def create_care_plan(session: Session, principal: Principal, plan: CarePlan) -> CarePlan:
    """Store a plan: a default (admins) or a region's own (admins, the region's planners).

    Raises
    ------
    PermissionDeniedError
        For crews and contractors, planners creating defaults or another region's plans.
    NotFoundError
        When the model or the region does not exist.
    ConflictError
        When the model already has a plan for this action in this region (or as a default).
    """
    with transaction(session):
        require_care_plan_writer(principal, plan.region_id, action="create care plans")
        get_or_raise(session, m.FurnitureModel, plan.model_id)
        if plan.region_id is not None:
            get_or_raise(session, m.Region, plan.region_id)
        _require_free(session, plan, row_id=None)
        return add_care_plan(session, plan)


def update_care_plan(session: Session, principal: Principal, changes: Changes) -> CarePlan:
    """Change a plan from the version the caller read.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors, planners changing defaults.
    NotFoundError
        When the plan does not exist or is another region's.
    ConflictError
        When it changed since ``changes.version``, or the new action is taken.
    InvalidInputError
        When a field cannot be changed or the result breaks a rule.
    """
    unknown = sorted(set(changes.values) - CHANGEABLE_FIELDS)
    if unknown:
        raise InvalidInputError(f"a care plan's {', '.join(unknown)} cannot be changed")
    with transaction(session):
        row = get_changeable_care_plan(session, principal, changes.id, action="update care plans")
        check_version(row, changes.version, what="care plan")
        updated = replace(row.to_domain(), **changes.values)
        if updated.action != row.action:
            _require_free(session, updated, row_id=row.id)
        _write_fields(row, updated)
        return save(session, row).to_domain()


def delete_care_plan(session: Session, principal: Principal, plan_id: int, version: int) -> None:
    """Remove a plan (the pieces of its model get no more work of that action from it).

    Jobs it made stay: they are ordinary jobs.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors, planners deleting defaults.
    NotFoundError
        When the plan does not exist or is another region's.
    ConflictError
        When it changed since ``version``.
    """
    with transaction(session):
        row = get_changeable_care_plan(session, principal, plan_id, action="delete care plans")
        check_version(row, version, what="care plan")
        remove(session, row, what=f"care plan {plan_id}")


def add_care_plan(session: Session, plan: CarePlan) -> CarePlan:
    """Store a plan as given at version 1: for trusted loaders (the demo), no caller."""
    row = m.CarePlan(model_id=plan.model_id, region_id=plan.region_id)
    _write_fields(row, plan)
    return save(session, row).to_domain()


def plan_from_values(values: dict[str, Any]) -> CarePlan:
    """Build a plan from plain values (CLI, GraphQL): names of kinds, skills and actions.

    Raises
    ------
    InvalidInputError
        Naming the first value that is not a known job kind, skill or maintenance action, or
        the rule the plan breaks.
    """
    return CarePlan(**{**values, **parse_plan_values(values)})


def parse_plan_values(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the named parts of plan values (job kind, skills, actions, season) into types.

    Raises
    ------
    InvalidInputError
        For an unknown job kind, skill or maintenance action, or an incomplete season.
    """
    parsed: dict[str, Any] = {}
    if "job_kind" in values:
        parsed["job_kind"] = _enum(JobKind, values["job_kind"], "job kind")
    if "required_skills" in values:
        parsed["required_skills"] = parse_skills(list(values["required_skills"]))
    if "counted_actions" in values:
        parsed["counted_actions"] = frozenset(
            _enum(MaintenanceAction, a, "maintenance action") for a in values["counted_actions"]
        )
    if "season" in values and values["season"] is not None:
        season = values["season"]
        parsed["season"] = season if isinstance(season, Season) else Season(*season)
    return parsed


def _enum(kind: Any, value: object, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise InvalidInputError(f"unknown {what} {value!r}; known: {known}") from None


def _require_free(session: Session, plan: CarePlan, *, row_id: int | None) -> None:
    """Refuse a second plan for the same model, action and region (defaults: region NULL)."""
    lock_key(session, f"care-plan:{plan.model_id}:{plan.action}")
    region = (
        m.CarePlan.region_id.is_(None)
        if plan.region_id is None
        else m.CarePlan.region_id == plan.region_id
    )
    query = select(m.CarePlan.id).where(
        m.CarePlan.model_id == plan.model_id, m.CarePlan.action == plan.action, region
    )
    if row_id is not None:
        query = query.where(m.CarePlan.id != row_id)
    if session.scalar(query.limit(1)) is not None:
        whose = "as the default" if plan.region_id is None else f"in region {plan.region_id}"
        msg = f"model {plan.model_id} already has a {plan.action!r} plan {whose}; change that one"
        raise ConflictError(msg)


def _write_fields(row: m.CarePlan, plan: CarePlan) -> None:
    row.action, row.job_kind = plan.action, plan.job_kind.value
    row.interval_months = plan.interval_months
    row.minutes_per_piece, row.setup_minutes = plan.minutes_per_piece, plan.setup_minutes
    row.required_skills = sorted(skill.value for skill in plan.required_skills)
    row.people = plan.people
    row.season_start_month = None if plan.season is None else plan.season.start_month
    row.season_end_month = None if plan.season is None else plan.season.end_month
    row.counted_actions = sorted(action.value for action in plan.counted_actions)
