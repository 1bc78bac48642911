"""A planner's ``bookAppointment`` keeps the tenants' rule: a crew's day is never overbooked.

The planner books with the same region booking turn and write-time re-check as a tenant
(``services.appointments.booking.require_offered``). The jobs the planner books are campaign
visits held for the contractor's crew (materialised for a day in the second week), so a
window booked on Tuesday counts on that crew's Tuesday as a tenant's booking does.

- In one rolled-back transaction: a planner's window on a full day, or when nobody works, is
  refused (``WINDOW_NOT_OFFERED``); once the planner took the last place, a tenant is offered
  nothing that day and its pick is refused.
- On committed databases: seventeen tenants and three planner bookings race for the crew's
  Tuesday, which has room for :data:`PLACES` visits; exactly that many win.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.job_commands import BookAppointment
from sitecrew.domain.jobs import AppointmentStatus, TimeWindow
from sitecrew.domain.offers import OfferQuery
from sitecrew.errors import WindowNotOfferedError
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.campaigns.daily import materialise_home
from sitecrew.services.jobs import book_appointment
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import ChooseTime, choose_tenant_time
from sitecrew.services.tenant_visits.read import tenant_offers

PLACES = 3
#: Homes whose visits the planner books (held for the crew, on a day of the second week).
HELD = 3
NOW = datetime.now(UTC)
LATER = TUESDAY + timedelta(days=8)


def _held_jobs(session, world) -> list[int]:
    """Materialise the last :data:`HELD` homes for :data:`LATER`; return their jobs."""
    campaign = session.get(m.Campaign, world.campaign_id)
    jobs = []
    for home_id in world.homes[-HELD:]:
        home = session.get(m.CampaignHome, home_id)
        home.state, home.confirmed = HomeState.CONFIRMED.value, True
        home.day, home.crew_id = LATER, world.crew_id
        home.window_start, home.window_end = local(LATER, 8), local(LATER, 10)
        jobs.append(materialise_home(session, campaign, home)[1])
    session.flush()
    return jobs


def _tuesday_bookings(session) -> int:
    """Confirmed appointments starting on Tuesday (local), whoever booked them."""
    return session.scalar(
        select(func.count(m.Appointment.id)).where(
            m.Appointment.status == AppointmentStatus.CONFIRMED.value,
            m.Appointment.window_start >= local(TUESDAY, 0),
            m.Appointment.window_start < local(TUESDAY, 23),
        )
    )


def _tenant(session, world, index: int):
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[index],)),
        links=LINKS,
        actor="test",
    )
    return authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal


def _book(session, world, job_id: int, start: datetime, hours: int = 2, *, osm):
    window = TimeWindow(start, start + timedelta(hours=hours))
    return book_appointment(
        session, world.planner, BookAppointment(job_id, window), osm=osm, now=NOW
    )


def test_a_planners_window_is_refused_when_the_crews_day_is_full(session, planning_osm):
    """One place left: a tenant takes it, then the planner's booking of that day is refused."""
    world = build_tenant_world(session, places=1)
    [job_id, *_] = _held_jobs(session, world)
    tenant = _tenant(session, world, 1)
    choose_tenant_time(session, tenant, ChooseTime(local(TUESDAY, 8)), osm=planning_osm, now=NOW)
    with pytest.raises(WindowNotOfferedError):
        _book(session, world, job_id, local(TUESDAY, 12), osm=planning_osm)
    assert _tuesday_bookings(session) == 1


def test_a_planners_window_outside_every_crews_shift_is_refused(session, planning_osm):
    """Nobody works 03:00-05:00: no crew can make it, though the day has room."""
    world = build_tenant_world(session)
    [job_id, *_] = _held_jobs(session, world)
    with pytest.raises(WindowNotOfferedError):
        _book(session, world, job_id, local(TUESDAY, 3), osm=planning_osm)
    booked = _book(session, world, job_id, local(TUESDAY, 9), hours=4, osm=planning_osm)
    assert booked.status is AppointmentStatus.CONFIRMED
    assert _tuesday_bookings(session) == 1


def test_a_tenant_is_refused_the_place_a_planner_took_last(session, planning_osm):
    """The planner's booking counts on the crew's day: the tenant sees no Tuesday any more."""
    world = build_tenant_world(session, places=1)
    [job_id, *_] = _held_jobs(session, world)
    tenant = _tenant(session, world, 1)
    offered = tenant_offers(session, tenant, osm=planning_osm, limit=50, now=NOW)
    assert any(o.day == TUESDAY for o in offered)
    _book(session, world, job_id, local(TUESDAY, 8), osm=planning_osm)
    offered = tenant_offers(session, tenant, osm=planning_osm, limit=50, now=NOW)
    assert not any(o.day == TUESDAY for o in offered)
    with pytest.raises(WindowNotOfferedError):
        choose_tenant_time(
            session, tenant, ChooseTime(local(TUESDAY, 10)), osm=planning_osm, now=NOW
        )


@pytest.fixture
def committed(backend, database_url_factory):
    """A database of ``backend`` with the tenant world and the held jobs, committed."""
    engine = engine_from_url(database_url_factory(backend, "planner_race"))
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_tenant_world(session, places=PLACES)
        jobs = _held_jobs(session, world)
        tenants = [_tenant(session, world, index) for index in range(len(world.flats) - HELD)]
    yield engine, world, jobs, tenants
    engine.dispose()


def test_a_planner_racing_seventeen_tenants_never_overbooks_one_crew_day(committed, planning_osm):
    """Twenty bookings of Tuesday 08:00-10:00 at once: exactly the day's places are taken."""
    engine, world, jobs, tenants = committed
    writes = write_session_factory(engine)
    start = threading.Barrier(len(jobs) + len(tenants))
    outcomes: list[str] = []

    def attempt(book) -> None:
        start.wait()
        with writes() as session:
            try:
                book(session)
                session.commit()
                outcomes.append("booked")
            except WindowNotOfferedError:
                outcomes.append("refused")

    def by_tenant(tenant):
        return lambda s: choose_tenant_time(
            s, tenant, ChooseTime(local(TUESDAY, 8)), osm=planning_osm, now=NOW
        )

    def by_planner(job_id):
        return lambda s: _book(s, world, job_id, local(TUESDAY, 8), osm=planning_osm)

    bookings = [by_planner(j) for j in jobs] + [by_tenant(t) for t in tenants]
    threads = [threading.Thread(target=attempt, args=(b,)) for b in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(outcomes) == ["booked"] * PLACES + ["refused"] * (len(bookings) - PLACES)
    with session_factory(engine)() as session:
        assert _tuesday_bookings(session) == PLACES
        query = OfferQuery(world.offers.east_flats[1], TUESDAY, TUESDAY, 50)
        late = appointment_offers(session, world.planner, query, osm=planning_osm, now=NOW)
        assert late == []
