"""Builders of small, valid worlds for database tests (central Oslo coordinates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import shapely
from shapely.geometry import Point

from sitecrew.domain.buildings import Apartment, Building, TenantContact
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot, Skill
from sitecrew.domain.jobs import Job, JobKind, JobTarget
from sitecrew.domain.organisations import District, Organisation, OrganisationKind, Region
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel, Site, SiteKind
from sitecrew.services import buildings, crews, jobs, organisations, sites
from sitecrew.services import furniture as furniture_service

#: The API world of each backend, once built (see tests/api/conftest.py).
API_WORLDS: dict[str, object] = {}

OSLO_BOX = shapely.box(10.72, 59.90, 10.78, 59.94)
GRUNERLOKKA = shapely.box(10.745, 59.917, 10.778, 59.936)


@dataclass(frozen=True)
class World:
    """Ids of one of each entity, linked as in real use."""

    owner: Organisation
    contractor: Organisation
    region: Region
    district: District
    site: Site
    model: FurnitureModel
    furniture: Furniture
    building: Building
    apartment: Apartment
    depot: Depot
    crew: Crew
    member: CrewMember
    job: Job


def make_world(session) -> World:
    """Create one of each entity through the services and return them."""
    owner = organisations.create_organisation(
        session, Organisation("Grünerløkka Borettslag", OrganisationKind.OWNER)
    )
    contractor = organisations.create_organisation(
        session, Organisation("Installasjon AS", OrganisationKind.CONTRACTOR)
    )
    region = organisations.create_region(session, Region("Oslo test", OSLO_BOX))
    district = organisations.create_district(
        session, District("Grünerløkka", region.id, GRUNERLOKKA, contractor_id=contractor.id)
    )
    site = sites.add_site(
        session,
        Site(
            "Birkelunden yard",
            SiteKind.HOUSING_COOPERATIVE,
            Point(10.7605, 59.9262),
            region.id,
            area=shapely.box(10.760, 59.926, 10.761, 59.9265),
            address="Seilduksgata 1",
            owner_id=owner.id,
            district_id=district.id,
            access_notes="Gate code 1234",
        ),
    )
    model = furniture_service.add_furniture_model(
        session, FurnitureModel("Park bench classic", FurnitureCategory.BENCH, "pine", 365)
    )
    furniture = furniture_service.add_furniture(
        session,
        Furniture(site.id, model.id, "SN-0001", Point(10.7606, 59.9263), date(2019, 5, 1), 1),
    )
    building = buildings.create_building(
        session,
        Building(
            region.id,
            Point(10.7590, 59.9250),
            footprint=shapely.box(10.7588, 59.9249, 10.7592, 59.9251),
            address="Thorvald Meyers gate 40",
            levels=5,
            entrances=(Point(10.7589, 59.9250),),
            district_id=district.id,
            osm_id=123456,
        ),
    )
    apartment = buildings.create_apartment(
        session,
        Apartment(building.id, "H0201", 2, TenantContact("Kari Nordmann", "+47 900 00 000")),
    )
    depot = crews.create_depot(
        session, Depot("Workshop Økern", region.id, Point(10.7700, 59.9280), "Økernveien 1")
    )
    crew = crews.create_crew(
        session,
        Crew(
            "Care team A",
            region.id,
            depot.id,
            shift_start=time(7, 30),
            shift_end=time(15, 30),
            skills=frozenset({Skill.OILING, Skill.CARPENTRY}),
        ),
    )
    member = crews.add_crew_member(
        session, CrewMember(crew.id, "Ola Hansen", CrewRole.TRAINEE, frozenset({Skill.OILING}))
    )
    job = jobs.add_job(
        session,
        Job(
            JobKind.OIL,
            JobTarget(furniture_id=furniture.id),
            region.id,
            25,
            frozenset({Skill.OILING}),
            due_on=date(2026, 6, 1),
        ),
    )
    return World(
        owner,
        contractor,
        region,
        district,
        site,
        model,
        furniture,
        building,
        apartment,
        depot,
        crew,
        member,
        job,
    )


def run_sitecrew(*args: str, cwd, **settings: str):
    """Run the ``sitecrew`` command in a child process with extra environment ``settings``.

    Returns the completed process (exit code, stdout and stderr as text); never raises for a
    non-zero exit, so tests can check refusals.
    """
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "sitecrew", *args],
        cwd=cwd,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
