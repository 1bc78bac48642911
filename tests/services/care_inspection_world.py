"""A small world for inspections, repairs and photos (issue 17, items 3-4), on any session.

One region with a yard holding two benches and a planter, the wear codes seeded, crew A with a
published route of today visiting the yard (an inspect job on the site: one visit for all its
items), crew B with its own route of today (a job on the planter), a job on no route, and a
second region for a planner who must not see any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import Point
from tests.helpers import make_world

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.crews import Crew, Skill
from sitecrew.domain.jobs import Job, JobKind, JobTarget
from sitecrew.domain.organisations import Region
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel
from sitecrew.services import crews, jobs, organisations
from sitecrew.services import furniture as furniture_service
from sitecrew.services.care.codes import seed_wear_codes

TIMEZONE = "Europe/Oslo"


@dataclass(frozen=True)
class CareWorld:
    """Ids and principals of the care world."""

    region_id: int
    bench_id: int
    second_bench_id: int
    planter_id: int
    site_job_id: int
    planter_job_id: int
    unrouted_job_id: int
    crew_id: int
    other_crew_id: int
    contractor_id: int
    other_region_id: int

    @property
    def crew(self) -> Principal:
        return Principal(Role.CREW, crew_id=self.crew_id, timezone=TIMEZONE)

    @property
    def other_crew(self) -> Principal:
        return Principal(Role.CREW, crew_id=self.other_crew_id, timezone=TIMEZONE)

    @property
    def planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.region_id)

    @property
    def other_planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.other_region_id)

    @property
    def contractor(self) -> Principal:
        return Principal(Role.CONTRACTOR, organisation_id=self.contractor_id)

    @property
    def admin(self) -> Principal:
        return Principal(Role.ADMIN)


def _route_today(session, crew_id: int, job_id: int) -> None:
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    route = m.Route(crew_id=crew_id, service_date=today, status="published")
    session.add(route)
    session.flush()
    start = datetime.now(UTC).replace(microsecond=0)
    session.add(
        m.RouteStop(
            route_id=route.id,
            sequence=1,
            kind="job",
            job_id=job_id,
            arrival_at=start,
            departure_at=start + timedelta(minutes=30),
        )
    )
    session.flush()


def build_care_world(session) -> CareWorld:
    """Create the world through the services (and routes as the planner publishes them)."""
    world = make_world(session)
    seed_wear_codes(session)
    region_id = world.region.id
    second = furniture_service.add_furniture(
        session,
        Furniture(
            world.site.id, world.model.id, "SN-0002", Point(10.7607, 59.9263), date(2019, 5, 1)
        ),
    )
    planter_model = furniture_service.add_furniture_model(
        session, FurnitureModel("Planter test", FurnitureCategory.PLANTER, "corten steel", 730)
    )
    planter = furniture_service.add_furniture(
        session,
        Furniture(
            world.site.id, planter_model.id, "SN-P001", Point(10.7608, 59.9264), date(2020, 4, 1)
        ),
    )

    def job(target: JobTarget, kind: JobKind = JobKind.INSPECT) -> int:
        stored = jobs.add_job(
            session, Job(kind, target, region_id, 20, frozenset({Skill.INSPECTION}))
        )
        return stored.id

    site_job = job(JobTarget(site_id=world.site.id))
    planter_job = job(JobTarget(furniture_id=planter.id))
    unrouted_job = job(JobTarget(furniture_id=world.furniture.id))
    other_crew = crews.create_crew(
        session,
        Crew("Care team B", region_id, world.depot.id, shift_start=time(7), shift_end=time(15)),
    )
    _route_today(session, world.crew.id, site_job)
    _route_today(session, other_crew.id, planter_job)
    other_region = organisations.create_region(
        session, Region("Bergen test", shapely.box(5.30, 60.37, 5.35, 60.40))
    )
    return CareWorld(
        region_id=region_id,
        bench_id=world.furniture.id,
        second_bench_id=second.id,
        planter_id=planter.id,
        site_job_id=site_job,
        planter_job_id=planter_job,
        unrouted_job_id=unrouted_job,
        crew_id=world.crew.id,
        other_crew_id=other_crew.id,
        contractor_id=world.contractor.id,
        other_region_id=other_region.id,
    )
