"""Planning over GraphQL: a background run with progress, publishing, and the crew's route."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from tests.api.conftest import error_codes

PLAN = """mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {
  __typename ... on PlanningRun { id status progress } ... on Problem { code message } } }"""
RUN = """query R($id: ID!) { planningRun(id: $id) { status progress step message routes visits
  unassignedCount unassigned { jobId reason detail } } }"""
ROUTE = """query C($crew: ID!, $date: Date!) { crewRoute(crewId: $crew, date: $date) {
  status crewName travelSeconds distanceMetres
  stops { sequence kind eta etd travelSeconds distanceMetres leg lon lat label
          job { id kind } apartment { unit accessNotes building { address } } }
  geojson gpx } }"""
MY_ROUTE = """query M($date: Date!) { myRoute(date: $date) { status stops { kind label } } }"""
DAY = "2026-06-02"


def _wait(gql, run_id: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        run = gql.data("planner", RUN, id=run_id)["planningRun"]
        if run["status"] in {"SUCCEEDED", "FAILED"}:
            return run
        time.sleep(0.5)
    raise AssertionError("planning run did not finish in 300 s")


def _start_published_plan(gql, api_world, operation: str) -> dict:
    """Start a quick run (1 s solver) that publishes its routes; return the payload."""
    variables = {"region": "oslo", "date": DAY, "timeLimitSeconds": 1}
    return gql.data("planner", operation, input={**variables, "publish": True})["planRoutes"]


def test_plan_publish_and_read_a_crews_day(gql, api_world):
    """A planner plans a day in the background; after publishing, the crew reads its route."""
    started = gql.data(
        "planner", PLAN, input={"region": "oslo", "date": DAY, "timeLimitSeconds": 1}
    )
    run = started["planRoutes"]
    assert run["__typename"] == "PlanningRun"
    assert run["status"] in {"QUEUED", "RUNNING", "SUCCEEDED"}
    finished = _wait(gql, run["id"])
    assert finished["status"] == "SUCCEEDED", finished["message"]
    assert finished["progress"] == 1.0
    assert finished["routes"] > 0
    assert finished["visits"] > 0
    assert finished["unassignedCount"] == len(finished["unassigned"])

    draft = gql.data("planner", ROUTE, crew=api_world.crew_id, date=DAY)["crewRoute"]
    assert draft["status"] == "DRAFT"
    assert gql.data("crew", MY_ROUTE, date=DAY)["myRoute"] is None  # not published yet

    publish = """mutation P($input: PublishRoutesInput!) { publishRoutes(input: $input) {
      __typename ... on Published { routes } ... on Problem { code } } }"""
    published = gql.data("planner", publish, input={"runId": run["id"]})["publishRoutes"]
    assert published["__typename"] == "Published"
    assert published["routes"] == finished["routes"]

    # The demo's day is in the past now: a crew reaches the jobs of today and later only, so
    # the planner reads the stops' jobs; the crew still sees that its route is published.
    route = gql.data("planner", ROUTE, crew=api_world.crew_id, date=DAY)["crewRoute"]
    assert route["status"] == "PUBLISHED"
    stops = route["stops"]
    assert [s["sequence"] for s in stops] == sorted(s["sequence"] for s in stops)
    assert all(s["lon"] is not None and s["lat"] is not None for s in stops)
    assert all(a["etd"] <= b["eta"] for a, b in itertools.pairwise(stops))
    jobs = [s for s in stops if s["kind"] == "JOB"]
    assert jobs
    assert all(s["job"]["kind"] == "INSTALL_MEDIA_BOX" and s["apartment"]["unit"] for s in jobs)
    assert all(s["leg"]["type"] == "LineString" for s in jobs)
    assert route["geojson"]["type"] == "FeatureCollection"
    assert route["gpx"].lstrip().startswith("<?xml")
    assert "<gpx" in route["gpx"]
    assert gql.data("crew", MY_ROUTE, date=DAY)["myRoute"]["status"] == "PUBLISHED"


def test_other_roles_cannot_read_or_plan_a_crews_day(gql, api_world):
    """Another crew gets NOT_FOUND, a contractor FORBIDDEN, and a crew may not plan."""
    other = gql("other_crew", ROUTE, crew=api_world.crew_id, date=DAY)
    assert error_codes(other) == ["NOT_FOUND"]
    contractor = gql("contractor", ROUTE, crew=api_world.crew_id, date=DAY)
    assert error_codes(contractor) == ["FORBIDDEN"]
    refused = gql.data("crew", PLAN, input={"region": "oslo", "date": DAY})
    assert refused["planRoutes"]["__typename"] == "Forbidden"
    assert error_codes(gql("crew", RUN, id=1)) == ["FORBIDDEN"]


def test_a_planner_follows_a_run_over_websocket(client, gql, api_world):
    """A subscription streams the run's progress, never going backwards, until it succeeds."""
    run = gql.data(
        "planner", PLAN, input={"region": "oslo", "date": DAY, "timeLimitSeconds": 1}
    )["planRoutes"]
    headers = {"Authorization": f"Bearer {api_world.tokens['planner']}"}
    subscription = (
        "subscription S($id: ID!) { planningRunProgress(id: $id) { status progress step } }"
    )
    updates = []
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as socket:
        socket.send_json({"type": "connection_init"})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": subscription, "variables": {"id": run["id"]}},
            }
        )
        while True:
            message = socket.receive_json()
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            updates.append(message["payload"]["data"]["planningRunProgress"])
    progress = [update["progress"] for update in updates]
    assert progress == sorted(progress)
    assert updates[-1]["status"] == "SUCCEEDED"


def test_a_published_route_downloads_as_gpx_and_geojson_for_those_who_may_see_it(
    client, gql, api_world
):
    """The crew downloads its published day; others get the same answers as over GraphQL."""
    run = _start_published_plan(gql, api_world, PLAN)
    assert _wait(gql, run["id"])["status"] == "SUCCEEDED"

    def download(role: str | None, path: str):
        headers = {} if role is None else {"Authorization": f"Bearer {api_world.tokens[role]}"}
        return client.get(path, headers=headers)

    gpx = download("crew", f"/routes/{api_world.crew_id}/{DAY}.gpx")
    assert gpx.status_code == 200, gpx.text
    assert gpx.headers["content-type"].startswith("application/gpx+xml")
    assert (
        f'filename="route-crew{api_world.crew_id}-{DAY}.gpx"' in gpx.headers["content-disposition"]
    )
    assert "<trkseg>" in gpx.text
    geojson = download("planner", f"/routes/{api_world.crew_id}/{DAY}.geojson")
    assert geojson.status_code == 200, geojson.text
    assert geojson.headers["content-type"].startswith("application/geo+json")
    features = geojson.json()["features"]
    assert any(feature["geometry"]["type"] == "LineString" for feature in features)

    refusals = {
        (None, f"/routes/{api_world.crew_id}/{DAY}.gpx"): (401, "UNAUTHENTICATED"),
        ("other_crew", f"/routes/{api_world.crew_id}/{DAY}.gpx"): (404, "NOT_FOUND"),
        ("contractor", f"/routes/{api_world.crew_id}/{DAY}.gpx"): (403, "FORBIDDEN"),
        ("crew", f"/routes/{api_world.crew_id}/2026-06-31.gpx"): (400, "INVALID_INPUT"),
        ("crew", f"/routes/{api_world.crew_id}/{DAY}.kml"): (400, "INVALID_INPUT"),
        ("crew", f"/routes/{api_world.crew_id}/2030-01-01.gpx"): (404, "NOT_FOUND"),
        ("crew", f"/routes/{2**40}/{DAY}.gpx"): (404, "NOT_FOUND"),
        ("crew", f"/routes/first/{DAY}.gpx"): (400, "INVALID_INPUT"),
    }
    for (role, path), (status, code) in refusals.items():
        response = download(role, path)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), path


def test_the_planning_example_operations_plan_follow_and_read_a_day(gql, api_world):
    """schema/operations/planning/*.graphql, in order, as the README shows them."""
    folder = Path(__file__).resolve().parents[2] / "schema" / "operations" / "planning"
    plan, follow, read_route = (
        path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.graphql"))
    )
    started = _start_published_plan(gql, api_world, plan)
    assert started["__typename"] == "PlanningRun"
    _wait(gql, started["id"])
    run = gql.data("planner", follow, id=started["id"])["planningRun"]
    assert run["status"] == "SUCCEEDED"
    assert all(item["job"]["kind"] and item["detail"] for item in run["unassigned"])
    route = gql.data("planner", read_route, crewId=api_world.crew_id, date=DAY)["crewRoute"]
    assert route["status"] == "PUBLISHED"
    visits = [stop for stop in route["stops"] if stop["kind"] == "JOB"]
    assert visits
    assert all(stop["apartment"]["tenant"]["name"] for stop in visits)
