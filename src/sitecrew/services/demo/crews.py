"""Depots, crews and members for the demo (names invented, trainees marked)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from shapely.geometry import Point

from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot
from sitecrew.services import crews
from sitecrew.services.demo.catalogue import (
    CREWS,
    DEPOTS,
    FIRST_NAMES,
    LAST_NAMES,
    LUNCH_EARLIEST,
    LUNCH_LATEST,
    LUNCH_MINUTES,
)

if TYPE_CHECKING:
    import random

    from sqlalchemy.orm import Session

    from sitecrew.services.demo.world import DemoWorld


def create_crews(session: Session, world: DemoWorld, *, today: date, rng: random.Random) -> int:
    """Create the depots, every crew and its members; return the number of members."""
    region_id = world.region.id or 0
    depot_ids = {
        key: crews.create_depot(session, Depot(name, region_id, Point(lon, lat), address)).id
        for key, (name, lon, lat, address) in DEPOTS.items()
    }
    members = 0
    for spec in CREWS:
        crew = crews.create_crew(
            session,
            Crew(
                spec.name,
                region_id,
                depot_ids[spec.depot] or 0,
                shift_start=spec.shift[0],
                shift_end=spec.shift[1],
                lunch_minutes=LUNCH_MINUTES,
                lunch_earliest=LUNCH_EARLIEST,
                lunch_latest=LUNCH_LATEST,
                max_jobs_per_day=spec.max_jobs,
                skills=spec.skills,
                organisation_id=world.organisation_ids[spec.employer],
            ),
        )
        for index in range(spec.members):
            trainee = index >= spec.members - spec.trainees
            role = CrewRole.LEAD if index == 0 else CrewRole.TRAINEE if trainee else CrewRole.MEMBER
            completed = None if trainee else today - timedelta(days=rng.randint(60, 2000))
            crews.add_crew_member(
                session,
                CrewMember(
                    crew.id or 0,
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role,
                    spec.skills,
                    completed,
                ),
            )
            members += 1
    return members
