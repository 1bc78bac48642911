"""A full server queues requests in arrival order and refuses quickly, never hangs or fails.

Each process serves at most ``max_concurrent_requests`` requests at once (by default its database
pool's size, so an admitted request always finds a connection); the others wait on the event loop
for a bounded time and are then refused with 503 UNAVAILABLE and ``Retry-After``.
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import anyio
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool, QueuePool
from tests.api.conftest import make_client
from tests.security.test_websocket import bearer, socket, subscribe

from sitecrew.config import ServerSettings, Settings
from sitecrew.errors import ConfigurationError
from sitecrew.web.admission import Admission, ServerBusyError, admission_for, pool_steady_size

QUERY = "{ regions { nodes { id name } } }"


def test_no_more_requests_run_at_once_than_the_capacity_and_all_are_served():
    """Forty requests through a gate of three: never more than three inside, none refused."""
    gate = Admission(3, max_waiting=100, max_wait_s=5)
    inside_at_most = 0
    served = 0

    async def request() -> None:
        nonlocal inside_at_most, served
        async with gate.admitted():
            inside_at_most = max(inside_at_most, gate.inside)
            await anyio.sleep(0.005)
            served += 1

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(40):
                group.start_soon(request)

    anyio.run(scenario)
    assert (inside_at_most, served, gate.refused, gate.inside, gate.waiting) == (3, 40, 0, 0, 0)


def test_waiting_requests_are_admitted_in_arrival_order():
    """A slot freed goes to the request that has waited longest, not to a newcomer."""
    gate = Admission(1, max_waiting=100, max_wait_s=5)
    order: list[int] = []

    async def request(number: int) -> None:
        async with gate.admitted():
            order.append(number)
            await anyio.sleep(0.002)

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            for number in range(10):
                group.start_soon(request, number)
                await anyio.sleep(0.001)  # arrive one after the other

    anyio.run(scenario)
    assert order == list(range(10))


def test_a_request_that_waits_too_long_is_refused_and_leaves_no_slot_taken():
    """After ``max_wait_s`` the waiter gets ServerBusyError; the gate's counts come back to 0."""
    gate = Admission(1, max_waiting=100, max_wait_s=0.05)
    outcome: list[str] = []

    async def holder(release: anyio.Event) -> None:
        async with gate.admitted():
            await release.wait()

    async def scenario() -> None:
        release = anyio.Event()
        async with anyio.create_task_group() as group:
            group.start_soon(holder, release)
            await anyio.sleep(0.01)
            started = time.monotonic()
            with pytest.raises(ServerBusyError):
                async with gate.admitted():
                    outcome.append("admitted")
            outcome.append(f"refused after {time.monotonic() - started:.2f}")
            release.set()
        async with gate.admitted():  # the slot came back
            outcome.append("admitted later")

    anyio.run(scenario)
    assert outcome[0].startswith("refused after 0.0")
    assert outcome[1] == "admitted later"
    assert (gate.refused, gate.inside, gate.waiting) == (1, 0, 0)


def test_a_full_queue_refuses_at_once():
    """With ``max_waiting`` requests already queued, the next one is refused without waiting."""
    gate = Admission(1, max_waiting=2, max_wait_s=10)
    refused_after: list[float] = []

    async def waiter() -> None:
        async with gate.admitted():
            pass

    async def scenario() -> None:
        release = anyio.Event()

        async def holder() -> None:
            async with gate.admitted():
                await release.wait()

        async with anyio.create_task_group() as group:
            group.start_soon(holder)
            await anyio.sleep(0.01)
            group.start_soon(waiter)
            group.start_soon(waiter)
            await anyio.sleep(0.01)
            started = time.monotonic()
            with pytest.raises(ServerBusyError):
                async with gate.admitted():
                    pass
            refused_after.append(time.monotonic() - started)
            release.set()

    anyio.run(scenario)
    assert refused_after[0] < 0.5
    assert (gate.refused, gate.inside, gate.waiting) == (1, 0, 0)


def test_the_capacity_is_the_pools_steady_size_unless_configured():
    """PostgreSQL's pool of N serves N at once; a setting overrides; an unsized pool gets 8."""
    sized = create_engine("sqlite://", poolclass=QueuePool, pool_size=7)
    unsized = create_engine("sqlite://", poolclass=NullPool)
    assert pool_steady_size(sized) == 7
    assert admission_for(ServerSettings(), sized).capacity == 7
    assert admission_for(ServerSettings(max_concurrent_requests=3), sized).capacity == 3
    assert admission_for(ServerSettings(), unsized).capacity == 8


def test_admission_is_configured_from_the_environment():
    """The three variables parse; a capacity of 0 or a word is refused naming the variable."""
    env = {
        "SITECREW_MAX_CONCURRENT_REQUESTS": "12",
        "SITECREW_MAX_WAITING_REQUESTS": "50",
        "SITECREW_MAX_REQUEST_WAIT_S": "2.5",
    }
    server = Settings.from_env(env).server
    assert (server.max_concurrent_requests, server.max_waiting_requests) == (12, 50)
    assert server.max_request_wait_s == 2.5
    assert Settings.from_env({}).server.max_concurrent_requests is None
    for bad in ("0", "many"):
        with pytest.raises(ConfigurationError, match="SITECREW_MAX_CONCURRENT_REQUESTS"):
            Settings.from_env({"SITECREW_MAX_CONCURRENT_REQUESTS": bad})


def _hold_every_slot(client) -> anyio.Event:
    """Occupy the app's whole capacity from inside its event loop; set the event to free it."""
    admission = client.app.state.admission
    release = client.portal.call(anyio.Event)

    async def hold() -> None:
        async with admission.admitted():
            await release.wait()

    for _ in range(admission.capacity):
        client.portal.start_task_soon(hold)
    while admission.inside < admission.capacity:
        time.sleep(0.01)
    return release


def test_a_full_server_answers_graphql_with_a_quick_503_unavailable(api_world):
    """Every slot taken: the request waits max_request_wait_s, then gets GraphQL JSON 503."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with make_client(api_world, max_concurrent_requests=2, max_request_wait_s=0.2) as client:
        release = _hold_every_slot(client)
        started = time.monotonic()
        refused = client.post("/graphql", json={"query": QUERY}, headers=headers)
        waited = time.monotonic() - started
        client.portal.call(release.set)
        served = client.post("/graphql", json={"query": QUERY}, headers=headers)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert "busy" in error["message"]
    assert 0.15 < waited < 5
    assert served.status_code == 200
    assert served.json()["data"]["regions"]["nodes"]


def test_a_full_server_refuses_route_downloads_the_same_way(api_world):
    """Downloads read the database too, so they wait for a slot and are refused alike."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()  # the world's published route
    path = f"/routes/{api_world.crew_id}/{today.isoformat()}.geojson"
    with make_client(api_world, max_concurrent_requests=1, max_request_wait_s=0.1) as client:
        release = _hold_every_slot(client)
        refused = client.get(path, headers=headers)
        client.portal.call(release.set)
        served = client.get(path, headers=headers)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "UNAVAILABLE"
    assert served.status_code == 200


def test_requests_beyond_the_capacity_wait_their_turn_and_all_succeed(api_world):
    """Twenty-four clients at once on a server of capacity 2: every answer is a 200."""
    headers = {"Authorization": f"Bearer {api_world.tokens['planner']}"}
    with make_client(api_world, max_concurrent_requests=2) as client:

        def one() -> int:
            return client.post("/graphql", json={"query": QUERY}, headers=headers).status_code

        statuses: list[int] = []

        async def scenario() -> None:
            async def run() -> None:
                statuses.append(await anyio.to_thread.run_sync(one))

            async with anyio.create_task_group() as group:
                for _ in range(24):
                    group.start_soon(run)

        anyio.run(scenario)
        admission = client.app.state.admission
        assert (admission.refused, admission.inside, admission.waiting) == (0, 0, 0)
    assert statuses == [200] * 24


def test_a_subscriptions_reads_wait_for_a_turn_and_are_never_refused(api_world):
    """Every slot taken: the subscription's first read queues (no error, however long it waits)
    and its result arrives once a slot frees."""
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    query = "subscription R($c: ID!, $d: Date!) { routePublished(crewId: $c, date: $d) { id } }"
    with make_client(api_world, max_concurrent_requests=1, max_request_wait_s=0.05) as client:
        admission = client.app.state.admission
        release = _hold_every_slot(client)
        try:
            with socket(client, headers=bearer(api_world.tokens["planner"])) as ws:
                subscribe(ws, "1", query=query, c=str(api_world.crew_id), d=today.isoformat())
                deadline = time.monotonic() + 10
                while admission.waiting == 0 and time.monotonic() < deadline:
                    time.sleep(0.01)
                waiting = admission.waiting  # the subscription's read, waiting its turn
                time.sleep(0.2)  # four times max_request_wait_s: a request would be refused
                refused = admission.refused
                client.portal.call(release.set)
                message = ws.receive_json()
        finally:
            client.portal.call(release.set)  # never leave the app's loop with a held slot
    assert (waiting, refused) == (1, 0)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["routePublished"]["id"]
