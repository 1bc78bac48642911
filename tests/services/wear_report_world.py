"""A hand-built world for the wear report (#17 item 5), small enough to count by hand.

Region "Wear" holds a housing cooperative in a district (yard A) and a schoolyard with no
district (yard B); a second region holds one more bench (yard C). The report is about the pine
bench model over 2025, with a yearly oiling plan:

- P1 at A, installed 2015-06-01: TG2 (May) and TG3 (Sep) in 2025; coded repairs slats/cracking
  (2025-09-10) and fixings/loose (2025-10-01); oiled 2024-05-01 and 2025-06-15 (410 days: late).
- P2 at A, installed 2020-03-01: TG1 in 2024 (outside), TG0 in 2025; a ``repaired`` record on
  2024-04-01 (no coded repair); oiled 2024-06-01 and 2025-05-20 (353 days: on time).
- P3 at B, installed 2024-07-01: TG1 and TGIU in 2025; coded repair slats/cracking 2025-06-01.
- P4 at B, installed 2023-01-01: nothing recorded (censored at the period's end).
- P5 at B, installed 2026-01-10: after the period, not in service.
- A planter at A (another model) with a TG0 inspection and a repair: never counted.
- P6 at C (the other region), installed 2019-01-01, with a coded repair in 2025.
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
from sitecrew.domain.jobs import Job, JobKind, JobTarget, MaintenanceAction
from sitecrew.domain.organisations import District, Region
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel, Site, SiteKind
from sitecrew.services import furniture as furniture_service
from sitecrew.services import jobs, organisations, sites
from sitecrew.services.care.codes import seed_wear_codes
from sitecrew.services.care.plans import add_care_plan

START = date(2025, 1, 1)
END = date(2025, 12, 31)


@dataclass(frozen=True)
class WearWorld:
    """Ids of the wear world."""

    region_id: int
    other_region_id: int
    model_id: int
    planter_model_id: int
    yard_a: int
    yard_b: int
    pieces: dict[str, int]

    @property
    def planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.region_id)

    @property
    def other_planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.other_region_id)


def _code(session, family: str, level: str, path: str) -> int:
    query = select(m.WearCode.id).where(
        m.WearCode.family == family, m.WearCode.level == level, m.WearCode.path == path
    )
    return session.scalar(query)


def _site(session, region_id, name, kind, x, *, district_id=None) -> int:
    site = sites.add_site(
        session,
        Site(
            name,
            kind,
            Point(x, 59.925),
            region_id,
            area=shapely.box(x - 0.001, 59.924, x + 0.001, 59.926),
            district_id=district_id,
        ),
    )
    return site.id


def build_wear_world(session, name: str = "Wear") -> WearWorld:
    """Create the world described above and return its ids."""
    seed_wear_codes(session)
    region = organisations.create_region(session, Region(f"{name} region", OSLO_BOX))
    other = organisations.create_region(session, Region(f"{name} other region", OSLO_BOX))
    district = organisations.create_district(
        session, District(f"{name} district", region.id, shapely.box(10.74, 59.92, 10.77, 59.93))
    )
    yard_a = _site(
        session,
        region.id,
        f"{name} yard A",
        SiteKind.HOUSING_COOPERATIVE,
        10.750,
        district_id=district.id,
    )
    yard_b = _site(session, region.id, f"{name} yard B", SiteKind.SCHOOLYARD, 10.754)
    yard_c = _site(session, other.id, f"{name} yard C", SiteKind.PARK, 10.758)
    model = furniture_service.add_furniture_model(
        session, FurnitureModel(f"{name} bench", FurnitureCategory.BENCH, "pine", 365)
    )
    planter = furniture_service.add_furniture_model(
        session, FurnitureModel(f"{name} planter", FurnitureCategory.PLANTER, "corten steel", 730)
    )
    add_care_plan(
        session,
        CarePlan(
            model.id,
            "oil",
            JobKind.OIL,
            interval_months=12,
            minutes_per_piece=25,
            season=Season(4, 9),
            counted_actions=frozenset({MaintenanceAction.OILED}),
        ),
    )
    job = jobs.add_job(
        session,
        Job(
            JobKind.INSPECT, JobTarget(site_id=yard_a), region.id, 20, frozenset({Skill.INSPECTION})
        ),
    )

    def piece(serial: str, site_id: int, installed: date, model_id: int = model.id) -> int:
        stored = furniture_service.add_furniture(
            session,
            Furniture(site_id, model_id, f"{name}-{serial}", Point(10.75, 59.925), installed),
        )
        return stored.id

    ids = {
        "P1": piece("P1", yard_a, date(2015, 6, 1)),
        "P2": piece("P2", yard_a, date(2020, 3, 1)),
        "P3": piece("P3", yard_b, date(2024, 7, 1)),
        "P4": piece("P4", yard_b, date(2023, 1, 1)),
        "P5": piece("P5", yard_b, date(2026, 1, 10)),
        "planter": piece("planter", yard_a, date(2018, 4, 1), planter.id),
        "P6": piece("P6", yard_c, date(2019, 1, 1)),
    }

    def inspect(key: str, day: date, grade: str) -> None:
        session.add(
            m.Inspection(furniture_id=ids[key], job_id=job.id, inspected_on=day, grade=grade)
        )

    def repair(key: str, day: date, part: str, mode: str, family: str = "bench") -> None:
        mode_path = f"{part}/{mode}"
        cause = session.scalar(
            select(m.WearCode.id)
            .where(
                m.WearCode.family == family,
                m.WearCode.level == "cause",
                m.WearCode.path.like(f"{mode_path}/%"),
            )
            .order_by(m.WearCode.id)
        )
        remedy = session.scalar(
            select(m.WearCode.id)
            .where(
                m.WearCode.family == family,
                m.WearCode.level == "remedy",
                m.WearCode.path.like(f"{mode_path}/%"),
            )
            .order_by(m.WearCode.id)
        )
        session.add(
            m.Repair(
                furniture_id=ids[key],
                job_id=job.id,
                performed_on=day,
                part_id=_code(session, family, "part", part),
                failure_mode_id=_code(session, family, "failure_mode", mode_path),
                cause_id=cause,
                remedy_id=remedy,
            )
        )

    def record(key: str, day: date, action: MaintenanceAction) -> None:
        session.add(
            m.MaintenanceRecord(furniture_id=ids[key], performed_on=day, action=action.value)
        )

    inspect("P1", date(2025, 5, 1), "TG2")
    inspect("P1", date(2025, 9, 1), "TG3")
    inspect("P2", date(2024, 5, 1), "TG1")
    inspect("P2", date(2025, 4, 2), "TG0")
    inspect("P3", date(2025, 3, 3), "TG1")
    inspect("P3", date(2025, 8, 8), "TGIU")
    inspect("planter", date(2025, 5, 5), "TG0")
    repair("P1", date(2025, 9, 10), "slats", "cracking")
    repair("P1", date(2025, 10, 1), "fixings", "loose")
    repair("P3", date(2025, 6, 1), "slats", "cracking")
    repair("P6", date(2025, 7, 1), "slats", "rot")
    repair("planter", date(2025, 7, 7), "body", "dent", family="planter")
    record("P2", date(2024, 4, 1), MaintenanceAction.REPAIRED)
    for key, day in (
        ("P1", date(2024, 5, 1)),
        ("P1", date(2025, 6, 15)),
        ("P2", date(2024, 6, 1)),
        ("P2", date(2025, 5, 20)),
    ):
        record(key, day, MaintenanceAction.OILED)
    session.flush()
    return WearWorld(region.id, other.id, model.id, planter.id, yard_a, yard_b, ids)
