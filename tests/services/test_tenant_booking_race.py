"""Twenty tenants race for the last places of one crew's day: the day is never overbooked.

Each tenant looked at the offers before anyone booked, so all twenty ask for Tuesday's first
window of the one crew allowed in their district, which has room for :data:`PLACES` more
visits. They book at once, from twenty threads, each in its own session and transaction on a
committed database (PostgreSQL: the region's row lock orders them; SQLite: ``BEGIN IMMEDIATE``
write sessions, as the web app uses). Exactly :data:`PLACES` win; the others get ``WINDOW_NOT_OFFERED``; the crew's
Tuesday holds exactly the winners, and nobody is offered Tuesday any more.

Run twice: with Tuesday not planned yet (the crew's day is its booked visits), and with Tuesday
already planned and published (a route holding one other job, the crew's limit one higher), so
every winner's visit is booked after the route was made and is on no route: the offers must
count it all the same.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, FLATS, LINKS, TUESDAY, build_tenant_world
from tests.services.test_offers_on_routed_days import PUBLISH, add_routed_job, published_route_jobs

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.offers import OfferQuery
from sitecrew.errors import WindowNotOfferedError
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import ChooseTime, choose_tenant_time
from sitecrew.services.tenant_visits.read import tenant_offers

PLACES = 3
NOW = datetime.now(UTC)


@pytest.fixture(params=["unplanned", "routed"])
def committed(request, backend, database_url_factory, planning_osm):
    """A database of ``backend`` holding the tenant world, committed (dropped afterwards).

    ``routed``: Tuesday is planned and published first, its route holding one east job.
    """
    routed = request.param == "routed"
    engine = engine_from_url(database_url_factory(backend, "tenant_race"))
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_tenant_world(session, places=PLACES + routed)
        links = issue_links(
            session, ADMIN, IssueLinks(world.campaign_id), links=LINKS, actor="test"
        )
        if routed:
            job_id = add_routed_job(session, world, local(TUESDAY, 14))
            region = world.offers.region_id
            plan_day(session, region=region, day=TUESDAY, osm=planning_osm, options=PUBLISH)
            assert published_route_jobs(session, world.crew_id) == [job_id]
    yield engine, world, [link.url.rpartition("/t/")[2] for link in links]
    engine.dispose()


def test_twenty_tenants_racing_never_overbook_one_crew_day(committed, planning_osm):
    engine, world, tokens = committed
    assert len(tokens) == FLATS == 20
    reads = session_factory(engine)
    wanted = {}
    with reads() as session:
        for token in tokens:
            tenant = authenticate_link(session, LINKS.secret, token).principal
            tuesday = [
                o
                for o in tenant_offers(session, tenant, osm=planning_osm, limit=50, now=NOW)
                if o.day == TUESDAY
            ]
            assert tuesday, "every tenant saw a Tuesday window before the race"
            wanted[token] = (tenant, min(o.window_start for o in tuesday))
    writes = write_session_factory(engine)
    start = threading.Barrier(len(tokens))
    outcomes: dict[str, str] = {}

    def book(token: str) -> None:
        tenant, window = wanted[token]
        start.wait()
        with writes() as session:
            try:
                choose_tenant_time(session, tenant, ChooseTime(window), osm=planning_osm, now=NOW)
                session.commit()
                outcomes[token] = "booked"
            except WindowNotOfferedError:
                outcomes[token] = "refused"

    threads = [threading.Thread(target=book, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(outcomes.values()) == ["booked"] * PLACES + ["refused"] * (FLATS - PLACES)
    with reads() as session:
        on_tuesday = session.scalar(
            select(func.count(m.CampaignVisit.id)).where(
                m.CampaignVisit.crew_id == world.crew_id,
                m.CampaignVisit.day == TUESDAY,
                m.CampaignVisit.outcome.is_(None),
            )
        )
        assert on_tuesday == PLACES
        late = appointment_offers(
            session,
            world.planner,
            OfferQuery(world.offers.east_flats[1], TUESDAY, TUESDAY, 50),
            osm=planning_osm,
            now=NOW,
        )
        assert late == []
