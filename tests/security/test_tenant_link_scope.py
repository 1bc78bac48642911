"""A tenant link sees its own home and nothing else, on both backends (issue 16, items 2 and 6).

A committed tenant world with Monday planned and published (routes of both crews, a booked job
of another flat), two tenants with links (A confirmed, so A has a job and an appointment), named
tenants everywhere. Tenant A's token then asks every query root for other flats, jobs, routes,
crews, campaigns and people: by id through variables, through fragments and aliases, by listing,
over HTTP as a bearer secret, and through the file endpoints. It gets only its own home.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from tests.security.schema_calls import schema_caller
from tests.services.offers_world import MONDAY
from tests.services.tenant_world import ADMIN, LINKS, build_tenant_world

from sitecrew.config import DatabaseSettings, OsmSettings, Settings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.planning.runs import plan_day
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import ConfirmVisit, confirm_tenant_visit
from sitecrew.web.app import create_app

PRIVATE_NAME = "Hemlig"


@pytest.fixture(scope="module")
def osm(osm_dir, tmp_path_factory) -> OsmSettings:
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("scope-graphs"))


@pytest.fixture(scope="module")
def scoped(backend, database_url_factory, osm):
    """The committed world; yields (url, world, tenant A, tenant B, A's token, facts)."""
    url = database_url_factory(backend, "tenant_scope")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_tenant_world(session)
        for apartment in session.scalars(select(m.Apartment)):
            apartment.tenant_name = f"{PRIVATE_NAME} {apartment.id}"
            apartment.tenant_phone = "+4799999999"
            apartment.access_notes = "door code 4711"
        options = PlanOptions(seed=1, time_limit_s=None, max_iterations=200, publish=True)
        plan_day(session, region=world.offers.region_id, day=MONDAY, osm=osm, options=options)
        links = issue_links(session, ADMIN, IssueLinks(world.campaign_id), links=LINKS, actor="t")
        tokens = [link.url.rpartition("/t/")[2] for link in links]
        a = authenticate_link(session, LINKS.secret, tokens[0]).principal
        b = authenticate_link(session, LINKS.secret, tokens[1]).principal
        confirm_tenant_visit(session, a, ConfirmVisit(), osm=osm)
        own_jobs = set(
            session.scalars(
                select(m.CampaignVisit.job_id).where(
                    m.CampaignVisit.campaign_home_id == world.homes[0]
                )
            )
        )
        facts = {
            "own_jobs": {str(j) for j in own_jobs},
            "other_job": str(world.offers.booked_job_id),
            "routes": [
                (r.crew_id, str(r.service_date))
                for r in session.scalars(select(m.Route).where(m.Route.status == "published"))
            ],
        }
    engine.dispose()
    return url, world, a, b, tokens[0], facts


@pytest.fixture
def call(scoped):
    with schema_caller(scoped[0]) as caller:
        yield caller


def _codes(result) -> list[str]:
    return sorted({error.extensions["code"] for error in result.errors or []})


def _leaks(result) -> bool:
    text = json.dumps(result.data, default=str) if result.data else ""
    return PRIVATE_NAME in text or "4711" in text or "+4799" in text


def test_a_tenant_reads_its_own_visit_and_nobody_elses(call, scoped):
    _, world, a, b, _, _ = scoped
    mine = call.data(a, "{ tenantVisit { unit state address } }")["tenantVisit"]
    theirs = call.data(b, "{ tenantVisit { unit state } }")["tenantVisit"]
    assert (mine["unit"], mine["state"], theirs["unit"]) == ("U00", "CONFIRMED", "U01")
    assert world.flats[0] != world.flats[1]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        (
            "query Q($id: ID!) { apartment(id: $id) { ...F } } fragment F on Apartment { id unit }",
            "other_flat",
        ),
        ("query Q($id: ID!) { apartment(id: $id) { id } }", "far_flat"),
        (
            "query Q($id: ID!) { job(id: $id) { ...J } } fragment J on Job { id status }",
            "other_job",
        ),
        ("query Q($id: ID!) { crew(id: $id) { id name } }", "crew"),
        (f'query Q($id: ID!) {{ crewRoute(crewId: $id, date: "{MONDAY}") {{ id }} }}', "crew"),
        ("query Q($id: ID!) { campaign(id: $id) { id name } }", "campaign"),
        (
            (
                f'query Q($id: ID!, $c: ID!) {{ crewCampaignVisits(crewId: $c, date: "{MONDAY}") {{ id }} '
                "x: apartment(id: $id) { id } }"
            ),
            "other_flat",
        ),
        (
            (
                f'query Q($id: ID!) {{ appointmentOffers(apartmentId: $id, from: "{MONDAY}", to: "{MONDAY}") '
                "{ date } }"
            ),
            "other_flat",
        ),
    ],
)
def test_ids_of_other_rows_answer_nothing_through_variables_and_fragments(call, scoped, query, key):
    _, world, a, _, _, facts = scoped
    ids = {
        "other_flat": world.flats[1],
        "far_flat": world.offers.far_flat,
        "other_job": facts["other_job"],
        "crew": world.crew_id,
        "campaign": world.campaign_id,
    }
    variables = {"id": str(ids[key])}
    if "$c" in query:
        variables["c"] = str(world.crew_id)
    result = call(a, query, **variables)
    assert result.errors, result.data
    assert set(_codes(result)) <= {"NOT_FOUND", "FORBIDDEN"}
    assert not result.data or all(v is None for v in result.data.values())


@pytest.mark.parametrize(
    "query",
    [
        "{ apartments(first: 500) { nodes { id unit tenant { name phone } accessNotes } } }",
        "{ buildings(first: 500) { nodes { id address } } }",
        "{ jobs(first: 500) { nodes { id apartment { id } } } }",
        "{ crews(first: 50) { nodes { id name } } }",
        "{ sites(first: 50) { nodes { id } } }",
        "{ regions(first: 50) { nodes { id name } } }",
        "{ campaigns(first: 50) { nodes { id } } }",
        "{ depots(first: 50) { nodes { id } } }",
        "{ organisations(first: 50) { nodes { id } } }",
        "{ personalDataLog(last: 10) { action } }",
        "{ notifications(first: 10) { nodes { id } } }",
        f'{{ myRoute(date: "{MONDAY}") {{ id }} }}',
        "{ viewport(layer: APARTMENTS, bbox: {west: 10.7, south: 59.9, east: 10.8, north: 59.95}) }",
    ],
)
def test_listing_shows_at_most_its_own_home_and_never_a_person(call, scoped, query):
    _, world, a, _, _, facts = scoped
    result = call(a, query)
    assert not _leaks(result)
    assert set(_codes(result)) <= {"NOT_FOUND", "FORBIDDEN", "GRAPHQL_VALIDATION_FAILED"}
    if "apartments" in query and result.data:
        assert [n["id"] for n in result.data["apartments"]["nodes"]] == [str(world.flats[0])]
        assert result.data["apartments"]["nodes"][0]["tenant"] is None
    if "jobs" in query and result.data:
        assert {n["id"] for n in result.data["jobs"]["nodes"]} <= facts["own_jobs"]
        assert facts["other_job"] not in {n["id"] for n in result.data["jobs"]["nodes"]}
    if "regions" in query and result.data:
        assert [n["id"] for n in result.data["regions"]["nodes"]] == [str(world.offers.region_id)]


def test_a_tenant_cannot_run_staff_mutations_on_another_home(call, scoped):
    _, world, a, _, _, _ = scoped
    answer = call.data(
        a,
        """mutation M($id: ID!) { confirmVisitWindow(input: {homeId: $id}) {
          __typename ... on Problem { code } } }""",
        id=str(world.homes[1]),
    )["confirmVisitWindow"]
    assert answer["__typename"] in {"Forbidden", "NotFound"}
    staff = call(ADMIN, "{ tenantVisit { unit } }")
    assert _codes(staff) == ["FORBIDDEN"]
    crew = call(Principal(Role.CREW, crew_id=world.crew_id), "{ tenantVisit { unit } }")
    assert _codes(crew) == ["FORBIDDEN"]


def test_over_http_the_token_is_a_bearer_secret_for_its_own_home_only(scoped, osm):
    url, world, _, _, token, facts = scoped
    settings = Settings(database=DatabaseSettings(url=url), osm=osm, tenant_links=LINKS)
    with TestClient(create_app(settings)) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        own = client.post("/graphql", json={"query": "{ tenantVisit { unit } }"}, headers=bearer)
        assert own.json()["data"]["tenantVisit"]["unit"] == "U00"
        other = client.post(
            "/graphql",
            json={
                "query": "query Q($id: ID!) { apartment(id: $id) { id } }",
                "variables": {"id": str(world.flats[1])},
            },
            headers=bearer,
        )
        assert other.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        forged = {"Authorization": f"Bearer {token[:-3]}abc"}
        refused = client.post(
            "/graphql", json={"query": "{ tenantVisit { unit } }"}, headers=forged
        )
        assert refused.status_code == 401
        for crew_id, day in facts["routes"]:
            download = client.get(f"/routes/{crew_id}/{day}.geojson", headers=bearer)
            assert download.status_code in {403, 404}
            assert PRIVATE_NAME not in download.text
        chart = client.get(f"/campaigns/{world.campaign_id}/burndown.png", headers=bearer)
        assert chart.status_code in {403, 404}
        page = client.get(f"/t/{token}")
        assert page.status_code == 200
        assert PRIVATE_NAME not in page.text
        assert "4711" not in page.text
