"""Open work for the demo: furniture that is due, and booked media-box installations.

Jobs are derived from the generated state (overdue oiling, bad condition grades) rather than
drawn independently, so the demo plans the work a real planner would see.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from sitecrew.db import models as m
from sitecrew.domain.buildings import InstallationStatus
from sitecrew.domain.jobs import (
    DEFAULT_MINUTES,
    DEFAULT_SKILLS,
    AppointmentStatus,
    JobKind,
    JobStatus,
)
from sitecrew.services.demo.catalogue import OILED_MATERIALS

if TYPE_CHECKING:
    import random

    from sqlalchemy.orm import Session

    from sitecrew.services.demo.world import DemoWorld

OSLO = ZoneInfo("Europe/Oslo")
#: Appointment windows offered to tenants (local time): two hours each.
WINDOW_STARTS = (time(8, 0), time(10, 0), time(12, 0), time(14, 0))
#: Bookings per working day of the demo week; the plan day gets the most.
BOOKINGS_ON_PLAN_DAY = 240
BOOKINGS_OTHER_DAYS = 120


def create_furniture_jobs(session: Session, world: DemoWorld, *, today: date) -> int:
    """Create oiling, repair and inspection jobs for furniture that needs them."""
    query = (
        select(
            m.Furniture.id,
            m.Furniture.condition_grade,
            m.Furniture.last_maintained_on,
            m.Furniture.installed_on,
            m.FurnitureModel.material,
            m.FurnitureModel.maintenance_interval_days,
        )
        .join(m.FurnitureModel)
        .order_by(m.Furniture.id)
    )
    rows = []
    for item_id, grade, last, installed, material, interval in session.execute(query):
        since = last or installed or today
        overdue = since + timedelta(days=interval) <= today + timedelta(days=14)
        if grade >= 2:  # noqa: PLR2004 (NS 3424 grade 2: clear wear, repair)
            kind, priority = JobKind.REPAIR, 4 if grade == 3 else 3  # noqa: PLR2004
        elif overdue:
            kind = JobKind.OIL if material in OILED_MATERIALS else JobKind.INSPECT
            priority = 2
        else:
            continue
        due = max(since + timedelta(days=interval), today - timedelta(days=60))
        rows.append(_job_row(world, kind, priority, due, furniture_id=item_id))
    if rows:
        session.execute(insert(m.Job), rows)
    return len(rows)


def create_installation_bookings(
    session: Session, world: DemoWorld, *, plan_day: date, rng: random.Random
) -> int:
    """Book media-box installations over the plan day's working week; return the count."""
    apartment_ids = list(session.scalars(select(m.Apartment.id).order_by(m.Apartment.id)))
    week = [
        plan_day + timedelta(days=offset)
        for offset in range(-plan_day.weekday(), 5 - plan_day.weekday())
    ]
    wanted = sum(BOOKINGS_ON_PLAN_DAY if day == plan_day else BOOKINGS_OTHER_DAYS for day in week)
    chosen = sorted(rng.sample(apartment_ids, min(wanted, len(apartment_ids))))
    days = [
        d
        for d in week
        for _ in range(BOOKINGS_ON_PLAN_DAY if d == plan_day else BOOKINGS_OTHER_DAYS)
    ]
    rng.shuffle(days)
    job_rows = [
        _job_row(world, JobKind.INSTALL_MEDIA_BOX, 3, day, apartment_id=apartment_id)
        for apartment_id, day in zip(chosen, days, strict=False)
    ]
    job_ids = list(
        session.scalars(insert(m.Job).returning(m.Job.id, sort_by_parameter_order=True), job_rows)
    )
    appointment_rows = []
    for job_id, row in zip(job_ids, job_rows, strict=True):
        start = datetime.combine(row["due_on"], rng.choice(WINDOW_STARTS), OSLO)  # type: ignore[arg-type]
        appointment_rows.append(
            {
                "job_id": job_id,
                "window_start": start.astimezone(ZoneInfo("UTC")),
                "window_end": (start + timedelta(hours=2)).astimezone(ZoneInfo("UTC")),
                "status": AppointmentStatus.CONFIRMED.value,
            }
        )
    session.execute(insert(m.Appointment), appointment_rows)
    session.execute(
        update(m.Apartment)
        .where(m.Apartment.id.in_(chosen[: len(job_rows)]))
        .values(installation_status=InstallationStatus.BOOKED.value)
    )
    return len(job_rows)


def _job_row(
    world: DemoWorld, kind: JobKind, priority: int, due: date, **target: int
) -> dict[str, object]:
    return {
        "region_id": world.region.id,
        "kind": kind.value,
        "furniture_id": target.get("furniture_id"),
        "apartment_id": target.get("apartment_id"),
        "site_id": target.get("site_id"),
        "duration_minutes": DEFAULT_MINUTES[kind],
        "required_skills": sorted(skill.value for skill in DEFAULT_SKILLS[kind]),
        "priority": priority,
        "due_on": due,
        "status": JobStatus.OPEN.value,
        "version": 1,
    }
