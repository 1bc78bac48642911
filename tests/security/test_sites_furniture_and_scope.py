"""Attacks on sites, furniture, wear reports and the crew's reach, on both backends.

Each test performs an attack that worked before issue #11 and asserts it is refused. Writes go
through a rolled-back session (``schema_calls``), so the API world stays as it was.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, write_session_factory
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import ConflictError
from sitecrew.services import sites as site_service

RECORD = """mutation R($input: RecordMaintenanceInput!) { recordMaintenance(input: $input) {
  __typename ... on MaintenanceRecord { id performedOn } ... on Problem { code message } } }"""
CHANGE_STATUS = """mutation S($input: ChangeJobStatusInput!) { changeJobStatus(input: $input) {
  __typename ... on Problem { code } } }"""
JOB = "query J($id: ID!) { job(id: $id) { id } }"
CREATE_SITE = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
  __typename ... on Site { id version } ... on Problem { code message } } }"""
UPDATE_SITE = """mutation U($input: UpdateSiteInput!) { updateSite(input: $input) {
  __typename ... on Site { id version name } ... on Problem { code message } } }"""
CREATE_FURNITURE = """mutation F($input: CreateFurnitureInput!) { createFurniture(input: $input) {
  __typename ... on Furniture { id } ... on Problem { code message } } }"""
UPDATE_FURNITURE = """mutation F($input: UpdateFurnitureInput!) { updateFurniture(input: $input) {
  __typename ... on Furniture { id version } ... on Problem { code message } } }"""
OSLO = ZoneInfo("Europe/Oslo")


def _principals(world) -> dict[str, Principal]:
    return {
        "admin": Principal(Role.ADMIN),
        "planner": Principal(Role.PLANNER, region_id=world.region_id),
        "contractor": Principal(Role.CONTRACTOR, organisation_id=world.contractor_id),
        "crew": Principal(Role.CREW, crew_id=world.crew_id, timezone="Europe/Oslo"),
        "other_crew": Principal(Role.CREW, crew_id=world.other_crew_id, timezone="Europe/Oslo"),
    }


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def who(api_world) -> dict[str, Principal]:
    """A principal per role, as a token for it would authenticate."""
    return _principals(api_world)


def _today() -> datetime:
    return datetime.now(OSLO)


def _route(session, crew_id: int, *, status: str = "published", day=None) -> m.Route:
    day = day or _today().date()
    route = session.scalar(
        select(m.Route).where(
            m.Route.crew_id == crew_id, m.Route.service_date == day, m.Route.status == status
        )
    )
    if route is None:
        route = m.Route(crew_id=crew_id, service_date=day, status=status)
        session.add(route)
        session.flush()
    return route


def _job_on_route(session, route: m.Route, **target) -> m.Job:
    region_id = session.scalar(select(m.Region.id))
    job = m.Job(
        region_id=region_id,
        kind="oil" if "furniture_id" in target else "inspect",
        duration_minutes=30,
        required_skills=[],
        priority=3,
        status="scheduled",
        **target,
    )
    session.add(job)
    session.flush()
    sequence = 1 + max(
        session.scalars(select(m.RouteStop.sequence).where(m.RouteStop.route_id == route.id)),
        default=0,
    )
    start = datetime.now(UTC).replace(microsecond=0)
    session.add(
        m.RouteStop(
            route_id=route.id,
            sequence=sequence,
            kind="job",
            job_id=job.id,
            arrival_at=start,
            departure_at=start + timedelta(minutes=30),
        )
    )
    session.flush()
    return job


def _two_items_on_different_sites(session) -> tuple[m.Furniture, m.Furniture]:
    first = session.scalar(select(m.Furniture).order_by(m.Furniture.id).limit(1))
    second = session.scalar(
        select(m.Furniture).where(m.Furniture.site_id != first.site_id).order_by(m.Furniture.id)
    )
    return first, second


def _record_input(item_id: int, job_id: int | None, performed_on: str) -> dict:
    return {
        "furnitureId": item_id,
        "jobId": job_id,
        "performedOn": performed_on,
        "action": "OILED",
        "wearType": "WEATHERING",
        "severity": 1,
    }


def test_a_crew_cannot_report_wear_on_furniture_its_job_is_not_about(call, who):
    """A crew's job on one bench does not let it write wear reports on another bench."""
    with call.sessions.begin() as session:
        sent_to, elsewhere = _two_items_on_different_sites(session)
        job = _job_on_route(session, _route(session, who["crew"].crew_id), furniture_id=sent_to.id)
        job_id, other_id = job.id, elsewhere.id
    today = _today().date().isoformat()
    payload = call.data(who["crew"], RECORD, input=_record_input(other_id, job_id, today))
    assert payload["recordMaintenance"]["__typename"] == "InvalidInput"
    without_job = call.data(who["crew"], RECORD, input=_record_input(other_id, None, today))
    assert without_job["recordMaintenance"]["__typename"] == "InvalidInput"


def test_a_crew_cannot_report_wear_through_another_crews_job(call, who):
    """Naming a job on another crew's route is NotFound: the job is not the caller's to see."""
    with call.sessions.begin() as session:
        item, _ = _two_items_on_different_sites(session)
        other_route = _route(session, who["other_crew"].crew_id)
        job_id, item_id = _job_on_route(session, other_route, furniture_id=item.id).id, item.id
    today = _today().date().isoformat()
    payload = call.data(who["crew"], RECORD, input=_record_input(item_id, job_id, today))
    assert payload["recordMaintenance"]["__typename"] == "NotFound"


def test_wear_reports_dated_in_the_future_or_before_installation_are_refused(call, who):
    """``performedOn: 9999-12-31`` (or before the bench existed) is InvalidInput for anyone."""
    with call.sessions.begin() as session:
        item, _ = _two_items_on_different_sites(session)
        job = _job_on_route(session, _route(session, who["crew"].crew_id), furniture_id=item.id)
        job_id, item_id = job.id, item.id
    for role in ("crew", "planner", "admin"):
        payload = call.data(who[role], RECORD, input=_record_input(item_id, job_id, "9999-12-31"))
        assert payload["recordMaintenance"]["__typename"] == "InvalidInput", role
    ancient = call.data(who["admin"], RECORD, input=_record_input(item_id, None, "1900-01-01"))
    assert ancient["recordMaintenance"]["__typename"] == "InvalidInput"


def test_a_contractor_may_not_write_wear_reports(call, who):
    """Contractors install media boxes; they have no say on the maker's furniture."""
    with call.sessions() as session:
        item_id = session.scalar(select(m.Furniture.id).limit(1))
    today = _today().date().isoformat()
    payload = call.data(who["contractor"], RECORD, input=_record_input(item_id, None, today))
    assert payload["recordMaintenance"]["__typename"] == "Forbidden"


def test_a_crew_records_wear_for_its_job_of_today_under_its_own_name(call, who):
    """The legitimate path works, and the crew on the record is the token's, not the input's."""
    with call.sessions.begin() as session:
        item, _ = _two_items_on_different_sites(session)
        job = _job_on_route(session, _route(session, who["crew"].crew_id), furniture_id=item.id)
        job_id, item_id = job.id, item.id
    today = _today().date().isoformat()
    payload = call.data(who["crew"], RECORD, input=_record_input(item_id, job_id, today))
    assert payload["recordMaintenance"]["__typename"] == "MaintenanceRecord"
    with call.sessions() as session:
        stored = session.get(m.MaintenanceRecord, int(payload["recordMaintenance"]["id"]))
        assert stored.crew_id == who["crew"].crew_id
        assert stored.job_id == job_id


def test_a_crew_cannot_reach_jobs_of_yesterday_drafts_or_routes_now_given_to_another_crew(
    call, who, api_world
):
    """Crew scope is the crew's published routes of today and later, nothing else."""
    with call.sessions.begin() as session:
        item, _ = _two_items_on_different_sites(session)
        draft = _route(session, who["crew"].crew_id, status="draft")
        draft_job = _job_on_route(session, draft, furniture_id=item.id).id
        yesterday = _route(session, who["crew"].crew_id, day=_today().date() - timedelta(days=1))
        old_job = _job_on_route(session, yesterday, furniture_id=item.id).id
        mine = _route(session, who["crew"].crew_id)
        moved_job = _job_on_route(session, mine, furniture_id=item.id).id
        mine.status = "superseded"
        _job_on_route(session, _route(session, who["other_crew"].crew_id), site_id=item.site_id)
        other = _route(session, who["other_crew"].crew_id)
        session.add(
            m.RouteStop(
                route_id=other.id,
                sequence=99,
                kind="job",
                job_id=moved_job,
                arrival_at=datetime.now(UTC),
                departure_at=datetime.now(UTC) + timedelta(minutes=5),
            )
        )
    for job_id in (draft_job, old_job, moved_job, api_world.route_job_id):
        body = call(who["crew"], JOB, id=job_id)
        assert body.errors is not None, job_id
        assert body.errors[0].extensions["code"] == "NOT_FOUND"
        done = call.data(
            who["crew"], CHANGE_STATUS, input={"id": job_id, "status": "DONE", "version": 1}
        )
        assert done["changeJobStatus"]["__typename"] == "NotFound"
    assert call.data(who["other_crew"], JOB, id=moved_job)["job"]["id"] == str(moved_job)


def test_door_codes_reach_planners_and_the_crew_visiting_today_only(call, who, api_world):
    """Access notes are null for contractors and for crews not visiting today."""
    with call.sessions.begin() as session:
        visited = session.get(m.Apartment, api_world.visited_apartment_id)
        visited.access_notes = "door code 4711"
        district_flat = session.scalar(
            select(m.Apartment)
            .join(m.District, m.District.id == m.Apartment.district_id)
            .where(m.District.contractor_id == api_world.contractor_id)
            .limit(1)
        )
        district_flat.access_notes = "door code 0815"
        contractor_flat = district_flat.id
    query = "query A($id: ID!) { apartment(id: $id) { accessNotes tenant { name } } }"
    crew_view = call.data(who["crew"], query, id=api_world.visited_apartment_id)["apartment"]
    assert crew_view["accessNotes"] == "door code 4711"
    for role in ("admin", "planner"):
        seen = call.data(who[role], query, id=contractor_flat)["apartment"]
        assert seen["accessNotes"] == "door code 0815", role
    hidden = call.data(who["contractor"], query, id=contractor_flat)["apartment"]
    assert hidden == {"accessNotes": None, "tenant": None}
    listed = call.data(who["contractor"], "{ apartments(first: 500) { nodes { accessNotes } } }")
    assert {row["accessNotes"] for row in listed["apartments"]["nodes"]} == {None}


def test_a_site_far_outside_its_region_is_refused(call, who, api_world):
    """A site in Bergen does not go into the Oslo region."""
    bergen = {"name": "Bryggen", "kind": "PARK", "region": str(api_world.region_id)}
    payload = call.data(who["admin"], CREATE_SITE, input={**bergen, "lon": 5.32, "lat": 60.39})
    assert payload["createSite"]["__typename"] == "InvalidInput"
    assert "outside region" in payload["createSite"]["message"]


def test_a_site_cannot_borrow_a_district_of_another_region(call, who, api_world):
    """``createSite`` checks that its district belongs to its region."""
    with call.sessions.begin() as session:
        region = m.Region(name="Bergen", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5)))
        session.add(region)
        session.flush()
        district = m.District(
            region_id=region.id,
            name="Bryggen",
            area=to_db_geometry(shapely.box(5.3, 60.3, 5.4, 60.4)),
        )
        session.add(district)
        session.flush()
        district_id = district.id
    site = {"name": "Yard", "kind": "PARK", "region": str(api_world.region_id), "lon": 10.75}
    payload = call.data(
        who["admin"], CREATE_SITE, input={**site, "lat": 59.915, "districtId": district_id}
    )
    assert payload["createSite"]["__typename"] == "InvalidInput"


def test_a_planner_of_another_region_cannot_create_or_change_sites_here(call, api_world):
    """Another region's planner cannot even name this region, nor find our sites."""
    stranger = Principal(Role.PLANNER, region_id=api_world.region_id + 1000)
    site = {"name": "Yard", "kind": "PARK", "region": str(api_world.region_id)}
    created = call.data(stranger, CREATE_SITE, input={**site, "lon": 10.75, "lat": 59.915})
    assert created["createSite"]["__typename"] == "NotFound"
    with call.sessions() as session:
        site_id = session.scalar(select(m.Site.id).limit(1))
    changed = call.data(stranger, UPDATE_SITE, input={"id": site_id, "version": 1, "name": "x"})
    assert changed["updateSite"]["__typename"] == "NotFound"


def test_an_update_from_a_stale_read_is_a_conflict(call, who):
    """Sites and furniture carry a version; the second writer of one version loses."""
    with call.sessions() as session:
        site = session.scalar(select(m.Site).order_by(m.Site.id).limit(1))
        site_id, version = site.id, site.version
        item = session.scalar(select(m.Furniture).order_by(m.Furniture.id).limit(1))
        item_id, item_version = item.id, item.version
    first = call.data(
        who["admin"], UPDATE_SITE, input={"id": site_id, "version": version, "name": "A"}
    )
    assert first["updateSite"]["version"] == version + 1
    second = call.data(
        who["admin"], UPDATE_SITE, input={"id": site_id, "version": version, "name": "B"}
    )
    assert second["updateSite"]["__typename"] == "Conflict"
    grade = {"id": item_id, "version": item_version, "conditionGrade": 2}
    assert (
        call.data(who["admin"], UPDATE_FURNITURE, input=grade)["updateFurniture"]["version"]
        == item_version + 1
    )
    stale = call.data(who["admin"], UPDATE_FURNITURE, input=grade)["updateFurniture"]
    assert stale["__typename"] == "Conflict"


def test_furniture_far_from_its_site_is_refused(call, who):
    """A bench two kilometres from its yard is a typo, on create and on move."""
    with call.sessions() as session:
        item = session.scalar(select(m.Furniture).order_by(m.Furniture.id).limit(1))
        site = session.get(m.Site, item.site_id)
        model_id, site_id, item_id, version = item.model_id, site.id, item.id, item.version
        point = from_db_geometry(site.location)
        lon, lat = point.x, point.y
    far = {"lon": lon + 0.04, "lat": lat}
    created = call.data(
        who["admin"],
        CREATE_FURNITURE,
        input={"siteId": site_id, "modelId": model_id, "serial": "FAR-1", **far},
    )
    assert created["createFurniture"]["__typename"] == "InvalidInput"
    moved = call.data(
        who["admin"], UPDATE_FURNITURE, input={"id": item_id, "version": version, **far}
    )
    assert moved["updateFurniture"]["__typename"] == "InvalidInput"
    near = call.data(
        who["admin"],
        CREATE_FURNITURE,
        input={"siteId": site_id, "modelId": model_id, "serial": "NEAR-1", "lon": lon, "lat": lat},
    )
    assert near["createFurniture"]["__typename"] == "Furniture"


def test_two_writers_of_one_site_version_at_once_leave_one_winner(api_world):
    """Concurrent updates from the same read: exactly one commits, the other is a Conflict."""
    engine = engine_from_url(api_world.url)
    sessions = write_session_factory(engine)  # as the API writes: BEGIN IMMEDIATE on SQLite
    admin = Principal(Role.ADMIN)
    with sessions() as session:
        site = session.scalar(select(m.Site).order_by(m.Site.id.desc()).limit(1))
        site_id, version, name = site.id, site.version, site.name
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(new_name: str) -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                changes = site_service.Changes(site_id, version, {"name": new_name})
                site_service.update_site(session, admin, changes)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as error:  # noqa: BLE001  (a lock timeout is a failure to report)
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=write, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(outcomes) == ["conflict", "ok"]
    finally:
        with sessions.begin() as session:
            row = session.get(m.Site, site_id)
            row.name = name
        engine.dispose()


def test_two_wear_reports_on_one_item_at_once_both_succeed(api_world):
    """A wear report is no edit of the item: concurrent reports never conflict or fail."""
    from datetime import date

    from sitecrew.domain.jobs import MaintenanceAction, MaintenanceRecord
    from sitecrew.services import furniture as furniture_service

    engine = engine_from_url(api_world.url)
    sessions = write_session_factory(engine)
    admin = Principal(Role.ADMIN)
    with sessions() as session:
        item = session.scalar(select(m.Furniture).order_by(m.Furniture.id.desc()).limit(1))
        item_id, before = item.id, item.last_maintained_on
    days = [date(2026, 6, 1), date(2026, 6, 2)]
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def report(day) -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                record = MaintenanceRecord(item_id, day, MaintenanceAction.INSPECTED)
                outcomes.append(furniture_service.record_maintenance(session, admin, record).id)
        except Exception as error:  # noqa: BLE001  (any failure is the finding)
            outcomes.append(error)

    threads = [threading.Thread(target=report, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
        with sessions() as session:
            assert session.get(m.Furniture, item_id).last_maintained_on == max([*days, before])
    finally:
        with sessions.begin() as session:
            for record_id in (o for o in outcomes if isinstance(o, int)):
                session.delete(session.get(m.MaintenanceRecord, record_id))
            session.get(m.Furniture, item_id).last_maintained_on = before
        engine.dispose()
