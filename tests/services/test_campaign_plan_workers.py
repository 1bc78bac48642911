"""Campaign plan runs executed by real worker processes, and what happens when a worker dies.

On a committed copy of the campaign world per backend (workers read committed rows only): the
embedded worker pool (no Redis configured) plans a queued campaign run in another process; a
campaign run whose worker is gone is taken over or failed like a day's run, by the same claim
and supervision code. Each test removes the campaigns and runs it made.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from tests.api.campaign_world import START, build_api_campaign_world
from tests.services.test_campaign_create import new_campaign

from sitecrew.config import OsmSettings, QueueSettings
from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import RunKind, RunState
from sitecrew.services.campaigns import PlanCampaign, create_campaign
from sitecrew.services.campaigns.plan_run import get_campaign_plan_run, queue_campaign_plan
from sitecrew.services.planning import runs
from sitecrew.services.planning.background import shutdown_runs, wait_for_run
from sitecrew.services.planning.owners import ABANDONED, fail_abandoned_runs, this_worker
from sitecrew.services.planning.queued import WORKER_DIED, claim_run

ADMIN = Principal(Role.ADMIN)
QUEUE = QueueSettings(max_attempts=2, worker_lost_after_s=15)


@pytest.fixture(scope="session")
def committed_campaign_world(backend, database_url_factory):
    """A database of ``backend`` with the campaign world committed; its URL and world."""
    url = database_url_factory(backend, "sitecrew_test_campaign_workers")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_api_campaign_world(session, prefix="Workerby")
    engine.dispose()
    return url, world


@pytest.fixture
def engine(committed_campaign_world):
    """An engine on the world; the campaigns and runs a test made are removed after it."""
    engine = engine_from_url(committed_campaign_world[0])
    yield engine
    shutdown_runs()
    with write_session_factory(engine).begin() as session:
        session.execute(delete(m.PlanningRun))
        session.execute(delete(m.CampaignHome))
        session.execute(delete(m.CampaignCrew))
        session.execute(delete(m.Campaign))
    engine.dispose()


@pytest.fixture
def world(committed_campaign_world):
    return committed_campaign_world[1]


@pytest.fixture
def campaign_id(engine, world) -> int:
    with write_session_factory(engine).begin() as session:
        return create_campaign(session, ADMIN, new_campaign(world)).id


@pytest.fixture(scope="module")
def dead_worker() -> str:
    """The ``host:pid`` of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{this_worker().rpartition(':')[0]}:{process.pid}"


def _queue(engine, campaign_id: int, **settings):
    with write_session_factory(engine).begin() as session:
        return queue_campaign_plan(
            session, ADMIN, PlanCampaign(campaign_id, START), osm=OsmSettings(), **settings
        ).run


def _on_queue(engine, campaign_id: int) -> int:
    """A campaign run waiting on the task queue (no message is sent: the test delivers it)."""
    with write_session_factory(engine).begin() as session:
        return runs.insert_run(
            session,
            kind=RunKind.CAMPAIGN,
            region_id=session.get(m.Campaign, campaign_id).region_id,
            day=START,
            options={"move_confirmed": False},
            queue="planning",
            campaign_id=campaign_id,
        ).id


def _set(engine, run_id: int, **values) -> None:
    with write_session_factory(engine).begin() as session:
        session.execute(update(m.PlanningRun).where(m.PlanningRun.id == run_id).values(**values))


def test_without_redis_a_worker_process_of_this_server_plans_the_campaign(engine, campaign_id):
    """The embedded mode: the run is handed to this process's worker pool once committed."""
    queued = _queue(engine, campaign_id)
    assert (queued.kind, queued.campaign_id, queued.state) == (
        RunKind.CAMPAIGN,
        campaign_id,
        RunState.QUEUED,
    )
    wait_for_run(queued.id, timeout_s=120)
    with session_factory(engine)() as session:
        found = get_campaign_plan_run(session, ADMIN, queued.id)
        proposed = session.scalar(
            select(func.count(m.CampaignHome.id)).where(
                m.CampaignHome.campaign_id == campaign_id, m.CampaignHome.state == "proposed"
            )
        )
        worker = session.get(m.PlanningRun, queued.id).worker
    assert found.run.state is RunState.SUCCEEDED, found.run.message
    assert found.summary is not None
    assert found.summary.placed == proposed > 0
    assert found.summary.placed + found.summary.unplaced_total == 20
    assert worker == this_worker()  # this server owns it; its pool's process executed it


def test_a_running_campaign_run_whose_worker_died_is_taken_over_then_failed(
    engine, campaign_id, dead_worker
):
    """Redelivered after its worker died: started again under this worker (attempt 2, the
    campaign run's own deadline); when it dies again at the last attempt, it is failed."""
    run_id = _on_queue(engine, campaign_id)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    _set(
        engine,
        run_id,
        queue="planning",
        status=RunState.RUNNING.value,
        worker=dead_worker,
        started_at=long_ago,
        heartbeat_at=long_ago,
        deadline_at=long_ago + timedelta(seconds=runs.CAMPAIGN_RUN_S),
        attempts=1,
    )
    with write_session_factory(engine).begin() as session:
        claim = claim_run(session, run_id, QUEUE)
    assert claim is not None
    assert (claim.attempt, claim.run.kind, claim.run.campaign_id) == (
        2,
        RunKind.CAMPAIGN,
        campaign_id,
    )
    _set(engine, run_id, worker=dead_worker, heartbeat_at=long_ago)
    with write_session_factory(engine).begin() as session:
        assert claim_run(session, run_id, QUEUE) is None
        row = session.get(m.PlanningRun, run_id)
        assert (row.status, row.message) == ("failed", WORKER_DIED.format(attempts=2))
    again = _queue(engine, campaign_id)  # a failed run no longer blocks the campaign
    assert again.state is RunState.QUEUED


def test_a_queued_campaign_run_gets_a_deadline_of_its_own_not_a_solver_limit(engine, campaign_id):
    run_id = _on_queue(engine, campaign_id)
    with write_session_factory(engine).begin() as session:
        claim = claim_run(session, run_id, QUEUE)
    assert claim is not None
    assert claim.deadline is not None
    budget = (claim.deadline - datetime.now(UTC)).total_seconds()
    assert runs.CAMPAIGN_RUN_S - 60 < budget <= runs.CAMPAIGN_RUN_S


def test_a_campaign_run_left_by_a_stopped_server_is_failed_by_the_supervisors_sweep(
    engine, campaign_id, dead_worker
):
    """Embedded mode: its owner's pid is gone, so the run can never end: it is failed, and the
    campaign can be planned again."""
    run_id = _on_queue(engine, campaign_id)
    _set(engine, run_id, queue=None, status=RunState.RUNNING.value, worker=dead_worker)
    with write_session_factory(engine).begin() as session:
        assert run_id in fail_abandoned_runs(session, stale_after_s=120)
        row = session.get(m.PlanningRun, run_id)
        assert (row.status, row.message) == ("failed", ABANDONED)
    assert _queue(engine, campaign_id).state is RunState.QUEUED
