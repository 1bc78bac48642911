"""A map console follows what it shows: ``jobStatusChanged(region, bbox)`` over the real socket,
and ``routePublished`` when a crew's day is planned and published again.

A job lies where planning puts it: at its apartment, its furniture item or its site. The box
narrows the stream and never widens it: the token's scope still decides first.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely
from sqlalchemy import delete, select
from tests.live_world import codes, socket, subscribe

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token

pytestmark = pytest.mark.timeout(300)

JOBS = (
    "subscription J($region: String!, $bbox: BBoxInput) "
    "{ jobStatusChanged(region: $region, bbox: $bbox) { id status } }"
)
BY_FRAGMENT = (
    "subscription J($region: String!, $bbox: BBoxInput) { ...Follow }"
    " fragment Follow on Subscription { jobStatusChanged(region: $region, bbox: $bbox)"
    " { ...Seen } } fragment Seen on Job { id status }"
)
INLINE = (
    'subscription { ... on Subscription { jobStatusChanged(region: "oslo", bbox: {BOX})'
    " { id status } } }"
)
CANCEL = (
    "mutation C($id: ID!, $version: Int!) {"
    " changeJobStatus(input: {id: $id, status: CANCELLED, version: $version})"
    " { __typename ... on Job { id } } }"
)
#: Half the side of a box drawn around one point (about 10 m in Oslo): no other target inside.
PAD = 0.0001
#: Targets chosen as "outside" lie at least this far (degrees) from the inside one.
APART = 0.003


def _near(point, other) -> bool:
    return abs(point.x - other.x) < APART and abs(point.y - other.y) < APART


def _box(*points) -> dict[str, float]:
    return {
        "west": min(p.x for p in points) - PAD,
        "south": min(p.y for p in points) - PAD,
        "east": max(p.x for p in points) + PAD,
        "north": max(p.y for p in points) + PAD,
    }


def _two_targets(session, model) -> list[tuple[int, object]]:
    """Two rows of ``model`` (apartment, furniture, site) far enough apart, with their points."""
    rows = [
        (row_id, from_db_geometry(location))
        for row_id, location in session.execute(
            select(model.id, model.location).order_by(model.id).limit(400)
        )
    ]
    first = rows[0]
    second = next(row for row in rows if not _near(row[1], first[1]))
    return [first, second]


@pytest.fixture
def jobs(world_sessions, api_world):
    """Make open jobs at given targets (``jobs(apartment_id=…)``); all removed afterwards."""
    made: list[int] = []
    routes: list[int] = []

    def make(**target: int) -> tuple[int, int]:
        with world_sessions.begin() as session:
            job = m.Job(
                region_id=api_world.region_id,
                kind="inspect",
                duration_minutes=15,
                required_skills=[],
                priority=3,
                status="open",
                **target,
            )
            session.add(job)
            session.flush()
            made.append(job.id)
            return job.id, job.version

    def on_crew_route(*job_ids: int) -> None:
        """Put the jobs on the crew's published route in three days."""
        with world_sessions.begin() as session:
            timezone = session.get(m.Region, api_world.region_id).timezone
            day = datetime.now(ZoneInfo(timezone)).date() + timedelta(days=3)
            route = m.Route(crew_id=api_world.crew_id, service_date=day, status="published")
            session.add(route)
            session.flush()
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
            session.add_all(
                m.RouteStop(
                    route_id=route.id,
                    sequence=sequence,
                    kind="job",
                    job_id=job_id,
                    arrival_at=start + timedelta(minutes=30 * sequence),
                    departure_at=start + timedelta(minutes=30 * sequence + 15),
                )
                for sequence, job_id in enumerate(job_ids, start=1)
            )
            routes.append(route.id)

    make.on_crew_route = on_crew_route  # type: ignore[attr-defined]
    yield make
    with world_sessions.begin() as session:
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(routes)))
        session.execute(delete(m.Route).where(m.Route.id.in_(routes)))
        session.execute(delete(m.Job).where(m.Job.id.in_(made)))


def _cancel(client, world, job_id: int, version: int) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['planner']}"}
    variables = {"id": str(job_id), "version": version}
    body = client.post("/graphql", json={"query": CANCEL, "variables": variables}, headers=headers)
    assert body.json()["data"]["changeJobStatus"]["__typename"] == "Job", body.text


def _ready(client, world, sentinel: tuple[int, int], *streams) -> None:
    """Cancel a job every stream may be sent and wait until each has it: from then on each
    stream hears every change (a stream sends nothing until a change, so without this a change
    made before it listened would be missed and a test of "not sent" would pass vacuously)."""
    time.sleep(0.5)  # each has read the statuses it starts from (as test_subscription_scope)
    _cancel(client, world, *sentinel)
    for ws in streams:
        assert ws.receive_json()["payload"]["data"]["jobStatusChanged"]["id"] == str(sentinel[0])


@pytest.mark.parametrize(
    "target",
    [(m.Apartment, "apartment_id"), (m.Furniture, "furniture_id"), (m.Site, "site_id")],
    ids=["apartment", "furniture", "site"],
)
def test_a_job_in_the_box_is_sent_and_one_outside_is_not_when_a_bbox_is_given(
    client, api_world, world_sessions, jobs, target
):
    """A job at an apartment, a furniture item or a site: its target's point decides."""
    model, column = target
    with world_sessions() as session:
        (inside_target, point), (outside_target, _) = _two_targets(session, model)
    inside = jobs(**{column: inside_target})
    sentinel = jobs(**{column: inside_target})
    outside = jobs(**{column: outside_target})
    with socket(client, api_world.tokens["planner"]) as ws:
        subscribe(ws, "box", JOBS, region="oslo", bbox=_box(point))
        _ready(client, api_world, sentinel, ws)
        _cancel(client, api_world, *outside)  # first: had it been sent, it would come first
        _cancel(client, api_world, *inside)
        sent = ws.receive_json()
        assert sent["id"] == "box"
        assert sent["payload"]["data"]["jobStatusChanged"] == {
            "id": str(inside[0]),
            "status": "CANCELLED",
        }


@pytest.mark.parametrize("how", ["fragment", "inline"])
def test_the_bbox_filters_the_same_when_given_through_fragments_or_inline(
    client, api_world, world_sessions, jobs, how
):
    """Named fragments with variables, and an inline fragment with a literal box."""
    with world_sessions() as session:
        (inside_target, point), (outside_target, _) = _two_targets(session, m.Apartment)
    inside = jobs(apartment_id=inside_target)
    sentinel = jobs(apartment_id=inside_target)
    outside = jobs(apartment_id=outside_target)
    box = _box(point)
    with socket(client, api_world.tokens["planner"]) as ws:
        if how == "fragment":
            subscribe(ws, "f", BY_FRAGMENT, region=str(api_world.region_id), bbox=box)
        else:
            literal = ", ".join(f"{side}: {value!r}" for side, value in box.items())
            subscribe(ws, "f", INLINE.replace("BOX", literal))
        _ready(client, api_world, sentinel, ws)
        _cancel(client, api_world, *outside)
        _cancel(client, api_world, *inside)
        assert ws.receive_json()["payload"]["data"]["jobStatusChanged"]["id"] == str(inside[0])


def test_a_crew_following_a_box_gets_only_its_routes_jobs_when_both_lie_inside(
    client, api_world, world_sessions, jobs
):
    """The box narrows what the scope allows, never more: the planner sees both jobs."""
    with world_sessions() as session:
        (first, first_point), (second, second_point) = _two_targets(session, m.Apartment)
    routed = jobs(apartment_id=first)
    sentinel = jobs(apartment_id=first)
    jobs.on_crew_route(routed[0], sentinel[0])
    unrouted = jobs(apartment_id=second)
    box = _box(first_point, second_point)
    with (
        socket(client, api_world.tokens["crew"]) as crew,
        socket(client, api_world.tokens["other_crew"]) as other_crew,
        socket(client, api_world.tokens["planner"]) as planner,
    ):
        for ws in (crew, other_crew, planner):
            subscribe(ws, "c", JOBS, region="oslo", bbox=box)
        _ready(client, api_world, sentinel, crew, planner)
        _cancel(client, api_world, *unrouted)
        _cancel(client, api_world, *routed)
        assert crew.receive_json()["payload"]["data"]["jobStatusChanged"]["id"] == str(routed[0])
        seen = {planner.receive_json()["payload"]["data"]["jobStatusChanged"]["id"] for _ in "ab"}
        assert seen == {str(routed[0]), str(unrouted[0])}
        # The other crew's stream has nothing to send; a ping proves it is still open and quiet.
        other_crew.send_json({"type": "ping"})
        assert other_crew.receive_json()["type"] == "pong"


@pytest.fixture
def outsiders(world_sessions):
    """A planner of another region and a contractor of another organisation (no districts)."""
    with world_sessions.begin() as session:
        region = m.Region(
            name="Box far", slug="box-far", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5))
        )
        organisation = m.Organisation(name="Box contractor", kind="contractor")
        session.add_all([region, organisation])
        session.flush()
        planner = create_token(session, name="box far", role=Role.PLANNER, region_id=region.id)
        contractor = create_token(
            session, name="box contractor", role=Role.CONTRACTOR, organisation_id=organisation.id
        )
        ids = (region.id, organisation.id)
    yield planner.secret, contractor.secret
    with world_sessions.begin() as session:
        session.execute(
            delete(m.ApiToken).where(m.ApiToken.name.in_(["box far", "box contractor"]))
        )
        session.execute(delete(m.Region).where(m.Region.id == ids[0]))
        session.execute(delete(m.Organisation).where(m.Organisation.id == ids[1]))


def test_another_regions_planner_and_another_contractor_get_nothing_whatever_the_box(
    client, api_world, world_sessions, outsiders
):
    """Following our region is NOT_FOUND for them, with a box around the whole region too."""
    with world_sessions() as session:
        west, south, east, north = (
            session.get(m.Region, api_world.region_id).to_domain().area.bounds
        )
    whole = {"west": west, "south": south, "east": east, "north": north}
    for secret in outsiders:
        with socket(client, secret) as ws:
            subscribe(ws, "x", JOBS, region="oslo", bbox=whole)
            refused = ws.receive_json()
            assert refused["payload"]["data"] is None
            assert codes(refused) == ["NOT_FOUND"]
            assert "Oslo sentrum" not in refused["payload"]["errors"][0]["message"]
            assert ws.receive_json()["type"] == "complete"


@pytest.mark.parametrize(
    "box",
    [
        {"west": 10.8, "south": 59.9, "east": 10.7, "north": 59.95},  # west after east
        {"west": 10.7, "south": 59.9, "east": 10.8, "north": 59.9},  # no height
        {"west": 10.7, "south": 59.9, "east": 10.8, "north": 95.0},  # beyond the pole
        {"west": -200.0, "south": 59.9, "east": 10.8, "north": 59.95},
    ],
    ids=["reversed", "flat", "pole", "longitude"],
)
def test_a_box_that_is_not_one_is_invalid_input_at_subscribe_time(client, api_world, box):
    with socket(client, api_world.tokens["planner"]) as ws:
        subscribe(ws, "bad", JOBS, region="oslo", bbox=box)
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("next", "bad")
        assert refused["payload"]["data"] is None
        assert codes(refused) == ["INVALID_INPUT"]
        assert ws.receive_json()["type"] == "complete"


def test_a_box_of_the_wrong_shape_is_refused_before_it_runs(client, api_world):
    with socket(client, api_world.tokens["planner"]) as ws:
        subscribe(ws, "shape", JOBS, region="oslo", bbox={"west": "east", "south": 1})
        refused = ws.receive_json()
        assert (refused["type"], refused["id"]) == ("error", "shape")
        assert refused["payload"][0]["message"]


# --- routePublished when a crew's day is published again -----------------------------------------

ROUTE = (
    "subscription R($crew: ID!, $date: Date!) "
    "{ routePublished(crewId: $crew, date: $date) { id status date } }"
)
PLAN = (
    "mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {"
    " __typename ... on PlanningRun { id } ... on Problem { code message } } }"
)
RUN = "query R($id: ID!) { planningRun(id: $id) { status message } }"
PLAN_DAY = "2026-06-02"


def _plan_and_publish(client, world) -> None:
    """planRoutes with publish (1 s solver) on this server's workers; wait until it is done."""
    headers = {"Authorization": f"Bearer {world.tokens['planner']}"}
    variables = {
        "input": {"region": "oslo", "date": PLAN_DAY, "timeLimitSeconds": 1, "publish": True}
    }
    run = client.post("/graphql", json={"query": PLAN, "variables": variables}, headers=headers)
    started = run.json()["data"]["planRoutes"]
    assert started["__typename"] == "PlanningRun", started
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        body = client.post(
            "/graphql", json={"query": RUN, "variables": {"id": started["id"]}}, headers=headers
        )
        state = body.json()["data"]["planningRun"]
        if state["status"] in {"SUCCEEDED", "FAILED", "CANCELLED"}:
            assert state["status"] == "SUCCEEDED", state["message"]
            return
        time.sleep(0.5)
    raise AssertionError("planning run did not finish in 240 s")


@pytest.mark.slow
def test_a_crews_route_is_sent_again_when_its_day_is_planned_and_published_again(
    client, api_world, world_sessions
):
    """Two planRoutes+publish of the same day: the follower gets each new route, once."""
    with socket(client, api_world.tokens["planner"]) as ws:
        subscribe(ws, "r", ROUTE, crew=str(api_world.crew_id), date=PLAN_DAY)
        now = ws.receive_json()["payload"]["data"]["routePublished"]  # null or an earlier plan
        sent = [None if now is None else now["id"]]
        for _ in range(2):
            _plan_and_publish(client, api_world)
            route = ws.receive_json()["payload"]["data"]["routePublished"]
            assert (route["status"], route["date"]) == ("PUBLISHED", PLAN_DAY)
            assert route["id"] not in sent
            sent.append(route["id"])
        ws.send_json({"type": "ping"})  # nothing else was sent: the next message is the pong
        assert ws.receive_json()["type"] == "pong"
    with world_sessions() as session:
        statuses = dict(
            session.execute(
                select(m.Route.id, m.Route.status).where(
                    m.Route.id.in_([int(route_id) for route_id in sent if route_id is not None])
                )
            ).all()
        )
    assert statuses[int(sent[-1])] == "published"
    assert statuses[int(sent[-2])] == "superseded"


# --- routesPublished: a planner's whole day on one stream ----------------------------------------

ROUTES = (
    "subscription D($region: String!, $date: Date!) "
    "{ routesPublished(region: $region, date: $date) { id crewId status date } }"
)


def _published_crews(world_sessions, world) -> set[str]:
    with world_sessions() as session:
        rows = session.execute(
            select(m.Route.crew_id)
            .join(m.Crew, m.Crew.id == m.Route.crew_id)
            .where(
                m.Crew.region_id == world.region_id,
                m.Route.service_date == datetime.fromisoformat(PLAN_DAY).date(),
                m.Route.status == "published",
            )
        )
        return {str(crew_id) for (crew_id,) in rows}


@pytest.mark.slow
def test_every_crews_new_route_comes_on_one_stream_when_a_regions_day_is_published(
    client, api_world, world_sessions
):
    """The planner gets each crew's new route once; the crew on the same stream only its own."""
    with (
        socket(client, api_world.tokens["planner"]) as planner,
        socket(client, api_world.tokens["crew"]) as crew,
    ):
        subscribe(planner, "day", ROUTES, region="oslo", date=PLAN_DAY)
        subscribe(crew, "day", ROUTES, region="oslo", date=PLAN_DAY)
        time.sleep(0.5)  # each has read the routes it starts from
        _plan_and_publish(client, api_world)
        published = _published_crews(world_sessions, api_world)
        assert len(published) >= 2, "the demo day gives several crews a route"
        sent = [
            planner.receive_json()["payload"]["data"]["routesPublished"]
            for _ in range(len(published))
        ]
        assert {route["crewId"] for route in sent} == published
        assert {(route["status"], route["date"]) for route in sent} == {("PUBLISHED", PLAN_DAY)}
        if str(api_world.crew_id) in published:
            own = crew.receive_json()["payload"]["data"]["routesPublished"]
            assert own["crewId"] == str(api_world.crew_id)
        for ws in (planner, crew):  # nothing more: the next message is the pong
            ws.send_json({"type": "ping"})
            assert ws.receive_json()["type"] == "pong"


def test_another_regions_planner_cannot_follow_a_regions_routes(client, outsiders):
    """Following another region's day is NOT_FOUND, as for its jobs."""
    for secret in outsiders:
        with socket(client, secret) as ws:
            subscribe(ws, "x", ROUTES, region="oslo", date=PLAN_DAY)
            refused = ws.receive_json()
            assert codes(refused) == ["NOT_FOUND"]
