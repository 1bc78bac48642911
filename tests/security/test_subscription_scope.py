"""Live subscriptions are reads: who may follow what, and what a follower is sent.

A follower names a region or a crew; the server decides from the token which it may follow, and
re-reads every changed row through the read rules, so neither the topic a client names (by
variables or fragments) nor the ids an event carries widen what it sees.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely
from sqlalchemy import delete, select
from starlette.websockets import WebSocketDisconnect
from tests.live_world import codes, insert_running_run, live_client, socket, subscribe

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Role
from sitecrew.events import publish, topics, use_redis
from sitecrew.services.access import create_token, revoke_token

pytestmark = pytest.mark.timeout(120)

JOBS = "subscription J($region: String!) { jobStatusChanged(region: $region) { id status } }"
BY_FRAGMENT = (
    "subscription J($region: String!) { ...Follow }"
    " fragment Follow on Subscription { jobStatusChanged(region: $region) { id status } }"
)
INLINE = (
    'subscription { ... on Subscription { jobStatusChanged(region: "REGION") { id status } } }'
)
ROUTE = (
    "subscription R($crew: ID!, $date: Date!) "
    "{ routePublished(crewId: $crew, date: $date) { id } }"
)
PROGRESS = "subscription P($id: ID!) { planningRunProgress(id: $id) { status progress } }"
CANCEL = (
    "mutation C($id: ID!, $version: Int!) {"
    " changeJobStatus(input: {id: $id, status: CANCELLED, version: $version}) { __typename } }"
)


@pytest.fixture
def other_region(world_sessions):
    """A second region, with a planner token of its own."""
    with world_sessions.begin() as session:
        region = m.Region(
            name="Bergen live", slug="bergen-live", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5))
        )
        session.add(region)
        session.flush()
        secret = create_token(session, name="bergen", role=Role.PLANNER, region_id=region.id)[0]
        region_id = region.id
    yield region_id, secret
    with world_sessions.begin() as session:
        session.execute(delete(m.ApiToken).where(m.ApiToken.region_id == region_id))
        session.execute(delete(m.Region).where(m.Region.id == region_id))


@pytest.fixture
def two_jobs(world_sessions, api_world):
    """An open job in the contractor's districts on the crew's route in three days, and one
    outside both; removed afterwards."""
    with world_sessions.begin() as session:
        theirs = select(m.District.id).where(m.District.contractor_id == api_world.contractor_id)
        inside = session.scalar(select(m.Apartment.id).where(m.Apartment.district_id.in_(theirs)))
        outside = session.scalar(
            select(m.Apartment.id).where(
                m.Apartment.district_id.not_in(theirs) | m.Apartment.district_id.is_(None)
            )
        )
        jobs = [
            m.Job(
                region_id=api_world.region_id,
                kind="inspect",
                apartment_id=apartment,
                duration_minutes=15,
                required_skills=[],
                priority=3,
                status="open",
            )
            for apartment in (inside, outside)
        ]
        session.add_all(jobs)
        session.flush()
        timezone = session.get(m.Region, api_world.region_id).timezone
        day = datetime.now(ZoneInfo(timezone)).date() + timedelta(days=3)
        route = m.Route(crew_id=api_world.crew_id, service_date=day, status="published")
        session.add(route)
        session.flush()
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=1,
                kind="job",
                job_id=jobs[0].id,
                arrival_at=start,
                departure_at=start + timedelta(minutes=15),
            )
        )
        ids = (jobs[0].id, jobs[1].id)
        versions = (jobs[0].version, jobs[1].version)
        route_id = route.id
    yield ids, versions
    with world_sessions.begin() as session:
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id == route_id))
        session.execute(delete(m.Route).where(m.Route.id == route_id))
        session.execute(delete(m.Job).where(m.Job.id.in_(ids)))


@pytest.mark.parametrize("how", ["variables", "fragment", "inline"])
def test_a_planner_cannot_follow_another_regions_jobs_whichever_way_it_names_it(
    client, api_world, other_region, how
):
    """Another region is NOT_FOUND for a planner, by variable, named or inline fragment, slug."""
    region_id, _ = other_region
    with socket(client, api_world.tokens["planner"]) as ws:
        for ref in (str(region_id), "bergen-live", "BERGEN-LIVE"):
            if how == "inline":
                subscribe(ws, ref, INLINE.replace("REGION", ref))
            else:
                subscribe(ws, ref, JOBS if how == "variables" else BY_FRAGMENT, region=ref)
            refused = ws.receive_json()
            assert refused["payload"]["data"] is None
            assert codes(refused) == ["NOT_FOUND"]
            message = refused["payload"]["errors"][0]["message"]
            assert "known regions: oslo (Oslo sentrum)" in message  # never the other region
            assert "Bergen live" not in message
            assert ws.receive_json()["type"] == "complete"


@pytest.mark.parametrize("role", ["contractor", "crew", "other_crew"])
def test_contractors_and_crews_may_follow_only_the_region_they_work_in(
    client, api_world, other_region, role
):
    """Their own region is followed; another one is NOT_FOUND."""
    region_id, secret = other_region
    with socket(client, api_world.tokens[role]) as ws:
        subscribe(ws, "other", JOBS, region=str(region_id))
        assert codes(ws.receive_json()) == ["NOT_FOUND"]
        assert ws.receive_json()["type"] == "complete"
    with socket(client, secret) as ws:  # and the other region's planner cannot follow ours
        subscribe(ws, "ours", JOBS, region=str(api_world.region_id))
        assert codes(ws.receive_json()) == ["NOT_FOUND"]


def test_each_follower_is_sent_only_the_jobs_it_may_see_when_an_event_names_others(
    api_world, redis_settings, two_jobs, monkeypatch
):
    """A forged event and a real change outside a follower's scope send it nothing."""
    from sitecrew.api import live

    monkeypatch.setattr(live, "LIST_RECHECK_S", 60.0)
    (inside, outside), (inside_version, outside_version) = two_jobs
    region = str(api_world.region_id)
    with (
        live_client(api_world, redis_settings) as client,
        socket(client, api_world.tokens["contractor"]) as contractor,
        socket(client, api_world.tokens["crew"]) as crew,
        socket(client, api_world.tokens["planner"]) as planner,
    ):
        for ws in (contractor, crew, planner):
            subscribe(ws, "j", JOBS, region=region)
        time.sleep(0.5)  # each has read the statuses it starts from
        release = use_redis(redis_settings)
        try:
            publish(topics.region_jobs(api_world.region_id), {"jobs": [outside, 10**9]})
        finally:
            release()
        _cancel(client, api_world, outside, outside_version)
        _cancel(client, api_world, inside, inside_version)
        for ws in (contractor, crew):
            assert ws.receive_json()["payload"]["data"]["jobStatusChanged"] == {
                "id": str(inside),
                "status": "CANCELLED",
            }
        seen = [planner.receive_json()["payload"]["data"]["jobStatusChanged"]["id"] for _ in "ab"]
        assert sorted(seen) == sorted([str(outside), str(inside)])  # the planner sees both


@pytest.mark.parametrize(("role", "code"), [("other_crew", "NOT_FOUND"), ("contractor", "FORBIDDEN")])
def test_another_crews_route_cannot_be_followed(client, api_world, role, code):
    """A crew follows its own route only; contractors may not read crews' routes at all."""
    today = datetime.now(UTC).date().isoformat()
    with socket(client, api_world.tokens[role]) as ws:
        subscribe(ws, "r", ROUTE, crew=str(api_world.crew_id), date=today)
        assert codes(ws.receive_json()) == [code]


def test_live_subscriptions_count_against_the_cap_of_a_connection(api_world):
    """jobStatusChanged and routePublished take places of ``max_subscriptions`` like any other."""
    today = datetime.now(UTC).date().isoformat()
    with (
        live_client(api_world, None, max_subscriptions=2) as client,
        socket(client, api_world.tokens["planner"]) as ws,
    ):
        subscribe(ws, "a", JOBS, region=str(api_world.region_id))
        subscribe(ws, "b", ROUTE, crew=str(api_world.crew_id), date=today)
        assert ws.receive_json()["id"] == "b"  # the route now (the jobs stream sends nothing yet)
        subscribe(ws, "c", JOBS, region=str(api_world.region_id))
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "c")
        assert codes(refused) == ["TOO_MANY_SUBSCRIPTIONS"]


def test_a_costly_subscription_is_refused_before_it_runs(api_world):
    """The cost budget of HTTP holds for subscriptions: a route's every stop is priced."""
    query = (
        "subscription R($crew: ID!, $date: Date!) { routePublished(crewId: $crew, date: $date)"
        " { stops { job { appointments { id } } apartment { building { address } } } } }"
    )
    today = datetime.now(UTC).date().isoformat()
    with (
        live_client(api_world, None, max_cost=100) as client,
        socket(client, api_world.tokens["planner"]) as ws,
    ):
        subscribe(ws, "r", query, crew=str(api_world.crew_id), date=today)
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "r")
        assert codes(refused) == ["QUERY_TOO_COSTLY"]


def test_a_running_subscription_stops_when_its_token_is_revoked(
    client, api_world, world_sessions
):
    """Revoking the token ends an open stream (UNAUTHENTICATED, then 4403) within seconds."""
    with world_sessions.begin() as session:
        fresh = create_token(
            session, name="revoked live", role=Role.PLANNER, region_id=api_world.region_id
        )
    run_id = insert_running_run(world_sessions, api_world.region_id)
    try:
        with socket(client, fresh.secret) as ws:
            subscribe(ws, "1", PROGRESS, id=str(run_id))
            assert ws.receive_json()["type"] == "next"
            with world_sessions.begin() as session:
                revoke_token(session, fresh.token.id)
            revoked_at = time.monotonic()
            stopped = ws.receive_json()
            assert (stopped["type"], stopped["id"]) == ("error", "1")
            assert codes(stopped) == ["UNAUTHENTICATED"]
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4403
            assert time.monotonic() - revoked_at < 5.0
    finally:
        with world_sessions.begin() as session:
            session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == run_id))


def _cancel(client, world, job_id: int, version: int) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['planner']}"}
    variables = {"id": str(job_id), "version": version}
    body = client.post("/graphql", json={"query": CANCEL, "variables": variables}, headers=headers)
    assert body.json()["data"]["changeJobStatus"]["__typename"] == "Job", body.text
