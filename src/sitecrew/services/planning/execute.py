"""What a worker does with a run it holds, by the run's kind; the embedded pool's entry point.

Every kind of run (a day's routes, a campaign's sweep, an expansion scenario) shares the run
row, its claim, heartbeat, deadline, attempts and supervision
(:mod:`~sitecrew.services.planning.queued`, :mod:`~sitecrew.services.planning.background`,
:mod:`~sitecrew.services.planning.owners`); only this module knows which executor a kind has.
It sits above the executors, so they may use the run bookkeeping of
:mod:`~sitecrew.services.planning.runs` without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.db.outages import retry_while_unavailable
from sitecrew.domain.routes import RunKind
from sitecrew.services.campaigns.sweep_run import execute_campaign_run
from sitecrew.services.expansion.scenario_run import execute_scenario_run
from sitecrew.services.planning.owners import fail_if_active
from sitecrew.services.planning.runs import (
    execute_day_run,
    failure_message,
    get_run,
    mark_running,
)

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

    from sitecrew.config import OsmSettings
    from sitecrew.domain.routes import PlanningRunInfo


def execute_claimed(
    engine: Engine,
    run: PlanningRunInfo,
    osm: OsmSettings,
    *,
    deadline: datetime | None = None,
) -> None:
    """Execute a run this process has marked running, by its kind (raises on failure).

    A cancelled, failed or overdue run stops at its next progress report
    (:class:`~sitecrew.services.planning.progress.RunStoppedError`) and stores nothing.
    """
    if run.kind is RunKind.CAMPAIGN:
        reads, writes = session_factory(engine), write_session_factory(engine)
        execute_campaign_run(reads, writes, run, deadline=deadline)
        return
    if run.kind is RunKind.EXPANSION:
        execute_scenario_run(engine, run, osm, deadline=deadline)
        return
    execute_day_run(engine, run, osm, deadline=deadline)


def execute_run(database_url: str, run_id: int, osm: OsmSettings) -> None:
    """Run a queued run of any kind to its end (the embedded worker process's entry point).

    Every outcome is recorded on the run: success with its summary, or failure with the
    message of :func:`~sitecrew.services.planning.runs.failure_message`.
    """
    engine = engine_from_url(database_url)
    try:
        with write_session_factory(engine).begin() as session:
            run = get_run(session, run_id)
            mark_running(session, run)
        execute_claimed(engine, run, osm)
    except Exception as error:  # noqa: BLE001 (every failure must be recorded on the run)
        message = failure_message(error, run_id=run_id)

        def record() -> None:
            with write_session_factory(engine).begin() as session:
                fail_if_active(session, run_id, message)

        retry_while_unavailable(record)  # once a restarting database is back, not never
    finally:
        engine.dispose()
