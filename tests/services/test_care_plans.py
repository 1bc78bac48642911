"""Care plans as data (#17 item 1): who may write which plans, regional plans, typed refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.services.care_plan_world import ADMIN, inspect_plan, make_care_world, oil_plan

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.care import RegionSeason, Season
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services.care.defaults import default_plans
from sitecrew.services.care.plans import (
    create_care_plan,
    delete_care_plan,
    plan_from_values,
    update_care_plan,
)
from sitecrew.services.care.reading import list_care_plans, list_care_seasons
from sitecrew.services.care.seasons import clear_care_season, set_care_season
from sitecrew.services.sites import Changes

CREW = Principal(Role.CREW, crew_id=1)
CONTRACTOR = Principal(Role.CONTRACTOR, organisation_id=1)


def test_crews_and_contractors_cannot_create_plans(session):
    """Neither a default nor a region's own plan: both are refused for them."""
    world = make_care_world(session)
    for principal in (CREW, CONTRACTOR):
        for plan in (oil_plan(world), oil_plan(world, region_id=world.region_id)):
            with pytest.raises(PermissionDeniedError):
                create_care_plan(session, principal, plan)
        with pytest.raises(PermissionDeniedError):
            list_care_plans(session, principal)


def test_planners_write_their_regions_plans_only(session):
    """A planner creates its region's plan; not a default, not another region's."""
    world = make_care_world(session)
    planner = world.planner()
    with pytest.raises(PermissionDeniedError):
        create_care_plan(session, planner, oil_plan(world))
    with pytest.raises(PermissionDeniedError):
        create_care_plan(session, planner, oil_plan(world, region_id=world.other_region_id))
    own = create_care_plan(session, planner, oil_plan(world, region_id=world.region_id))
    assert own.region_id == world.region_id
    other = world.planner(other=True)
    with pytest.raises(NotFoundError):  # another region's plan is not even there for it
        update_care_plan(session, other, Changes(own.id, own.version, {"people": 2}))
    with pytest.raises(PermissionDeniedError):
        set_care_season(session, other, RegionSeason(world.region_id, "oil", Season(5, 8)))


def test_a_regions_own_plan_replaces_the_default_there(session):
    """In force in the region: its own oiling plan and the default inspection; elsewhere both."""
    world = make_care_world(session)
    create_care_plan(session, ADMIN, oil_plan(world))
    create_care_plan(session, ADMIN, inspect_plan(world))
    create_care_plan(
        session, world.planner(), oil_plan(world, region_id=world.region_id, interval_months=6)
    )
    set_care_season(session, world.planner(), RegionSeason(world.region_id, "oil", Season(5, 8)))

    here = {p.action: p for p in list_care_plans(session, ADMIN, region_id=world.region_id)}
    assert (here["oil"].interval_months, here["oil"].season) == (6, Season(5, 8))
    assert here["inspect"].region_id is None
    there = {p.action: p for p in list_care_plans(session, ADMIN, region_id=world.other_region_id)}
    assert (there["oil"].interval_months, there["oil"].season) == (12, Season(4, 9))
    assert len(list_care_plans(session, world.planner())) == 3
    assert list_care_plans(session, world.planner(other=True)) == [
        p for p in list_care_plans(session, ADMIN) if p.region_id is None
    ]
    assert [s.region_id for s in list_care_seasons(session, world.planner(other=True))] == []
    clear_care_season(session, world.planner(), world.region_id, "oil")
    here = {p.action: p for p in list_care_plans(session, ADMIN, region_id=world.region_id)}
    assert here["oil"].season == Season(4, 9)


def test_plans_change_from_the_version_read_and_duplicates_conflict(session):
    """A stale version, a second default for the same action, a fixed field: typed refusals."""
    world = make_care_world(session)
    plan = create_care_plan(session, ADMIN, oil_plan(world))
    with pytest.raises(ConflictError):
        create_care_plan(session, ADMIN, oil_plan(world))
    changed = update_care_plan(session, ADMIN, Changes(plan.id, plan.version, {"people": 2}))
    assert (changed.people, changed.version) == (2, 2)
    with pytest.raises(ConflictError):
        update_care_plan(session, ADMIN, Changes(plan.id, plan.version, {"people": 3}))
    with pytest.raises(InvalidInputError):
        update_care_plan(session, ADMIN, Changes(plan.id, 2, {"model_id": 99}))
    with pytest.raises(InvalidInputError):
        update_care_plan(session, ADMIN, Changes(plan.id, 2, {"interval_months": 0}))
    delete_care_plan(session, ADMIN, plan.id, 2)
    assert list_care_plans(session, ADMIN) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interval_months": 0}, "interval"),
        ({"minutes_per_piece": 0}, "minutes per piece"),
        ({"people": 11}, "people"),
        ({"action": "Oil!"}, "care action"),
        ({"season": (13, 2)}, "season start month"),
        ({"required_skills": ["juggling"]}, "juggling"),
        ({"job_kind": "paint"}, "job kind"),
        ({"counted_actions": ["painted"]}, "maintenance action"),
    ],
)
def test_bad_plan_values_are_input_errors(changes, message):
    """Each broken rule names itself; nothing reaches the database."""
    values = {
        "model_id": 1,
        "action": "oil",
        "job_kind": "oil",
        "interval_months": 12,
        "minutes_per_piece": 25,
        **changes,
    }
    with pytest.raises(InvalidInputError, match=message):
        plan_from_values(values)


def test_wooden_models_are_oiled_in_dry_months_and_metal_ones_inspected():
    """The catalogue's defaults: oil, inspect, tighten for wood; inspect, tighten for metal."""
    wood = {plan.action: plan for plan in default_plans(1, "larch", 540)}
    assert set(wood) == {"oil", "inspect", "tighten_fixings"}
    assert (wood["oil"].interval_months, wood["oil"].season) == (18, Season(4, 9))
    metal = {plan.action: plan for plan in default_plans(2, "corten steel", 730)}
    assert set(metal) == {"inspect", "tighten_fixings"}
    assert metal["inspect"].interval_months == 24


def test_plans_are_frozen_values():
    """Changing a plan is replace(): its validation runs again."""
    plan = plan_from_values(
        {
            "model_id": 1,
            "action": "oil",
            "job_kind": "oil",
            "interval_months": 12,
            "minutes_per_piece": 25,
        }
    )
    with pytest.raises(InvalidInputError):
        replace(plan, setup_minutes=-1)
