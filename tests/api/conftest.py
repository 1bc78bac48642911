"""An API world per backend: a small demo database, tokens for every role, a published route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from tests.helpers import API_WORLDS

from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token
from sitecrew.services.demo import load_demo
from sitecrew.web.app import create_app


@dataclass(frozen=True)
class ApiWorld:
    """A database URL and a bearer secret per role, with the facts tests check against."""

    url: str
    tokens: dict[str, str]
    region_id: int
    contractor_id: int
    crew_id: int
    other_crew_id: int
    visited_apartment_id: int
    unvisited_apartment_id: int
    route_job_id: int


#: Built worlds per backend, kept in ``tests.helpers`` so that every copy of this module (pytest's
#: own import of the conftest and ``tests.api.conftest`` re-exported by other directories) shares
#: one world per backend instead of building, and dropping, its own.
_worlds: dict[str, ApiWorld] = API_WORLDS


def _build_world(url: str, extract) -> ApiWorld:
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        load_demo(
            session,
            extract,
            region_name="Oslo sentrum",
            plan_day=date(2026, 6, 2),
            target_flats=3000,
        )
    with sessions.begin() as session:
        region = session.scalar(select(m.Region))
        contractor = session.scalar(
            select(m.Organisation).where(m.Organisation.kind == "contractor")
        )
        crews = list(
            session.scalars(
                select(m.Crew).where(m.Crew.name.like("Installers%")).order_by(m.Crew.id)
            )
        )
        crew, other = crews[0], crews[1]
        jobs = list(
            session.scalars(
                select(m.Job).where(m.Job.apartment_id.is_not(None)).order_by(m.Job.id).limit(3)
            )
        )
        today = datetime.now(ZoneInfo(region.timezone)).date()
        route = m.Route(crew_id=crew.id, service_date=today, status="published")
        session.add(route)
        session.flush()
        start = datetime.now(UTC).replace(microsecond=0)
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=1,
                kind="job",
                job_id=jobs[0].id,
                arrival_at=start,
                departure_at=start + timedelta(minutes=30),
            )
        )
        yesterday = m.Route(
            crew_id=crew.id, service_date=today - timedelta(days=1), status="published"
        )
        session.add(yesterday)
        session.flush()
        session.add(
            m.RouteStop(
                route_id=yesterday.id,
                sequence=1,
                kind="job",
                job_id=jobs[1].id,
                arrival_at=start,
                departure_at=start + timedelta(minutes=30),
            )
        )
        tokens = {
            "admin": create_token(session, name="admin", role=Role.ADMIN)[0],
            "planner": create_token(
                session, name="planner", role=Role.PLANNER, region_id=region.id
            )[0],
            "contractor": create_token(
                session, name="contractor", role=Role.CONTRACTOR, organisation_id=contractor.id
            )[0],
            "crew": create_token(session, name="crew", role=Role.CREW, crew_id=crew.id)[0],
            "other_crew": create_token(
                session, name="other crew", role=Role.CREW, crew_id=other.id
            )[0],
        }
        world = ApiWorld(
            url=url,
            tokens=tokens,
            region_id=region.id,
            contractor_id=contractor.id,
            crew_id=crew.id,
            other_crew_id=other.id,
            visited_apartment_id=jobs[0].apartment_id,
            unvisited_apartment_id=jobs[1].apartment_id,
            route_job_id=jobs[0].id,
        )
    engine.dispose()
    return world


@pytest.fixture(scope="session")
def api_world(backend, database_url_factory, osm_dir) -> ApiWorld:
    """The API world of ``backend`` (built once per session)."""
    if backend not in _worlds:
        url = database_url_factory(backend, "sitecrew_test_api")
        _worlds[backend] = _build_world(url, osm_dir / "oslo.osm.pbf")
    return _worlds[backend]


def make_client(world: ApiWorld, osm: OsmSettings | None = None, **server: object) -> TestClient:
    """A test client of the real app on the world's database."""
    settings = Settings(
        database=DatabaseSettings(url=world.url),
        osm=osm or OsmSettings(),
        server=ServerSettings(**server),
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="session")
def client(api_world, osm_dir, tmp_path_factory):
    """The app with production settings (default limits, introspection on) and real OSM data."""
    osm = OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("graphs"))
    with make_client(api_world, osm) as test_client:
        yield test_client


@pytest.fixture
def world_sessions(api_world):
    """Sessions on the API world's database, for checking answers against the rows themselves."""
    engine = engine_from_url(api_world.url)
    yield session_factory(engine)
    engine.dispose()


class GraphQLCaller:
    """Post operations as one role and return the decoded JSON body."""

    def __init__(self, client: TestClient, world: ApiWorld) -> None:
        self._client = client
        self._world = world

    def __call__(self, role: str, query: str, **variables: object) -> dict:
        headers = {"Authorization": f"Bearer {self._world.tokens[role]}"}
        response = self._client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, role: str, query: str, **variables: object) -> dict:
        body = self(role, query, **variables)
        assert body.get("errors") is None, body["errors"]
        return body["data"]


@pytest.fixture
def gql(client, api_world) -> GraphQLCaller:
    """Call the API as a role: ``gql("planner", query, **variables)``."""
    return GraphQLCaller(client, api_world)


def error_codes(body: dict) -> list[str]:
    """The ``extensions.code`` of each error in a response."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
