"""``sitecrew worker`` refuses to start without a usable queue; ``sitecrew plan cancel``."""

from __future__ import annotations

from datetime import date

import pytest
from tests.helpers import OSLO_BOX, run_sitecrew

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.organisations import Region
from sitecrew.domain.routes import PlanOptions, RunState
from sitecrew.services import organisations
from sitecrew.services.planning import runs


@pytest.fixture(scope="module")
def queued_world(backend, database_url_factory) -> tuple[str, int, int]:
    """A migrated database with a region and a run waiting on the queue: (url, run, region)."""
    url = database_url_factory(backend, "sitecrew_test_worker_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        region = organisations.create_region(session, Region("Worker test", OSLO_BOX, street_region="oslo"))
        options = PlanOptions(seed=1, time_limit_s=1)
        run = runs.create_run(
            session, region=region.id, day=date(2031, 3, 3), options=options, queue="planning"
        )
    engine.dispose()
    return url, run.id, region.id


def test_worker_refuses_to_start_without_redis_and_says_none_is_needed(tmp_path, queued_world):
    """No SITECREW_REDIS_URL: the server executes runs itself; the worker says so (exit 7)."""
    url, _, _ = queued_world
    done = run_sitecrew("worker", cwd=tmp_path, DATABASE_URL=url, SITECREW_REDIS_URL="")
    assert done.returncode == 7, done.stderr
    assert "SITECREW_REDIS_URL is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_worker_refuses_a_redis_that_does_not_answer_or_a_url_that_is_not_redis(
    tmp_path, queued_world
):
    """An unreachable Redis is UNAVAILABLE-style (exit 7); a wrong scheme names the variable."""
    url, _, _ = queued_world
    down = run_sitecrew(
        "worker", cwd=tmp_path, DATABASE_URL=url, SITECREW_REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert down.returncode == 7, down.stderr
    assert "task queue (Redis) is unavailable" in down.stderr
    wrong = run_sitecrew(
        "worker", cwd=tmp_path, DATABASE_URL=url, SITECREW_REDIS_URL="http://user:secret@h/0"
    )
    assert wrong.returncode == 7, wrong.stderr
    assert "SITECREW_REDIS_URL must start with redis://" in wrong.stderr
    assert "secret" not in wrong.stderr


def test_plan_cancel_cancels_a_queued_run_once(tmp_path, queued_world):
    """`sitecrew plan cancel ID` cancels; again, or an unknown id, is refused with its reason."""
    url, run_id, _ = queued_world
    done = run_sitecrew("plan", "cancel", str(run_id), cwd=tmp_path, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert f"planning run {run_id} cancelled (was queued)" in done.stdout
    engine = engine_from_url(url)
    with session_factory(engine)() as session:
        assert session.get(m.PlanningRun, run_id).status == RunState.CANCELLED.value
    engine.dispose()
    again = run_sitecrew("plan", "cancel", str(run_id), cwd=tmp_path, DATABASE_URL=url)
    assert again.returncode == 5, again.stderr
    assert "is cancelled: it can no longer be cancelled" in again.stderr
    unknown = run_sitecrew("plan", "cancel", "999999", cwd=tmp_path, DATABASE_URL=url)
    assert unknown.returncode == 4, unknown.stderr


def test_plan_still_needs_region_and_date_when_it_plans(tmp_path, queued_world):
    """`sitecrew plan` alone is a usage error naming the missing option (exit 2)."""
    url, _, _ = queued_world
    done = run_sitecrew("plan", "--date", "2031-03-03", cwd=tmp_path, DATABASE_URL=url)
    assert done.returncode == 2
    assert "--region" in done.stderr
