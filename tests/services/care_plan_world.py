"""A small care world: two regions, three sites in the first, a pine bench model, principals.

Each test adds the pieces and plans it is about, so what is due follows from the test alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import shapely
from shapely.geometry import Point
from sqlalchemy import select
from tests.helpers import OSLO_BOX

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.care import CarePlan, Season
from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import JobKind, MaintenanceAction
from sitecrew.domain.organisations import Region
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel, Site, SiteKind
from sitecrew.services import furniture as furniture_service
from sitecrew.services import organisations, sites
from sitecrew.services.care.plans import add_care_plan

ADMIN = Principal(Role.ADMIN)


@dataclass(frozen=True)
class CareWorld:
    """Ids of the care world's regions, sites and model."""

    region_id: int
    other_region_id: int
    site_ids: tuple[int, int, int]
    model_id: int

    def planner(self, *, other: bool = False) -> Principal:
        """Return a planner of the world's region (or of the other region)."""
        return Principal(Role.PLANNER, region_id=self.other_region_id if other else self.region_id)


def make_care_world(session, *, name: str = "Care") -> CareWorld:
    """Create two regions, three sites in the first and a pine bench model (no plans)."""
    region = organisations.create_region(session, Region(f"{name} region", OSLO_BOX))
    other = organisations.create_region(session, Region(f"{name} other region", OSLO_BOX))
    site_ids = []
    for index in range(3):
        x = 10.750 + index * 0.004
        site = sites.add_site(
            session,
            Site(
                f"{name} yard {index}",
                SiteKind.HOUSING_COOPERATIVE,
                Point(x, 59.925),
                region.id,
                area=shapely.box(x - 0.001, 59.924, x + 0.001, 59.926),
            ),
        )
        site_ids.append(site.id)
    model = furniture_service.add_furniture_model(
        session, FurnitureModel(f"{name} bench", FurnitureCategory.BENCH, "pine", 365)
    )
    return CareWorld(region.id, other.id, (site_ids[0], site_ids[1], site_ids[2]), model.id)


def add_piece(
    session,
    world: CareWorld,
    site_index: int,
    serial: str,
    *,
    installed: date = date(2020, 5, 1),
    grade: int = 0,
    oiled: date | None = None,
) -> int:
    """Add a bench at one of the world's sites, optionally with an oiling record; its id."""
    site_id = world.site_ids[site_index]
    x = 10.750 + site_index * 0.004
    piece = furniture_service.add_furniture(
        session,
        Furniture(site_id, world.model_id, serial, Point(x, 59.925), installed, grade),
    )
    if oiled is not None:
        session.add(
            m.MaintenanceRecord(
                furniture_id=piece.id,
                performed_on=oiled,
                action=MaintenanceAction.OILED.value,
            )
        )
        session.flush()
    return piece.id


def oil_plan(world: CareWorld, **changes) -> CarePlan:
    """Return the world model's oiling plan: yearly, April-September, 25 min + 10 setup."""
    values = {
        "interval_months": 12,
        "minutes_per_piece": 25,
        "setup_minutes": 10,
        "required_skills": frozenset({Skill.OILING}),
        "people": 1,
        "season": Season(4, 9),
        "counted_actions": frozenset({MaintenanceAction.OILED}),
        **changes,
    }
    return CarePlan(world.model_id, "oil", JobKind.OIL, **values)


def inspect_plan(world: CareWorld, **changes) -> CarePlan:
    """Return a yearly inspection plan without a season: 10 min + 5 setup, two people."""
    values = {
        "interval_months": 12,
        "minutes_per_piece": 10,
        "setup_minutes": 5,
        "required_skills": frozenset({Skill.INSPECTION}),
        "people": 2,
        "counted_actions": frozenset({MaintenanceAction.INSPECTED}),
        **changes,
    }
    return CarePlan(world.model_id, "inspect", JobKind.INSPECT, **values)


def store_plan(session, plan: CarePlan) -> CarePlan:
    """Store a plan as a trusted loader would."""
    return add_care_plan(session, plan)


def job_items(session, job_id: int) -> list[int]:
    """Return the ids of the pieces a job covers."""
    query = select(m.JobItem.furniture_id).where(m.JobItem.job_id == job_id)
    return sorted(session.scalars(query))
