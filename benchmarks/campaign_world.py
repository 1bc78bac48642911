"""The campaign replay's world: the demo region in a fresh database, made ready for a campaign.

``build_world`` loads the demo (22,010 apartments in six districts of Oslo's centre; the two
eastern districts belong to the contractor) into a fresh SpatiaLite file or PostGIS database,
then turns it into the campaign's setting:

- the region follows Swedish public holidays (``country = "SE"``);
- the demo's own work is taken away (its jobs and appointments cancelled) and its crews retired
  the day before the campaign starts, so the day planner sees only campaign visits and crews;
- ten pairs of newly trained installers of the housing company (20 people) at its depot, and
  the contractor's five people as five one-person crews at the contractor's depot (why five
  singles: a media box is a one-person job, so five singles install as much as two and a half
  pairs would, and the contractor's share of the crews, 5 of 15, matches its share of the
  homes; pairs would leave the eastern districts the campaign's bottleneck);
- every installer's ``training_completed_on`` is the start + 7 days: the first week is the
  seven-day course.

The built world is cached as a file (SpatiaLite) so repeated replays skip the demo load.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

from sqlalchemy import func, select, update

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, refresh_statistics, session_factory
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Skill
from sitecrew.services import crews
from sitecrew.services.demo import load_demo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

REGION_NAME = "Oslo sentrum"
#: Installers work 08:00-16:00 with a 30-minute lunch starting between 11:00 and 13:00.
SHIFT = (clock(8, 0), clock(16, 0))
LUNCH_MINUTES = 30
LUNCH_EARLIEST, LUNCH_LATEST = clock(11, 0), clock(13, 0)
OWN_PAIRS = 10
CONTRACTOR_SINGLES = 5
TRAINING_DAYS = 7
SKILLS = frozenset({Skill.MEDIA_BOX, Skill.DRIVING})


@dataclass(frozen=True)
class CampaignWorld:
    """What the replay needs from the world: where it is and the ids it plans with."""

    url: str
    region_id: int
    crew_ids: tuple[int, ...]
    contractor_crew_ids: tuple[int, ...]
    contractor_id: int
    contractor_district_ids: tuple[int, ...]
    district_ids: tuple[int, ...]
    daily_work_minutes: float
    setup_s: float


def build_world(path: Path, extract: Path, *, start: date, cache: Path | None) -> CampaignWorld:
    """Build (or copy from ``cache``) the demo world in the SpatiaLite file ``path``."""
    began = time.perf_counter()
    url = demo_database(path, extract, plan_day=start, cache=cache)
    engine = engine_from_url(url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        world = _campaign_setting(session, url, start)
    refresh_statistics(engine)
    engine.dispose()
    return CampaignWorld(**{**world.__dict__, "setup_s": time.perf_counter() - began})


def demo_database(path: Path, extract: Path, *, plan_day: date, cache: Path | None) -> str:
    """Load the demo centred on ``plan_day`` into the SpatiaLite file ``path``; return its URL.

    The loaded file is copied to ``cache`` and copied back on the next call (the demo load is
    the slow part of a replay's setup); the cache must have been made with the same day.
    """
    path.unlink(missing_ok=True)
    if cache is not None and cache.exists():
        shutil.copyfile(cache, path)
    url = f"sqlite:///{path}"
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        loaded = bool(session.scalar(select(func.count()).select_from(m.Region)))
    if not loaded:
        with sessions.begin() as session:
            load_demo(session, extract, region_name=REGION_NAME, plan_day=plan_day)
        refresh_statistics(engine)
        if cache is not None:
            engine.dispose()
            shutil.copyfile(path, cache)
    engine.dispose()
    return url


def _campaign_setting(session: Session, url: str, start: date) -> CampaignWorld:
    region = session.scalars(select(m.Region)).one()
    region.country = "SE"
    session.execute(
        update(m.Appointment)
        .where(m.Appointment.status.in_(("proposed", "confirmed")))
        .values(status="cancelled")
    )
    session.execute(
        update(m.Job)
        .where(m.Job.status.in_(("open", "scheduled", "blocked")))
        .values(status="cancelled")
    )
    session.execute(
        update(m.Crew)
        .where(m.Crew.region_id == region.id)
        .values(active_until=start - timedelta(days=1))
    )
    contractor = session.scalars(
        select(m.Organisation).where(m.Organisation.kind == "contractor")
    ).one()
    housing = session.scalars(
        select(m.Organisation).where(m.Organisation.name == "Oslo Bolig AS")
    ).one()
    main_depot = session.scalars(
        select(m.Depot).where(m.Depot.name == "Verksted Grünerløkka")
    ).one()
    their_depot = session.scalars(
        select(m.Depot).where(m.Depot.name == "Nett & Montasje lager")
    ).one()
    trained = start + timedelta(days=TRAINING_DAYS)
    own = [
        _crew(session, f"Campaign pair {n:02d}", region.id, main_depot.id, housing.id, 2, trained)
        for n in range(1, OWN_PAIRS + 1)
    ]
    hired = [
        _crew(
            session, f"Contractor single {n}", region.id, their_depot.id, contractor.id, 1, trained
        )
        for n in range(1, CONTRACTOR_SINGLES + 1)
    ]
    districts = session.execute(
        select(m.District.id, m.District.contractor_id).where(m.District.region_id == region.id)
    ).all()
    session.flush()
    return CampaignWorld(
        url=url,
        region_id=region.id,
        crew_ids=tuple(own + hired),
        contractor_crew_ids=tuple(hired),
        contractor_id=contractor.id,
        contractor_district_ids=tuple(d for d, c in districts if c == contractor.id),
        district_ids=tuple(d for d, _ in districts),
        daily_work_minutes=_minutes(SHIFT[1]) - _minutes(SHIFT[0]) - LUNCH_MINUTES,
        setup_s=0.0,
    )


def _minutes(moment: clock) -> float:
    return moment.hour * 60 + moment.minute


def _crew(  # noqa: PLR0917 (a crew's facts, all needed)
    session: Session,
    name: str,
    region_id: int,
    depot_id: int,
    organisation_id: int,
    size: int,
    trained: date,
) -> int:
    crew = crews.create_crew(
        session,
        Crew(
            name,
            region_id,
            depot_id,
            shift_start=SHIFT[0],
            shift_end=SHIFT[1],
            lunch_minutes=LUNCH_MINUTES,
            lunch_earliest=LUNCH_EARLIEST,
            lunch_latest=LUNCH_LATEST,
            max_jobs_per_day=40,
            skills=SKILLS,
            organisation_id=organisation_id,
            min_members=size,
        ),
    )
    crew_id = crew.id or 0
    for index in range(size):
        role = CrewRole.LEAD if index == 0 else CrewRole.MEMBER
        crews.add_crew_member(
            session,
            CrewMember(crew_id, f"{name} installer {index + 1}", role, SKILLS, trained),
        )
    return crew_id
