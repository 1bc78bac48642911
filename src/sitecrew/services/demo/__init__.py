"""The demo world: real OpenStreetMap places, invented people, deterministic for a seed.

``load_demo`` reads an extract (central Oslo by default) and writes, in one transaction: the
region as ``sitecrew region add`` makes it (its box, OSM address points and place areas),
organisations, six districts (two bound to a contractor), apartment buildings
with about 22,000 estimated apartments and tenants, schoolyard, housing-cooperative and park
sites with furniture and years of maintenance history, a depot, crews with trainees, and the
open work of a week (due furniture care and booked media-box installations).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.base import Base
from sitecrew.db.engine import transaction
from sitecrew.domain.organisations import slug_from_title
from sitecrew.errors import ConflictError
from sitecrew.services.care.codes import seed_wear_codes
from sitecrew.services.demo.crews import create_crews
from sitecrew.services.demo.furniture import create_models, create_sites_and_furniture
from sitecrew.services.demo.housing import choose_buildings, create_housing, home_locations
from sitecrew.services.demo.jobs import create_furniture_jobs, create_installation_bookings
from sitecrew.services.demo.world import create_world
from sitecrew.services.progress import ProgressCallback, no_progress
from sitecrew.services.region_setup import NewRegion, add_region_from_source, read_region_source

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from sqlalchemy.orm import Session

DEFAULT_TARGET_FLATS = 22_000


@dataclass(frozen=True)
class DemoSummary:
    """What the demo load wrote."""

    region: str
    districts: int
    buildings: int
    apartments: int
    sites: int
    furniture: int
    maintenance_records: int
    crews: int
    crew_members: int
    jobs: int
    appointments: int


def load_demo(
    session: Session,
    extract: Path,
    *,
    region_name: str,
    plan_day: date,
    street_region: str | None = "oslo",
    seed: int = 2018,
    target_flats: int = DEFAULT_TARGET_FLATS,
    replace: bool = False,
    progress: ProgressCallback = no_progress,
) -> DemoSummary:
    """Load the demo world from ``extract`` into an empty (or, with ``replace``, wiped) database.

    Raises
    ------
    ConflictError
        When the database already holds data and ``replace`` is false.
    NotFoundError
        When the extract does not exist.
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
    _check_room(session, replace=replace)
    # The region as `sitecrew region add` makes it (boundary, address points, place areas);
    # its streets come from the manifest region `street_region` when one is named.
    command = NewRegion(
        slug=street_region or slug_from_title(region_name),
        extract=extract,
        title=region_name,
        street_region=street_region,
    )
    source = read_region_source(command, progress=progress)
    places = source.places
    with transaction(session):
        _make_room(session, replace=replace)
        region = add_region_from_source(session, command, source, progress=progress).region
        chosen = choose_buildings(places.buildings, target_flats=target_flats, rng=rng)
        world = create_world(session, region=region, homes=home_locations(chosen))
        create_housing(session, world, chosen, rng=rng, progress=progress)
        models = create_models(session, world.organisation_ids["maker"])
        seed_wear_codes(session)  # the families' wear codes (issue 17), shared by every region
        create_sites_and_furniture(
            session, world, places, models, today=plan_day, rng=rng, progress=progress
        )
        progress("Crews and work", 0, 3)
        create_crews(session, world, today=plan_day, rng=rng)
        progress("Crews and work", 1, 3)
        create_furniture_jobs(session, world, today=plan_day)
        progress("Crews and work", 2, 3)
        create_installation_bookings(session, world, plan_day=plan_day, rng=rng)
        progress("Crews and work", 3, 3)
        return summarise(session, region_name)


def summarise(session: Session, region_name: str) -> DemoSummary:
    """Count what the database holds, per kind of entity."""

    def count(model: type[Base]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return DemoSummary(
        region=region_name,
        districts=count(m.District),
        buildings=count(m.Building),
        apartments=count(m.Apartment),
        sites=count(m.Site),
        furniture=count(m.Furniture),
        maintenance_records=count(m.MaintenanceRecord),
        crews=count(m.Crew),
        crew_members=count(m.CrewMember),
        jobs=count(m.Job),
        appointments=count(m.Appointment),
    )


def _check_room(session: Session, *, replace: bool) -> None:
    if not replace and session.scalar(select(func.count()).select_from(m.Organisation)):
        msg = (
            "the database already holds data and was left as it is: use --replace to wipe "
            "EVERYTHING (tokens, routes, edits) and load the demo, or `sitecrew demo start` to "
            "keep it and get a planner token"
        )
        raise ConflictError(msg)


def _make_room(session: Session, *, replace: bool) -> None:
    _check_room(session, replace=replace)
    if replace:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
