"""Reading care plans and seasons, and the plans in force in a region.

The plan in force for a model and action in a region is the region's own if it has one, else
the catalogue's default; the region's own season for the action, if any, replaces the plan's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from sitecrew.db import models as m
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.services.scoping import (
    readable_care_plans,
    readable_care_seasons,
    require_region_planner,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.care import CarePlan, RegionSeason


def list_care_plans(
    session: Session,
    principal: Principal,
    *,
    region_id: int | None = None,
    model_id: int | None = None,
) -> list[CarePlan]:
    """Return the plans the caller reads, by model and action.

    With ``region_id``: the plans in force there (the region's own, else the default), with the
    region's seasons applied; without: every plan the caller reads, defaults and regional.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors, or a planner asking about another region.
    NotFoundError
        When the region does not exist.
    """
    action = "read care plans"
    clause = readable_care_plans(principal, action=action)
    if region_id is None:
        query = select(m.CarePlan).where(clause)
        if model_id is not None:
            query = query.where(m.CarePlan.model_id == model_id)
        rows = session.scalars(query.order_by(m.CarePlan.model_id, m.CarePlan.action))
        return [row.to_domain() for row in rows]
    require_region_planner(principal, region_id, action=action)
    get_or_raise(session, m.Region, region_id)
    plans = plans_in_force(session, region_id)
    return [plan for plan in plans if model_id is None or plan.model_id == model_id]


def list_care_seasons(
    session: Session, principal: Principal, *, region_id: int | None = None
) -> list[RegionSeason]:
    """Return the regions' own seasons the caller reads (admins: all; planners: their own).

    Raises
    ------
    PermissionDeniedError
        For crews and contractors.
    """
    query = select(m.CareSeason).where(readable_care_seasons(principal, action="read seasons"))
    if region_id is not None:
        query = query.where(m.CareSeason.region_id == region_id)
    rows = session.scalars(query.order_by(m.CareSeason.region_id, m.CareSeason.action))
    return [row.to_domain() for row in rows]


def plans_in_force(session: Session, region_id: int) -> list[CarePlan]:
    """Return the plans that apply in a region, seasons applied (trusted: no caller).

    Returns
    -------
    list[CarePlan]
        One per model and action, ordered by model and action.
    """
    rows = session.scalars(
        select(m.CarePlan).where(
            or_(m.CarePlan.region_id.is_(None), m.CarePlan.region_id == region_id)
        )
    )
    chosen: dict[tuple[int, str], CarePlan] = {}
    for row in rows:
        plan = row.to_domain()
        key = (plan.model_id, plan.action)
        if key not in chosen or plan.region_id is not None:
            chosen[key] = plan
    seasons = {
        row.action: row.to_domain().season
        for row in session.scalars(select(m.CareSeason).where(m.CareSeason.region_id == region_id))
    }
    return [
        replace(plan, season=seasons.get(plan.action, plan.season))
        for _, plan in sorted(chosen.items())
    ]
