"""Attacks on jobs and appointments: other regions, other crews' jobs, races, stale versions.

Each test adds the rows it attacks to the API world (committed, since the app reads them over
HTTP in its own sessions) and deletes them again afterwards, so the shared world stays as built.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import delete, func, or_, select
from tests.api.conftest import error_codes

from sitecrew.config import OsmSettings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, write_session_factory
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.job_commands import BookAppointment
from sitecrew.domain.jobs import TimeWindow
from sitecrew.errors import ConflictError
from sitecrew.services import jobs as job_service

CREATE_JOB = """mutation J($input: CreateJobInput!) { createJob(input: $input) {
  __typename ... on Job { id regionId } ... on Problem { code message } } }"""
CHANGE_STATUS = """mutation S($input: ChangeJobStatusInput!) { changeJobStatus(input: $input) {
  __typename ... on Job { id status version } ... on Problem { code message } } }"""
READ_JOB = "query J($id: ID!) { job(id: $id) { id status } }"
BOOK = """mutation B($input: BookAppointmentInput!) { bookAppointment(input: $input) {
  __typename ... on Appointment { id version status } ... on Problem { code message } } }"""
RESCHEDULE = """mutation R($input: RescheduleAppointmentInput!) {
  rescheduleAppointment(input: $input) {
    __typename ... on Appointment { id version windowStart } ... on Problem { code message } } }"""
CANCEL = """mutation X($input: CancelAppointmentInput!) { cancelAppointment(input: $input) {
  __typename ... on Appointment { id version status } ... on Problem { code message } } }"""


@dataclass(frozen=True)
class ElsewhereIds:
    """A second region with one place of each kind a job can target."""

    region_id: int
    apartment_id: int
    site_id: int
    furniture_id: int


def _new_job(session, region_id: int, apartment_id: int, status: str = "open") -> int:
    row = m.Job(
        region_id=region_id,
        kind="install_media_box",
        apartment_id=apartment_id,
        duration_minutes=30,
        required_skills=["media_box"],
        status=status,
    )
    session.add(row)
    session.flush()
    return row.id


def _delete_jobs(session, job_ids) -> None:
    session.execute(delete(m.Appointment).where(m.Appointment.job_id.in_(job_ids)))
    session.execute(delete(m.RouteStop).where(m.RouteStop.job_id.in_(job_ids)))
    session.execute(delete(m.Job).where(m.Job.id.in_(job_ids)))


def _window(days: float, hours: float = 2, start_hour: int = 9) -> dict[str, str]:
    """A window ``days`` ahead at ``start_hour`` UTC; ahead, on the next working day.

    In a region with streets a booking must be a window some crew can make (re-checked at
    write time), and the demo's crews work weekdays that are not holidays.
    """
    start = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=start_hour, minute=0, second=0, microsecond=0
    )
    off = holidays.country_holidays("NO", years=range(start.year, start.year + 2))
    while days > 0 and (start.weekday() >= 5 or start.date() in off):  # 5: Saturday
        start += timedelta(days=1)
    return {
        "windowStart": start.isoformat(),
        "windowEnd": (start + timedelta(hours=hours)).isoformat(),
    }


@pytest.fixture
def elsewhere(world_sessions):
    """Another region (around Bergen) with an apartment, a site and a furniture item."""
    tag = uuid.uuid4().hex[:8]
    with world_sessions.begin() as session:
        region = m.Region(
            name=f"Bergen {tag}", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5))
        )
        session.add(region)
        session.flush()
        point = to_db_geometry(Point(5.32, 60.39))
        building = m.Building(region_id=region.id, location=point, address="Bryggen 1")
        session.add(building)
        session.flush()
        apartment = m.Apartment(
            building_id=building.id, unit="H0101", location=point, access_notes="door 4711"
        )
        site = m.Site(
            region_id=region.id,
            name="Bryggen yard",
            kind="park",
            location=point,
            access_notes="gate 0042",
        )
        session.add_all([apartment, site])
        session.flush()
        model_id = session.scalar(select(m.FurnitureModel.id).limit(1))
        item = m.Furniture(site_id=site.id, model_id=model_id, serial=f"BGO-{tag}", location=point)
        session.add(item)
        session.flush()
        ids = ElsewhereIds(region.id, apartment.id, site.id, item.id)
    yield ids
    with world_sessions.begin() as session:
        targets = or_(
            m.Job.apartment_id == ids.apartment_id,
            m.Job.site_id == ids.site_id,
            m.Job.furniture_id == ids.furniture_id,
            m.Job.region_id == ids.region_id,
        )
        _delete_jobs(session, list(session.scalars(select(m.Job.id).where(targets))))
        session.execute(delete(m.Furniture).where(m.Furniture.id == ids.furniture_id))
        session.execute(delete(m.Site).where(m.Site.id == ids.site_id))
        session.execute(delete(m.Apartment).where(m.Apartment.id == ids.apartment_id))
        session.execute(delete(m.Building).where(m.Building.region_id == ids.region_id))
        session.execute(delete(m.Region).where(m.Region.id == ids.region_id))


@pytest.fixture
def fresh_job(world_sessions, api_world):
    """A new open job on an apartment of the world's region, with no appointments yet."""
    with world_sessions.begin() as session:
        job_id = _new_job(session, api_world.region_id, api_world.unvisited_apartment_id)
    yield job_id
    with world_sessions.begin() as session:
        _delete_jobs(session, [job_id])


@pytest.mark.parametrize("target", ["apartmentId", "siteId", "furnitureId"])
def test_create_job_is_not_found_when_a_planner_targets_another_regions_place(
    gql, api_world, elsewhere, world_sessions, target
):
    """A region's planner cannot open a job on another region's place by naming its own region."""
    ids = {"apartmentId": elsewhere.apartment_id, "siteId": elsewhere.site_id}
    ids["furnitureId"] = elsewhere.furniture_id
    payload = gql.data(
        "planner",
        CREATE_JOB,
        input={"kind": "INSPECT", "region": str(api_world.region_id), target: ids[target]},
    )["createJob"]
    assert (payload["__typename"], payload["code"]) == ("NotFound", "NOT_FOUND")
    with world_sessions() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(m.Job)
            .where(
                or_(
                    m.Job.apartment_id == elsewhere.apartment_id,
                    m.Job.site_id == elsewhere.site_id,
                    m.Job.furniture_id == elsewhere.furniture_id,
                )
            )
        )
    assert stored == 0


@pytest.mark.parametrize("target", ["apartmentId", "siteId", "furnitureId"])
def test_create_job_is_invalid_when_its_region_is_not_its_targets_region(
    gql, api_world, elsewhere, target
):
    """Even an admin cannot file a job under a region its target does not lie in."""
    ids = {"apartmentId": elsewhere.apartment_id, "siteId": elsewhere.site_id}
    ids["furnitureId"] = elsewhere.furniture_id
    payload = gql.data(
        "admin",
        CREATE_JOB,
        input={"kind": "INSPECT", "region": str(api_world.region_id), target: ids[target]},
    )["createJob"]
    assert (payload["__typename"], payload["code"]) == ("InvalidInput", "INVALID_INPUT")
    matching = gql.data(
        "admin",
        CREATE_JOB,
        input={"kind": "INSPECT", "region": str(elsewhere.region_id), target: ids[target]},
    )["createJob"]
    assert matching == {
        "__typename": "Job",
        "id": matching["id"],
        "regionId": str(elsewhere.region_id),
    }


@dataclass(frozen=True)
class CrewJobs:
    """Jobs around the crew: on its published route today, a draft, a superseded route."""

    own_today: int
    on_draft: int
    moved_to_other_crew: int


@pytest.fixture
def crew_jobs(world_sessions, api_world):
    """Scheduled jobs: one on the crew's published route of today, one on its draft route of a
    later day, one on its superseded route of that day that is now published to another crew."""
    tz = ZoneInfo("Europe/Oslo")
    today = datetime.now(tz).date()
    later = today + timedelta(days=9)
    start = datetime.now(UTC).replace(microsecond=0)
    with world_sessions.begin() as session:
        region, flat = api_world.region_id, api_world.unvisited_apartment_id
        jobs = [_new_job(session, region, flat, status="scheduled") for _ in range(3)]
        todays = session.scalar(
            select(m.Route.id).where(
                m.Route.crew_id == api_world.crew_id,
                m.Route.service_date == today,
                m.Route.status == "published",
            )
        )
        draft = m.Route(crew_id=api_world.crew_id, service_date=later, status="draft")
        old = m.Route(crew_id=api_world.crew_id, service_date=later, status="superseded")
        other = m.Route(crew_id=api_world.other_crew_id, service_date=later, status="published")
        session.add_all([draft, old, other])
        session.flush()
        stops = [(todays, jobs[0]), (draft.id, jobs[1]), (old.id, jobs[2]), (other.id, jobs[2])]
        for route_id, job_id in stops:
            session.add(
                m.RouteStop(
                    route_id=route_id,
                    sequence=100 + job_id % 1000,
                    kind="job",
                    job_id=job_id,
                    arrival_at=start,
                    departure_at=start + timedelta(minutes=30),
                )
            )
        route_ids = [draft.id, old.id, other.id]
    yield CrewJobs(*jobs)
    with world_sessions.begin() as session:
        _delete_jobs(session, jobs)
        session.execute(delete(m.Route).where(m.Route.id.in_(route_ids)))


@pytest.mark.parametrize("which", ["on_draft", "moved_to_other_crew"])
def test_crew_cannot_read_or_finish_a_job_when_it_is_not_on_its_published_route(
    gql, crew_jobs, which
):
    """A job on the crew's draft or superseded route (now another crew's) is not the crew's."""
    job_id = getattr(crew_jobs, which)
    assert error_codes(gql("crew", READ_JOB, id=job_id)) == ["NOT_FOUND"]
    for status in ("IN_PROGRESS", "DONE", "BLOCKED"):
        payload = gql.data(
            "crew", CHANGE_STATUS, input={"id": job_id, "status": status, "version": 1}
        )["changeJobStatus"]
        assert (payload["__typename"], payload["code"]) == ("NotFound", "NOT_FOUND")
    assert gql.data("admin", READ_JOB, id=job_id)["job"]["status"] == "SCHEDULED"


def test_crew_reports_progress_only_when_the_job_is_on_its_published_route_of_today(gql, crew_jobs):
    """The crew starts and finishes its own job of today, but may not reopen or cancel it."""
    job_id = crew_jobs.own_today
    for status in ("OPEN", "CANCELLED", "SCHEDULED"):
        refused = gql.data(
            "crew", CHANGE_STATUS, input={"id": job_id, "status": status, "version": 1}
        )["changeJobStatus"]
        assert (refused["__typename"], refused["code"]) == ("Forbidden", "FORBIDDEN")
    started = gql.data(
        "crew", CHANGE_STATUS, input={"id": job_id, "status": "IN_PROGRESS", "version": 1}
    )["changeJobStatus"]
    assert started == {
        "__typename": "Job",
        "id": str(job_id),
        "status": "IN_PROGRESS",
        "version": 2,
    }
    done = gql.data("crew", CHANGE_STATUS, input={"id": job_id, "status": "DONE", "version": 2})
    assert done["changeJobStatus"]["status"] == "DONE"


def test_only_one_booking_wins_when_two_overlapping_bookings_race(gql, fresh_job):
    """Two bookAppointment requests for one job at the same moment: one Appointment, one Conflict."""
    barrier = threading.Barrier(2)
    windows = [_window(4, hours=2, start_hour=8), _window(4, hours=2, start_hour=9)]

    def book(window: dict[str, str]) -> dict:
        barrier.wait()
        return gql.data("planner", BOOK, input={"jobId": fresh_job, **window})["bookAppointment"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(book, windows))
    kinds = sorted(result["__typename"] for result in results)
    assert kinds == ["Appointment", "Conflict"]
    again = gql.data("planner", BOOK, input={"jobId": fresh_job, **_window(4, start_hour=8)})
    assert again["bookAppointment"]["code"] == "CONFLICT"
    later = gql.data("planner", BOOK, input={"jobId": fresh_job, **_window(4, start_hour=14)})
    assert later["bookAppointment"]["__typename"] == "Appointment"


def test_second_booking_waits_for_the_first_and_conflicts_when_both_run_in_separate_sessions(
    api_world, fresh_job, osm_dir, tmp_path
):
    """While one transaction holds its booking uncommitted, a second overlapping one waits for it
    (job row lock, or SQLite's write lock) and then sees it: Conflict, never a double booking."""
    engine = engine_from_url(api_world.url)
    sessions = write_session_factory(engine)
    admin = Principal(Role.ADMIN)
    planning_osm = OsmSettings(directory=osm_dir, cache_directory=tmp_path)  # no streets here
    start = datetime.fromisoformat(_window(5)["windowStart"])
    first = BookAppointment(fresh_job, TimeWindow(start, start + timedelta(hours=2)))
    second = BookAppointment(
        fresh_job, TimeWindow(start + timedelta(hours=1), start + timedelta(hours=3))
    )
    booked, release = threading.Event(), threading.Event()

    def hold_first() -> None:
        with sessions.begin() as session:
            job_service.book_appointment(session, admin, first, osm=planning_osm)
            booked.set()
            release.wait(timeout=30)

    def try_second() -> str:
        with sessions.begin() as session:
            try:
                job_service.book_appointment(session, admin, second, osm=planning_osm)
            except ConflictError:
                return "conflict"
            return "booked"

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            holder = pool.submit(hold_first)
            assert booked.wait(timeout=30)
            racer = pool.submit(try_second)
            threading.Event().wait(0.5)  # let the racer reach the lock
            assert not racer.done()
            release.set()
            holder.result()
            assert racer.result() == "conflict"
    finally:
        release.set()
        engine.dispose()


def test_stale_appointment_version_is_a_conflict_when_rescheduling_or_cancelling(gql, fresh_job):
    """A client that read version 1 cannot move or cancel an appointment someone moved since."""
    booked = gql.data("planner", BOOK, input={"jobId": fresh_job, **_window(6)})["bookAppointment"]
    assert (booked["__typename"], booked["version"]) == ("Appointment", 1)
    moved = gql.data(
        "planner", RESCHEDULE, input={"id": booked["id"], "version": 1, **_window(6, start_hour=12)}
    )["rescheduleAppointment"]
    assert (moved["__typename"], moved["version"]) == ("Appointment", 2)
    stale_move = gql.data(
        "planner",
        RESCHEDULE,
        input={"id": booked["id"], "version": 1, **_window(6, start_hour=15)},
    )["rescheduleAppointment"]
    assert (stale_move["__typename"], stale_move["code"]) == ("Conflict", "CONFLICT")
    stale_cancel = gql.data("planner", CANCEL, input={"id": booked["id"], "version": 1})
    assert stale_cancel["cancelAppointment"]["code"] == "CONFLICT"
    cancelled = gql.data("planner", CANCEL, input={"id": booked["id"], "version": 2})
    assert cancelled["cancelAppointment"]["status"] == "CANCELLED"


def test_only_one_reschedule_wins_when_two_clients_race_with_the_same_version(gql, fresh_job):
    """Two reschedules from the same read at once: one moves it, the other is a Conflict."""
    booked = gql.data("planner", BOOK, input={"jobId": fresh_job, **_window(7)})["bookAppointment"]
    barrier = threading.Barrier(2)

    def move(hour: int) -> dict:
        barrier.wait()
        body = gql(
            "planner",
            RESCHEDULE,
            input={"id": booked["id"], "version": 1, **_window(7, start_hour=hour)},
        )
        assert body.get("errors") is None, body["errors"]
        return body["data"]["rescheduleAppointment"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(move, [12, 15]))
    assert sorted(result["__typename"] for result in results) == ["Appointment", "Conflict"]


@pytest.mark.parametrize(
    ("days", "hours"),
    [(3, 13), (3, 72), (-400, 2), (-3, 2), (1000, 2)],
    ids=["13 hours", "three days", "last year", "three days ago", "three years ahead"],
)
def test_window_is_invalid_when_too_long_or_far_in_the_past_or_ahead(gql, fresh_job, days, hours):
    """Windows of more than 12 hours, or far from now, are refused for bookings and moves."""
    window = _window(days, hours=hours, start_hour=6)
    payload = gql.data("planner", BOOK, input={"jobId": fresh_job, **window})["bookAppointment"]
    assert (payload["__typename"], payload["code"]) == ("InvalidInput", "INVALID_INPUT")
    booked = gql.data("planner", BOOK, input={"jobId": fresh_job, **_window(8)})["bookAppointment"]
    moved = gql.data("planner", RESCHEDULE, input={"id": booked["id"], "version": 1, **window})
    assert moved["rescheduleAppointment"]["code"] == "INVALID_INPUT"


def test_window_is_invalid_when_it_ends_before_it_starts(gql, fresh_job):
    """An inverted or empty window is refused."""
    start = _window(3)["windowStart"]
    for end in (start, _window(2)["windowStart"]):
        body = gql.data(
            "planner", BOOK, input={"jobId": fresh_job, "windowStart": start, "windowEnd": end}
        )
        assert body["bookAppointment"]["code"] == "INVALID_INPUT"


@pytest.fixture
def district_jobs(world_sessions, api_world):
    """Two fresh jobs: one on an apartment in the contractor's districts, one outside them."""
    with world_sessions.begin() as session:
        theirs = select(m.District.id).where(m.District.contractor_id == api_world.contractor_id)
        inside = session.scalar(select(m.Apartment.id).where(m.Apartment.district_id.in_(theirs)))
        outside = session.scalar(
            select(m.Apartment.id).where(
                m.Apartment.district_id.not_in(theirs) | m.Apartment.district_id.is_(None)
            )
        )
        jobs = (
            _new_job(session, api_world.region_id, inside),
            _new_job(session, api_world.region_id, outside),
        )
    yield jobs
    with world_sessions.begin() as session:
        _delete_jobs(session, list(jobs))


def test_contractor_books_and_moves_appointments_only_when_the_job_is_in_its_districts(
    gql, district_jobs
):
    """A contractor books, moves and cancels in its districts; elsewhere every try is NotFound."""
    inside, outside = district_jobs
    own = gql.data("contractor", BOOK, input={"jobId": inside, **_window(9)})["bookAppointment"]
    assert own["__typename"] == "Appointment"
    moved = gql.data(
        "contractor", RESCHEDULE, input={"id": own["id"], "version": 1, **_window(9, start_hour=13)}
    )
    assert moved["rescheduleAppointment"]["version"] == 2
    refused = gql.data("contractor", BOOK, input={"jobId": outside, **_window(9)})
    assert refused["bookAppointment"]["code"] == "NOT_FOUND"
    foreign = gql.data("planner", BOOK, input={"jobId": outside, **_window(9)})["bookAppointment"]
    move = {"id": foreign["id"], "version": 1, **_window(9, start_hour=13)}
    assert gql.data("contractor", RESCHEDULE, input=move)["rescheduleAppointment"]["code"] == (
        "NOT_FOUND"
    )
    cancel = {"id": foreign["id"], "version": 1}
    assert gql.data("contractor", CANCEL, input=cancel)["cancelAppointment"]["code"] == "NOT_FOUND"


def test_crew_may_not_book_move_or_cancel_when_the_job_is_its_own(gql, crew_jobs):
    """Crews report progress; appointments are agreed by planners and contractors."""
    job_id = crew_jobs.own_today
    refused = gql.data("crew", BOOK, input={"jobId": job_id, **_window(2)})["bookAppointment"]
    assert refused["code"] == "FORBIDDEN"
    booked = gql.data("planner", BOOK, input={"jobId": job_id, **_window(2)})["bookAppointment"]
    move = {"id": booked["id"], "version": 1, **_window(2, start_hour=13)}
    assert gql.data("crew", RESCHEDULE, input=move)["rescheduleAppointment"]["code"] == "FORBIDDEN"
    cancel = {"id": booked["id"], "version": 1}
    assert gql.data("crew", CANCEL, input=cancel)["cancelAppointment"]["code"] == "FORBIDDEN"
