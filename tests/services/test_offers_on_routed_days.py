"""A crew-day that already has a route still counts the visits booked after the route was made.

In the tenant world (``tests.services.tenant_world``) the contractor's crew, the only one allowed
in the east, gets a published Tuesday route holding one job, at 08:00-10:00. The campaign's
visits take two hours each, so one visit fills a whole offered window. Then a tenant books a
Tuesday window (the booking makes a job at once; it is on no route): offers for a neighbour no
longer include any window whose two hours overlap the booked ones. Both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world

from sitecrew.db import models as m
from sitecrew.domain.jobs import AppointmentStatus, JobKind, JobStatus
from sitecrew.domain.offers import OfferQuery
from sitecrew.domain.routes import PlanOptions, RouteState
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import ChooseTime, choose_tenant_time

NOW = datetime.now(UTC)
PUBLISH = PlanOptions(seed=1, time_limit_s=None, max_iterations=300, publish=True)
TWO_HOURS = timedelta(hours=2)


def add_routed_job(session, world, start: datetime) -> int:
    """Add a 30-minute job in the east booked from ``start`` for two hours (on no route yet)."""
    job = m.Job(
        region_id=world.offers.region_id,
        kind=JobKind.INSTALL_MEDIA_BOX.value,
        apartment_id=world.offers.east_flats[0],
        duration_minutes=30,
        required_skills=["media_box"],
        priority=3,
        status=JobStatus.OPEN.value,
        version=1,
    )
    session.add(job)
    session.flush()
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=start,
            window_end=start + TWO_HOURS,
            status=AppointmentStatus.CONFIRMED.value,
        )
    )
    session.flush()
    return job.id


def published_route_jobs(session, crew_id: int) -> list[int]:
    """Return the jobs of the crew's published Tuesday route (it must have one)."""
    route_id = session.scalar(
        select(m.Route.id).where(
            m.Route.crew_id == crew_id,
            m.Route.service_date == TUESDAY,
            m.Route.status == RouteState.PUBLISHED.value,
        )
    )
    assert route_id is not None, "the crew's Tuesday is planned and published"
    query = select(m.RouteStop.job_id).where(
        m.RouteStop.route_id == route_id, m.RouteStop.job_id.is_not(None)
    )
    return list(session.scalars(query))


@pytest.fixture
def world(session, planning_osm):
    world = build_tenant_world(session)
    session.get(m.Campaign, world.campaign_id).minutes_per_home = 120
    routed = add_routed_job(session, world, local(TUESDAY, 8))
    plan_day(session, region=world.offers.region_id, day=TUESDAY, osm=planning_osm, options=PUBLISH)
    assert published_route_jobs(session, world.crew_id) == [routed]
    return world


def tuesday_windows(session, world, flat: int, osm) -> list[datetime]:
    query = OfferQuery(flat, TUESDAY, TUESDAY, 50)
    found = appointment_offers(session, world.planner, query, osm=osm, now=NOW)
    assert {o.crew_id for o in found} <= {world.crew_id}
    return sorted(o.window_start for o in found)


def overlaps(start: datetime, other: datetime) -> bool:
    return start < other + TWO_HOURS and other < start + TWO_HOURS


def test_a_visit_booked_after_the_route_takes_its_two_hours_from_the_offers(
    session, world, planning_osm
):
    neighbour = world.flats[1]
    before = tuesday_windows(session, world, neighbour, planning_osm)
    taken = local(TUESDAY, 10)
    assert taken in before
    assert [w for w in before if w != taken and overlaps(w, taken)], "neighbours overlap first"
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[0],)),
        links=LINKS,
        actor="test",
    )
    tenant = authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal
    choose_tenant_time(session, tenant, ChooseTime(taken), osm=planning_osm, now=NOW)
    booked = session.scalar(
        select(m.CampaignVisit.job_id).where(m.CampaignVisit.campaign_home_id == world.homes[0])
    )
    assert booked not in published_route_jobs(session, world.crew_id)

    after = tuesday_windows(session, world, neighbour, planning_osm)

    assert after, "the crew still has room on Tuesday"
    assert [w for w in after if overlaps(w, taken)] == []
    assert set(after) <= set(before)


def test_a_crew_day_at_its_job_limit_through_bookings_after_its_route_offers_nothing(
    session, world, planning_osm
):
    """Route: one job; limit two; one tenant books since: nobody else is offered Tuesday."""
    session.get(m.Crew, world.crew_id).max_jobs_per_day = 2
    assert tuesday_windows(session, world, world.flats[1], planning_osm)
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[0],)),
        links=LINKS,
        actor="test",
    )
    tenant = authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal
    choose_tenant_time(session, tenant, ChooseTime(local(TUESDAY, 13)), osm=planning_osm, now=NOW)

    assert tuesday_windows(session, world, world.flats[1], planning_osm) == []
