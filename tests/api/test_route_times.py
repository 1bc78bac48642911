"""A route a crew can use: local times with the region's offset, a point and links for every stop.

Each test stores a route the way the planner does (a start, a furniture job, a break, an
apartment job and an end, each with its point) in a rolled-back session of the API world and
reads it back through the schema (convention 20): nothing is recomputed on read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import Point
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.access import Principal, Role

ADMIN = Principal(Role.ADMIN)
OSLO = ZoneInfo("Europe/Oslo")
SUMMER_DAY = date(2026, 7, 15)
WINTER_DAY = date(2026, 1, 14)
GPX = "{http://www.topografix.com/GPX/1/1}"
ROUTE = """query R($crew: ID!, $date: Date!) { crewRoute(crewId: $crew, date: $date) {
  timeZone startsAt endsAt
  stops { sequence kind eta etd lon lat label address
          site { id address } furniture { id } apartment { id building { id address } }
          building { id } }
  geojson gpx } }"""


@dataclass(frozen=True)
class StoredDay:
    """What was stored for the day, to check the answer against."""

    furniture_id: int
    site_id: int
    site_address: str
    apartment_id: int
    building_id: int
    building_address: str | None
    depot_address: str | None


def _furniture_job(session) -> tuple[m.Job, m.Furniture, m.Site]:
    furniture = session.scalar(select(m.Furniture).order_by(m.Furniture.id).limit(1))
    site = session.get(m.Site, furniture.site_id)
    site.address = "Schweigaards gate 1"
    job = m.Job(
        region_id=site.region_id,
        kind="oil",
        duration_minutes=25,
        required_skills=[],
        priority=3,
        status="scheduled",
        furniture_id=furniture.id,
    )
    session.add(job)
    session.flush()
    return job, furniture, site


def _store_day(session, crew_id: int, day: date) -> StoredDay:
    """Store a published route whose crew leaves at 07:30 local time on ``day``."""
    crew = session.get(m.Crew, crew_id)
    depot = session.get(m.Depot, crew.depot_id)
    job, furniture, site = _furniture_job(session)
    apartment_job = session.scalar(
        select(m.Job).where(m.Job.apartment_id.is_not(None)).order_by(m.Job.id).limit(1)
    )
    apartment = session.get(m.Apartment, apartment_job.apartment_id)
    building = session.get(m.Building, apartment.building_id)
    route = m.Route(crew_id=crew_id, service_date=day, status="published")
    session.add(route)
    session.flush()
    leave = datetime.combine(day, time(7, 30), OSLO).astimezone(UTC)  # stored as the planner does
    depot_point = from_db_geometry(depot.location)
    stops = [
        ("start", None, depot_point, 0),
        ("job", job.id, from_db_geometry(furniture.location), 20),
        ("break", None, from_db_geometry(furniture.location), 60),
        ("job", apartment_job.id, from_db_geometry(apartment.location), 120),
        ("end", None, depot_point, 180),
    ]
    for sequence, (kind, job_id, point, minutes) in enumerate(stops):
        arrival = leave + timedelta(minutes=minutes)
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=sequence,
                kind=kind,
                job_id=job_id,
                arrival_at=arrival,
                departure_at=arrival + timedelta(minutes=0 if kind in {"start", "end"} else 15),
                location=to_db_geometry(Point(point.x, point.y)),
            )
        )
    session.flush()
    return StoredDay(
        furniture_id=furniture.id,
        site_id=site.id,
        site_address=site.address,
        apartment_id=apartment.id,
        building_id=building.id,
        building_address=building.address,
        depot_address=depot.address,
    )


def _read_day(api_world, day: date) -> tuple[dict, StoredDay]:
    with schema_caller(api_world.url) as caller:
        with caller.sessions.begin() as session:
            stored = _store_day(session, api_world.crew_id, day)
        route = caller.data(ADMIN, ROUTE, crew=str(api_world.crew_id), date=day.isoformat())
    return route["crewRoute"], stored


@pytest.mark.parametrize(
    ("day", "offset"), [(SUMMER_DAY, "+02:00"), (WINTER_DAY, "+01:00")], ids=["summer", "winter"]
)
def test_route_times_carry_the_regions_offset_when_read_in_summer_and_winter(
    api_world, day, offset
):
    """A crew leaving at 07:30 in Oslo reads 07:30 with that day's offset, in stops and route."""
    route, _ = _read_day(api_world, day)
    assert route["timeZone"] == "Europe/Oslo"
    assert route["startsAt"] == f"{day.isoformat()}T07:30:00{offset}"
    assert route["endsAt"] == f"{day.isoformat()}T10:30:00{offset}"
    etas = [stop["eta"] for stop in route["stops"]]
    assert etas[0] == f"{day.isoformat()}T07:30:00{offset}"
    assert all(eta.endswith(offset) for eta in etas)
    assert all(stop["etd"].endswith(offset) for stop in route["stops"])
    features = [f for f in route["geojson"]["features"] if f["geometry"]["type"] == "Point"]
    assert features[0]["properties"]["arrival_at"] == f"{day.isoformat()}T07:30:00{offset}"
    assert route["geojson"]["properties"]["timezone"] == "Europe/Oslo"


def test_every_stop_has_a_point_and_its_links_when_a_route_is_read(api_world):
    """Start, break and end have lon/lat; a furniture stop links its item's site, a flat its building."""
    route, stored = _read_day(api_world, SUMMER_DAY)
    stops = {stop["sequence"]: stop for stop in route["stops"]}
    assert all(stop["lon"] is not None and stop["lat"] is not None for stop in stops.values())
    furniture_stop, apartment_stop = stops[1], stops[3]
    assert furniture_stop["furniture"] == {"id": str(stored.furniture_id)}
    assert furniture_stop["site"] == {"id": str(stored.site_id), "address": stored.site_address}
    assert furniture_stop["address"] == stored.site_address
    assert furniture_stop["apartment"] is None
    assert apartment_stop["apartment"]["id"] == str(stored.apartment_id)
    assert apartment_stop["apartment"]["building"]["id"] == str(stored.building_id)
    assert apartment_stop["building"] == {"id": str(stored.building_id)}
    assert apartment_stop["address"] == stored.building_address
    assert stops[0]["address"] == stops[4]["address"] == stored.depot_address
    assert stops[2]["address"] is None
    points = [f for f in route["geojson"]["features"] if f["geometry"]["type"] == "Point"]
    assert [f["properties"]["sequence"] for f in points] == [0, 1, 2, 3, 4]
    assert points[1]["properties"]["site_id"] == stored.site_id


def test_gpx_waypoints_name_sequence_time_label_and_address_when_exported(api_world):
    """Every stop is a waypoint named '<n>. <HH:MM> <label>, <address>' with a UTC <time>."""
    route, stored = _read_day(api_world, WINTER_DAY)
    document = ET.fromstring(route["gpx"].encode())  # noqa: S314  (our own export)
    waypoints = document.findall(f"{GPX}wpt")
    names = [waypoint.findtext(f"{GPX}name") for waypoint in waypoints]
    assert len(names) == 5
    assert names[0].startswith("0. 07:30 leave the depot")
    assert (
        names[1]
        == f"1. 07:50 oil: {route['stops'][1]['label'].split(': ', 1)[1]}, {stored.site_address}"
    )
    assert names[2] == "2. 08:30 break"
    assert names[3].startswith("3. 09:30 install media box: ")
    assert names[4].startswith("4. 10:30 back at the depot")
    assert waypoints[0].findtext(f"{GPX}time") == f"{WINTER_DAY.isoformat()}T06:30:00Z"
    assert waypoints[1].findtext(f"{GPX}desc") == stored.site_address
    assert [w.findtext(f"{GPX}type") for w in waypoints] == ["start", "job", "break", "job", "end"]


def test_a_planning_runs_times_carry_the_regions_offset_when_read(api_world):
    """A run asked for at 05:00Z on a summer day reads 07:00+02:00, the clock of its region."""
    asked = datetime(2026, 7, 14, 5, 0, tzinfo=UTC)
    with schema_caller(api_world.url) as caller:
        with caller.sessions.begin() as session:
            run = m.PlanningRun(
                region_id=api_world.region_id,
                service_date=SUMMER_DAY,
                status="succeeded",
                progress=1.0,
                created_at=asked,
                finished_at=asked + timedelta(seconds=90),
            )
            session.add(run)
            session.flush()
            run_id = run.id
        query = "query R($id: ID!) { planningRun(id: $id) { createdAt finishedAt } }"
        found = caller.data(ADMIN, query, id=str(run_id))["planningRun"]
    assert found == {
        "createdAt": "2026-07-14T07:00:00+02:00",
        "finishedAt": "2026-07-14T07:01:30+02:00",
    }
