"""Background planning runs: queued at once, executed in a worker process, outcome recorded."""

from __future__ import annotations

import pytest
from tests.services.conftest import PLAN_DAY

from sitecrew.config import OsmSettings
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.routes import PlanOptions, RunState
from sitecrew.services.planning.background import shutdown_runs, start_run, wait_for_run
from sitecrew.services.planning.pipeline import STAGES
from sitecrew.services.planning.read import crew_route, routes_for_run
from sitecrew.services.planning.runs import get_run

pytestmark = pytest.mark.slow


@pytest.fixture
def runs_engine(committed_demo_url):
    """An engine on the committed demo copy; the worker pool is shut down afterwards."""
    engine = engine_from_url(committed_demo_url)
    yield engine
    shutdown_runs()
    engine.dispose()


def _start(engine, osm):
    options = PlanOptions(seed=2, time_limit_s=None, max_iterations=100)
    return start_run(engine, region="oslo", day=PLAN_DAY, osm=osm, options=options)


def test_run_records_routes_and_summary_when_its_worker_succeeds(runs_engine, planning_osm):
    """A started run comes back queued, then its worker stores draft routes and a summary."""
    run = _start(runs_engine, planning_osm)
    assert run.state is RunState.QUEUED
    wait_for_run(run.id, timeout_s=180)
    with session_factory(runs_engine)() as session:
        done = get_run(session, run.id)
        assert done.state is RunState.SUCCEEDED, done.message
        assert done.progress == 1.0
        assert done.started_at is not None
        assert done.finished_at is not None
        assert done.started_at <= done.finished_at
        assert set(done.summary["timings_s"]) == set(STAGES)
        assert done.summary["routes"] > 0
        routes = routes_for_run(session, run.id)
        assert len(routes) == done.summary["routes"]
        assert sum(len(r.job_ids) for r in routes) == done.summary["visits"]
        shown = crew_route(session, routes[0].crew_id, PLAN_DAY)
        assert shown is not None


def test_run_fails_with_a_clear_message_when_the_street_graph_is_missing(runs_engine, tmp_path):
    """A worker that cannot load the region's extract records the failure and why."""
    osm = OsmSettings(directory=tmp_path / "empty", cache_directory=tmp_path / "cache")
    (tmp_path / "empty").mkdir()
    run = _start(runs_engine, osm)
    wait_for_run(run.id, timeout_s=180)
    with session_factory(runs_engine)() as session:
        failed = get_run(session, run.id)
    assert failed.state is RunState.FAILED
    assert "oslo" in (failed.message or "")
    assert failed.step == "failed"
