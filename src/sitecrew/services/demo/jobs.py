"""Open work for the demo: furniture that is due, and booked media-box installations.

Jobs are derived from the generated state (overdue oiling, bad condition grades) rather than
drawn independently, so the demo plans the work a real planner would see. Neither kind of work
exceeds what the crews can do: installations are booked per appointment window up to the
installers' capacity (:mod:`sitecrew.services.demo.capacity`) over the working week that starts
on the plan day, and due furniture care is spread over working days by the care calendar
(:mod:`sitecrew.services.demo.calendar`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import shapely
from sqlalchemy import insert, select, update

from sitecrew.db import models as m
from sitecrew.domain.buildings import InstallationStatus
from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import (
    DEFAULT_MINUTES,
    DEFAULT_SKILLS,
    AppointmentStatus,
    JobKind,
    JobStatus,
)
from sitecrew.domain.sites import SiteKind
from sitecrew.services.demo.calendar import CareJob, CareRoom, care_calendar, working_days_from
from sitecrew.services.demo.capacity import (
    FILL,
    HOP_MINUTES,
    crew_day,
    quiet_minutes,
    window_visits,
)
from sitecrew.services.demo.catalogue import CREWS, OILED_MATERIALS
from sitecrew.services.planning.load_jobs import NOISY_KINDS, SETUP_MINUTES

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from sitecrew.services.demo.world import DemoWorld

OSLO = ZoneInfo("Europe/Oslo")
#: Appointment windows offered to tenants (local time): two hours each.
WINDOW_STARTS = (time(8, 0), time(10, 0), time(12, 0), time(14, 0))
WINDOW_HOURS = 2
#: Working days with bookings, starting on the plan day.
BOOKED_DAYS = 5


def create_furniture_jobs(session: Session, world: DemoWorld, *, today: date) -> int:
    """Create oiling, repair and inspection jobs for furniture that needs them.

    Their due dates come from the care calendar, so no working day holds more than the care
    teams can do.
    """
    query = (
        select(
            m.Furniture.id,
            m.Furniture.condition_grade,
            m.Furniture.last_maintained_on,
            m.Furniture.installed_on,
            m.FurnitureModel.material,
            m.FurnitureModel.maintenance_interval_days,
            m.Furniture.site_id,
            m.Site.kind,
        )
        .join(m.FurnitureModel)
        .join(m.Site, m.Site.id == m.Furniture.site_id)
        .order_by(m.Furniture.id)
    )
    rows, care = [], []
    for item_id, grade, last, installed, material, interval, site_id, site_kind in session.execute(
        query
    ):
        need = _needed_care(grade, last or installed or today, material, interval, today=today)
        if need is not None:
            rows.append(_job_row(world, *need, furniture_id=item_id))
            care.append(_care_job(*need, site_id, site_kind))
    calendar = care_calendar(care, plan_day=today, room=_care_room(world))
    for row, due in zip(rows, calendar, strict=True):
        row["due_on"] = due
    if rows:
        session.execute(insert(m.Job), rows)
    return len(rows)


def _needed_care(
    grade: int, since: date, material: str, interval: int, *, today: date
) -> tuple[JobKind, int, date] | None:
    """Return the kind, priority and due date of the care an item needs (None: none yet).

    Clear wear (NS 3424 grade 2 or 3) needs a repair; otherwise an item whose service falls due
    within two weeks is oiled (wood) or inspected. Work overdue for long counts as due 60 days
    ago, as if a planner had reviewed the backlog then.
    """
    due = max(since + timedelta(days=interval), today - timedelta(days=60))
    if grade >= 2:  # noqa: PLR2004 (NS 3424 grade 2: clear wear, repair)
        return JobKind.REPAIR, 4 if grade == 3 else 3, due  # noqa: PLR2004
    if since + timedelta(days=interval) <= today + timedelta(days=14):
        return JobKind.OIL if material in OILED_MATERIALS else JobKind.INSPECT, 2, due
    return None


def _care_job(kind: JobKind, priority: int, due: date, site_id: int, site_kind: str) -> CareJob:
    return CareJob(
        due_on=due,
        priority=priority,
        minutes=DEFAULT_MINUTES[kind],
        setup_minutes=SETUP_MINUTES[kind],
        site_id=site_id,
        noisy_at_school=kind in NOISY_KINDS and site_kind == SiteKind.SCHOOLYARD.value,
    )


def _care_room(world: DemoWorld) -> Callable[[], CareRoom]:
    """Return a maker of one day's room: :data:`FILL` of what the care teams can do."""
    days = [
        (spec, crew_day(spec, world.region.area)) for spec in CREWS if Skill.OILING in spec.skills
    ]
    minutes = sum(day.working_minutes / day.pace for _, day in days) * FILL
    quiet = sum(quiet_minutes(day) / day.pace for _, day in days) * FILL
    jobs = int(sum(spec.max_jobs for spec, _ in days) * FILL)
    return lambda: CareRoom(minutes, quiet, jobs, HOP_MINUTES)


def installation_slots(world: DemoWorld, *, contractor: bool) -> dict[time, int]:
    """Return how many installations the demo books per appointment window on a working day.

    That is :data:`FILL` of the visits one side's installer crews can make in the window: the
    contractor's crews (``contractor``) for homes in its districts, the housing company's for
    the rest, since neither may take the other's homes (see ``planning.load_crews``); each
    side's drive out is to the middle of its own districts.
    """
    windows = [(_minutes(start), _minutes(start) + WINDOW_HOURS * 60) for start in WINDOW_STARTS]
    areas = [d.area for d in world.districts if (d.contractor_id is not None) == contractor]
    area = shapely.union_all(areas) if areas else world.region.area
    totals = [0.0] * len(WINDOW_STARTS)
    for spec in CREWS:
        if Skill.MEDIA_BOX in spec.skills and (spec.employer == "contractor") == contractor:
            visits = window_visits(crew_day(spec, area), windows)
            totals = [total + count for total, count in zip(totals, visits, strict=True)]
    return {start: int(total * FILL) for start, total in zip(WINDOW_STARTS, totals, strict=True)}


def create_installation_bookings(
    session: Session, world: DemoWorld, *, plan_day: date, rng: random.Random
) -> int:
    """Book media-box installations over the working days from the plan day; return the count.

    Each window of each day gets :func:`installation_slots` bookings for each side (contractor
    districts and the rest), at apartments of that side drawn at random; their tenants have
    confirmed the window.
    """
    fenced = {district.id for district in world.districts if district.contractor_id is not None}
    query = select(m.Apartment.id, m.Apartment.district_id).order_by(m.Apartment.id)
    sides: dict[bool, list[int]] = {True: [], False: []}
    for apartment_id, district_id in session.execute(query):
        sides[district_id in fenced].append(apartment_id)
    bookings: list[tuple[int, tuple[date, time]]] = []
    for contractor, apartment_ids in sides.items():
        slots = [
            (day, start)
            for day in islice(working_days_from(plan_day), BOOKED_DAYS)
            for start, count in installation_slots(world, contractor=contractor).items()
            for _ in range(count)
        ]
        chosen = sorted(rng.sample(apartment_ids, min(len(slots), len(apartment_ids))))
        rng.shuffle(slots)
        bookings.extend(zip(chosen, slots, strict=False))
    return _book(session, world, bookings)


def _book(session: Session, world: DemoWorld, bookings: list[tuple[int, tuple[date, time]]]) -> int:
    """Store each (apartment, (day, window start)) as a confirmed installation job."""
    if not bookings:
        return 0
    job_rows = [
        _job_row(world, JobKind.INSTALL_MEDIA_BOX, 3, day, apartment_id=apartment_id)
        for apartment_id, (day, _) in bookings
    ]
    job_ids = list(
        session.scalars(insert(m.Job).returning(m.Job.id, sort_by_parameter_order=True), job_rows)
    )
    appointment_rows = []
    for job_id, (_, (day, opens)) in zip(job_ids, bookings, strict=True):
        start = datetime.combine(day, opens, OSLO)
        appointment_rows.append(
            {
                "job_id": job_id,
                "window_start": start.astimezone(ZoneInfo("UTC")),
                "window_end": (start + timedelta(hours=WINDOW_HOURS)).astimezone(ZoneInfo("UTC")),
                "status": AppointmentStatus.CONFIRMED.value,
            }
        )
    session.execute(insert(m.Appointment), appointment_rows)
    session.execute(
        update(m.Apartment)
        .where(m.Apartment.id.in_([apartment_id for apartment_id, _ in bookings]))
        .values(installation_status=InstallationStatus.BOOKED.value)
    )
    return len(bookings)


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute


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
