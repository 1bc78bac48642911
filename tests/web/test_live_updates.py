"""Live updates across processes: a change committed by another process reaches a socket.

The second process is a real one (``tests.live_world``), which writes and publishes as a planning
worker on another machine does; the server listens through a real Redis (a channel prefix of
this test session's own), or, without Redis, reads the database again.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from tests.live_world import (
    elsewhere,
    insert_running_run,
    live_client,
    own_redis,
    queue_worker,
    redis_reachable,
    socket,
    subscribe,
)

from sitecrew.api import live
from sitecrew.db import models as m

PROGRESS = (
    "subscription P($id: ID!) { planningRunProgress(id: $id) { status progress step } }"
)
ROUTE = (
    "subscription R($crew: ID!, $date: Date!) "
    "{ routePublished(crewId: $crew, date: $date) { id status date } }"
)
JOBS = "subscription J($region: String!) { jobStatusChanged(region: $region) { id status version } }"
CHANGE = (
    "mutation C($id: ID!, $status: JobStatus!, $version: Int!) {"
    " changeJobStatus(input: {id: $id, status: $status, version: $version}) {"
    " __typename ... on Job { id version } } }"
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def running_run(world_sessions, api_world):
    """A run another server executes; removed afterwards."""
    run_id = insert_running_run(world_sessions, api_world.region_id)
    yield run_id
    with world_sessions.begin() as session:
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id == run_id))


def test_progress_made_by_another_process_reaches_the_socket_when_redis_carries_it(
    api_world, redis_settings, running_run, monkeypatch
):
    """A worker process's progress and success arrive by event, not by the periodic re-read."""
    monkeypatch.setattr(live, "RUN_RECHECK_S", 60.0)  # only an event can bring it in time
    with (
        live_client(api_world, redis_settings) as client,
        socket(client, api_world.tokens["planner"]) as ws,
    ):
        subscribe(ws, "1", PROGRESS, id=str(running_run))
        first = ws.receive_json()["payload"]["data"]["planningRunProgress"]
        assert (first["status"], first["progress"]) == ("RUNNING", 0.25)
        started, _ = map(float, elsewhere(
            "progress", api_world.url, running_run, "solve", 1, 2, redis=redis_settings
        ))
        moved = ws.receive_json()
        latency = time.time() - started
        assert moved["payload"]["data"]["planningRunProgress"]["step"] == "solve"
        assert moved["payload"]["data"]["planningRunProgress"]["progress"] == pytest.approx(0.5)
        assert latency < 5.0  # measured on this machine: see the issue note (tens of ms)
        elsewhere("finish", api_world.url, running_run, redis=redis_settings)
        done = ws.receive_json()["payload"]["data"]["planningRunProgress"]
        assert (done["status"], done["progress"]) == ("SUCCEEDED", 1.0)
        assert ws.receive_json()["type"] == "complete"


@pytest.mark.slow
def test_a_run_on_a_queue_worker_is_followed_to_its_end_through_redis(
    api_world, redis_settings, osm_dir, tmp_path, monkeypatch
):
    """planRoutes on this server, the run on a ``sitecrew worker`` process: every step of its
    progress reaches the socket by event (the safety-net read is pushed out of reach)."""
    from sitecrew.config import OsmSettings

    monkeypatch.setattr(live, "RUN_RECHECK_S", 600.0)
    osm = OsmSettings(directory=osm_dir, cache_directory=tmp_path / "graphs")
    plan = (
        "mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {"
        " __typename ... on PlanningRun { id } ... on Problem { code message } } }"
    )
    variables = {"input": {"region": "oslo", "date": "2026-06-02", "timeLimitSeconds": 1}}
    headers = {"Authorization": f"Bearer {api_world.tokens['planner']}"}
    with (
        queue_worker(api_world.url, osm, redis_settings),
        live_client(api_world, redis_settings, osm) as client,
        socket(client, api_world.tokens["planner"]) as ws,
    ):
        body = client.post("/graphql", json={"query": plan, "variables": variables}, headers=headers)
        run = body.json()["data"]["planRoutes"]
        assert run["__typename"] == "PlanningRun", run
        subscribe(ws, "1", PROGRESS, id=run["id"])
        seen = []
        while (message := ws.receive_json())["type"] == "next":
            seen.append(message["payload"]["data"]["planningRunProgress"])
        assert message["type"] == "complete"
    assert seen[-1]["status"] == "SUCCEEDED", seen[-1]
    steps = [update["step"] for update in seen]
    assert "solve" in steps  # progress of the worker's solve arrived while it ran
    progress = [update["progress"] for update in seen]
    assert progress == sorted(progress)


def test_progress_made_by_another_process_arrives_when_no_redis_is_configured(
    api_world, running_run
):
    """The embedded mode: no Redis anywhere, the server reads the run again every half second."""
    with (
        live_client(api_world, None) as client,
        socket(client, api_world.tokens["planner"]) as ws,
    ):
        subscribe(ws, "1", PROGRESS, id=str(running_run))
        assert ws.receive_json()["payload"]["data"]["planningRunProgress"]["progress"] == 0.25
        started, _ = map(float, elsewhere(
            "progress", api_world.url, running_run, "solve", 1, 2, redis=None
        ))
        moved = ws.receive_json()["payload"]["data"]["planningRunProgress"]
        assert moved["progress"] == pytest.approx(0.5)
        assert time.time() - started < 5.0


def test_a_route_published_by_another_process_reaches_its_crew_when_redis_carries_it(
    api_world, redis_settings, world_sessions, monkeypatch
):
    """The crew's stream starts with no route for the day, then gets the one just published."""
    monkeypatch.setattr(live, "LIST_RECHECK_S", 60.0)
    with world_sessions() as session:
        region = session.get(m.Region, api_world.region_id)
        day = crew_today_of(region.timezone) + timedelta(days=5)
    try:
        with (
            live_client(api_world, redis_settings) as client,
            socket(client, api_world.tokens["crew"]) as crew_ws,
            socket(client, api_world.tokens["planner"]) as planner_ws,
        ):
            for ws in (crew_ws, planner_ws):
                subscribe(ws, "r", ROUTE, crew=str(api_world.crew_id), date=day.isoformat())
                assert ws.receive_json()["payload"]["data"] == {"routePublished": None}
            route_id, _, _ = elsewhere(
                "publish-route",
                api_world.url,
                api_world.crew_id,
                day.isoformat(),
                api_world.region_id,
                redis=redis_settings,
            )
            for ws in (crew_ws, planner_ws):
                got = ws.receive_json()["payload"]["data"]["routePublished"]
                assert (got["id"], got["status"], got["date"]) == (
                    route_id,
                    "PUBLISHED",
                    day.isoformat(),
                )
    finally:
        _drop_routes(world_sessions, api_world.crew_id, day)


def test_a_job_status_change_reaches_the_region_follower_when_changed_over_http(
    api_world, redis_settings, world_sessions, monkeypatch
):
    """A status changed through the API is sent to the planner following the region."""
    monkeypatch.setattr(live, "LIST_RECHECK_S", 60.0)
    with live_client(api_world, redis_settings) as client:
        job_id, version = _open_job(client, api_world)
        try:
            with socket(client, api_world.tokens["planner"]) as ws:
                subscribe(ws, "j", JOBS, region=str(api_world.region_id))
                time.sleep(0.5)  # the subscription listens once it has read the statuses
                body = _change(client, api_world, job_id, "CANCELLED", version)
                changed = ws.receive_json()["payload"]["data"]["jobStatusChanged"]
                assert changed == {
                    "id": job_id,
                    "status": "CANCELLED",
                    "version": body["data"]["changeJobStatus"]["version"],
                }
        finally:
            with world_sessions.begin() as session:
                session.execute(delete(m.Job).where(m.Job.id == int(job_id)))


def test_the_stream_goes_on_from_the_database_when_redis_stops_mid_subscription(
    api_world, running_run, tmp_path, monkeypatch
):
    """Redis stopped: no error reaches the client; progress still arrives, read from the database;
    Redis back: the subscription listens to it again and events bring the rest.

    Decided behaviour: a live subscription never fails because Redis went away; it reads the
    database at the polling rate (as without Redis) and subscribes again once Redis is back.
    """
    import redis

    from sitecrew.config import RedisSettings
    from sitecrew.events.redis_bus import channel

    monkeypatch.setattr(live, "RUN_RECHECK_S", 600.0)  # with Redis up, only events bring news
    server, url = own_redis(tmp_path)
    settings = RedisSettings(url=url, prefix="stop-test")
    try:
        with (
            live_client(api_world, settings) as client,
            socket(client, api_world.tokens["planner"]) as ws,
        ):
            subscribe(ws, "1", PROGRESS, id=str(running_run))
            assert ws.receive_json()["payload"]["data"]["planningRunProgress"]["progress"] == 0.25
            server.terminate()
            server.wait(timeout=10)
            assert not redis_reachable(url)
            elsewhere("progress", api_world.url, running_run, "solve", 1, 2, redis=settings)
            moved = ws.receive_json()
            assert moved["type"] == "next"
            assert moved["payload"]["data"]["planningRunProgress"]["progress"] == pytest.approx(0.5)

            server, _ = own_redis(tmp_path, port=int(url.rsplit(":", 1)[1].split("/")[0]))
            topic = channel("stop-test", f"run:{running_run}")
            back = redis.Redis.from_url(url)
            deadline = time.monotonic() + 20
            while back.pubsub_numsub(topic)[0][1] < 1:  # the stream subscribed again
                assert time.monotonic() < deadline, "the subscription never came back to Redis"
                time.sleep(0.1)
            back.close()
            elsewhere("progress", api_world.url, running_run, "geometry", 1, 1, redis=settings)
            again = ws.receive_json()["payload"]["data"]["planningRunProgress"]
            assert again["step"] == "geometry"
            elsewhere("finish", api_world.url, running_run, redis=settings)
            done = ws.receive_json()["payload"]["data"]["planningRunProgress"]
            assert done["status"] == "SUCCEEDED"
            assert ws.receive_json()["type"] == "complete"
    finally:
        server.kill()
        server.wait(timeout=10)


def test_an_event_is_sent_when_its_change_commits_and_never_when_it_rolls_back(engine):
    """publish_after_commit waits for the commit; a rolled-back change sends nothing."""
    import anyio
    from sqlalchemy import text

    from sitecrew.config import RedisSettings
    from sitecrew.db.engine import session_factory
    from sitecrew.events import listen, publish_after_commit

    topic = "test:after-commit"

    async def scenario() -> None:
        async with listen(topic, RedisSettings()) as listener:
            with session_factory(engine)() as session:
                session.execute(text("SELECT 1"))
                publish_after_commit(session, topic, {"n": 1})
                session.rollback()
                session.execute(text("SELECT 1"))
                publish_after_commit(session, topic, {"n": 2})
                assert await listener.receive(0.1) is None  # not committed yet
                session.commit()
            assert await listener.receive(2.0) == {"n": 2}
            assert await listener.receive(0.1) is None

    anyio.run(scenario)


# --- helpers ----------------------------------------------------------------------------------


def crew_today_of(timezone: str):
    return datetime.now(ZoneInfo(timezone)).date()


def _drop_routes(world_sessions, crew_id: int, day) -> None:
    with world_sessions.begin() as session:
        routes = select(m.Route.id).where(m.Route.crew_id == crew_id, m.Route.service_date == day)
        runs = list(session.scalars(select(m.Route.run_id).where(m.Route.id.in_(routes))))
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(routes)))
        session.execute(delete(m.Route).where(m.Route.crew_id == crew_id, m.Route.service_date == day))
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id.in_([r for r in runs if r])))


def _open_job(client, world) -> tuple[str, int]:
    """A new open job in the world's region (created through the API)."""
    query = (
        "mutation N($region: String!, $apartment: ID!) { createJob(input: {region: $region,"
        " kind: INSPECT, apartmentId: $apartment}) { __typename ... on Job { id version } } }"
    )
    headers = {"Authorization": f"Bearer {world.tokens['planner']}"}
    variables = {"region": str(world.region_id), "apartment": str(world.unvisited_apartment_id)}
    body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    job = body.json()["data"]["createJob"]
    return job["id"], job["version"]


def _change(client, world, job_id: str, status: str, version: int) -> dict:
    headers = {"Authorization": f"Bearer {world.tokens['planner']}"}
    variables = {"id": job_id, "status": status, "version": version}
    body = client.post("/graphql", json={"query": CHANGE, "variables": variables}, headers=headers)
    assert body.status_code == 200, body.text
    assert body.json()["data"]["changeJobStatus"]["__typename"] == "Job", body.text
    return body.json()
