"""Expansion scenarios through GraphQL, run by this server's worker pool, on both backends.

Scenarios run in the background as planning runs of kind ``expansion``, which a worker process
only sees once committed: so these tests execute the schema on a committed database per backend
(with the Grünerløkka street graph) and remove their scenarios and runs afterwards.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest
import shapely
from sqlalchemy import delete, select, update

from sitecrew.api.context import Context
from sitecrew.api.schema import build_schema
from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region
from sitecrew.domain.routes import RunKind, RunState
from sitecrew.services import organisations
from sitecrew.services.planning.background import shutdown_runs, wait_for_run
from sitecrew.services.planning.owners import ABANDONED, fail_abandoned_runs, this_worker

PROBLEM = "... on Problem { __typename code message }"
FIELDS = """id name regionId status stage done total error k objective sites crews gapPct
  crewDaysPerYear kmPerYear costPerYear costPerPieceYear depots { name lon lat crews }"""
CREATE = f"""mutation C($input: CreateExpansionScenarioInput!) {{
  createExpansionScenario(input: $input) {{ __typename ... on ExpansionScenario {{ {FIELDS} }}
  {PROBLEM} }} }}"""
CANCEL = f"""mutation X($id: ID!) {{ cancelExpansionScenario(input: {{id: $id}}) {{
  __typename ... on ExpansionScenario {{ {FIELDS} }} {PROBLEM} }} }}"""
GET = f"query G($id: ID!) {{ expansionScenario(id: $id) {{ {FIELDS} }} }}"
LIST = "query L($region: ID) { expansionScenarios(regionId: $region) { id status } }"
COMPARE = """query P($ids: [ID!]!) { compareExpansionScenarios(ids: $ids) {
  scenarios { id name } rows { label key values } } }"""
SITES = "name,lon,lat,pieces\nA,10.7520,59.9230,6\nB,10.7700,59.9300,8\nC,10.7600,59.9200,4\n"
FAST = [{"name": "sample_days", "value": 1}, {"name": "solver_seconds", "value": 0.3}]


@pytest.fixture(scope="session")
def scenario_database(backend, database_url_factory):
    """A database of ``backend`` holding one region over the Grünerløkka clip; URL and id."""
    url = database_url_factory(backend, "sitecrew_test_expansion_runs")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        region = organisations.create_region(
            session,
            Region(
                "Løkka runs",
                shapely.box(10.745, 59.917, 10.778, 59.936),
                street_region="oslo-grunerlokka",
                slug="lokka-runs",
            ),
        )
    engine.dispose()
    return url, region.id


class Caller:
    """Executes the schema as a principal on the committed database (each call commits)."""

    def __init__(self, engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.schema = build_schema(settings.server)

    def __call__(self, principal: Principal, query: str, **variables):
        context = Context(
            session_factory(self.engine),
            self.settings,
            principal,
            write_sessions=write_session_factory(self.engine),
        )
        try:
            return asyncio.run(
                self.schema.execute(query, variable_values=variables, context_value=context)
            )
        finally:
            context.close()

    def data(self, principal: Principal, query: str, **variables):
        result = self(principal, query, **variables)
        assert result.errors is None, result.errors
        return result.data


@pytest.fixture(scope="session")
def scenario_osm(osm_dir, tmp_path_factory) -> OsmSettings:
    """The real extracts, with street graphs cached in a session temp dir."""
    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("scenarios"))


@pytest.fixture
def call(scenario_database, scenario_osm):
    url, _ = scenario_database
    engine = engine_from_url(url)
    settings = Settings(
        database=DatabaseSettings(url=url), osm=scenario_osm, server=ServerSettings()
    )
    yield Caller(engine, settings)
    shutdown_runs()
    with write_session_factory(engine).begin() as session:
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.kind == RunKind.EXPANSION))
        session.execute(delete(m.ExpansionScenario))
    engine.dispose()


@pytest.fixture
def planner(scenario_database) -> Principal:
    return Principal(Role.PLANNER, region_id=scenario_database[1])


def _input(**changes) -> dict:
    values = {"name": "one depot", "region": "lokka-runs", "k": 1, "sitesCsv": SITES}
    return values | {"candidates": 6, "rates": FAST} | changes


def _create(call, principal, **changes) -> dict:
    return call.data(principal, CREATE, input=_input(**changes))["createExpansionScenario"]


def _run_of(call, scenario_id: str) -> m.PlanningRun:
    with session_factory(call.engine)() as session:
        query = select(m.PlanningRun).where(m.PlanningRun.scenario_id == int(scenario_id))
        return session.scalars(query).one()


def _finished(call, principal, scenario_id: str) -> dict:
    """Wait for the scenario's run in this server's pool, then poll until it has finished."""
    wait_for_run(_run_of(call, scenario_id).id, timeout_s=300)
    for _ in range(50):
        found = call.data(principal, GET, id=scenario_id)["expansionScenario"]
        if RunState(found["status"].lower()).finished:
            return found
        time.sleep(0.1)
    raise AssertionError(f"scenario {scenario_id} did not finish: {found}")


def test_a_created_scenario_runs_in_the_background_and_keeps_its_result(call, planner):
    """Answered queued at once; a worker process runs it; polling shows the kept result."""
    made = _create(call, planner)
    assert made["__typename"] == "ExpansionScenario", made
    assert (made["status"], made["sites"], made["depots"]) == ("QUEUED", None, [])
    run = _run_of(call, made["id"])
    assert (run.kind, run.region_id, run.worker) == ("expansion", planner.region_id, this_worker())
    done = _finished(call, planner, made["id"])
    assert done["status"] == "SUCCEEDED", done["error"]
    assert (done["stage"], done["sites"], len(done["depots"])) == ("done", 3, 1)
    assert done["crews"] >= 1
    assert done["costPerPieceYear"] > 0
    assert _run_of(call, made["id"]).status == RunState.SUCCEEDED.value
    listed = call.data(planner, LIST, region=str(planner.region_id))["expansionScenarios"]
    assert [s["id"] for s in listed] == [made["id"]]


def test_two_scenarios_compare_side_by_side(call, planner):
    """A chosen depot against one served from a fixed point: one value per scenario a row."""
    chosen = _create(call, planner, name="chosen")
    fixed = _create(call, planner, name="fixed", depots=[{"lon": 10.76, "lat": 59.925}])
    for made in (chosen, fixed):
        assert _finished(call, planner, made["id"])["status"] == "SUCCEEDED"
    ids = [chosen["id"], fixed["id"]]
    compared = call.data(planner, COMPARE, ids=ids)["compareExpansionScenarios"]
    assert [s["name"] for s in compared["scenarios"]] == ["chosen", "fixed"]
    rows = {row["key"]: row["values"] for row in compared["rows"]}
    assert rows["k"] == ["1", "1"]
    assert all(value is not None for value in rows["cost_per_piece_year"])
    again = call(planner, COMPARE, ids=[chosen["id"], chosen["id"]])
    assert again.errors[0].extensions["code"] == "INVALID_INPUT"


def test_a_cancelled_scenario_keeps_no_result_and_cannot_be_cancelled_twice(call, planner):
    made = _create(call, planner)
    cancelled = call.data(planner, CANCEL, id=made["id"])["cancelExpansionScenario"]
    assert (cancelled["__typename"], cancelled["status"]) == ("ExpansionScenario", "CANCELLED")
    assert _run_of(call, made["id"]).status in {"cancelled", "failed"}
    after = _finished(call, planner, made["id"])
    assert (after["status"], after["sites"]) == ("CANCELLED", None)
    twice = call.data(planner, CANCEL, id=made["id"])["cancelExpansionScenario"]
    assert twice["__typename"] == "IllegalTransition"


@pytest.mark.parametrize(
    ("changes", "typename"),
    [
        ({"k": 0}, "InvalidInput"),
        ({"objective": "nearest"}, "InvalidInput"),
        ({"sitesCsv": "name,lon,lat,pieces\nA,999,59.9,3\n"}, "InvalidInput"),
        ({"rates": [{"name": "sample_days", "value": -1}]}, "InvalidInput"),
        ({"region": "atlantis"}, "NotFound"),
    ],
)
def test_bad_input_is_a_typed_problem_and_stores_nothing(call, planner, changes, typename):
    answer = _create(call, planner, **changes)
    assert answer["__typename"] == typename, answer
    with session_factory(call.engine)() as session:
        assert session.scalars(select(m.ExpansionScenario.id)).all() == []
        assert session.scalars(select(m.PlanningRun.id)).all() == []


def test_bad_ids_are_typed_problems(call, planner):
    bad = call.data(planner, CANCEL, id="twelve")["cancelExpansionScenario"]
    assert bad["__typename"] == "InvalidInput"
    missing = call.data(planner, CANCEL, id="987654")["cancelExpansionScenario"]
    assert missing["__typename"] == "NotFound"
    assert call(planner, GET, id="987654").errors[0].extensions["code"] == "NOT_FOUND"


def test_crews_tenants_and_other_regions_planners_are_refused(call, planner):
    made = _create(call, planner)
    crew = Principal(Role.CREW, crew_id=1, region_id=planner.region_id)
    tenant = Principal(Role.TENANT, token_id=1, apartment_id=1, campaign_id=1)
    for principal in (crew, tenant):
        assert _create(call, principal)["__typename"] == "Forbidden"
        refused = call(principal, GET, id=made["id"])
        assert refused.errors[0].extensions["code"] == "FORBIDDEN"
        assert (
            call.data(principal, CANCEL, id=made["id"])["cancelExpansionScenario"]["__typename"]
            == "Forbidden"
        )
    elsewhere = Principal(Role.PLANNER, region_id=planner.region_id + 1000)
    assert call(elsewhere, GET, id=made["id"]).errors[0].extensions["code"] == "NOT_FOUND"


def test_a_scenario_whose_worker_died_is_failed_with_its_run(call, planner):
    """The owner of a running scenario's run is a process that has ended: the supervisors'
    sweep fails the run as abandoned, and the scenario with it."""
    made = _create(call, planner, name="orphan")
    wait_for_run(_run_of(call, made["id"]).id, timeout_s=300)
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    dead = f"{this_worker().rpartition(':')[0]}:{process.pid}"
    run_id = _run_of(call, made["id"]).id
    with write_session_factory(call.engine).begin() as session:
        for model, key in ((m.PlanningRun, run_id), (m.ExpansionScenario, int(made["id"]))):
            session.execute(
                update(model).where(model.id == key).values(status="running", worker=dead)
            )
    with write_session_factory(call.engine).begin() as session:
        assert run_id in fail_abandoned_runs(session, stale_after_s=120)
    found = call.data(planner, GET, id=made["id"])["expansionScenario"]
    assert (found["status"], found["error"]) == ("FAILED", ABANDONED)
