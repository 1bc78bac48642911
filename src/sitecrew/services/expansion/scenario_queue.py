"""Expansion scenarios in the background: queue one on the planning queue, or run one here.

A scenario runs as a planning run of kind ``expansion`` (DESIGN convention 19), so it travels
the way a day's plan and a campaign's sweep do (:mod:`~sitecrew.services.planning.dispatch`):
once the caller commits, to the task queue's ``sitecrew worker`` when Redis is configured, else
to this server's own worker pool; the run's claim, heartbeat, deadline, attempts and the
supervisors' sweeps (a dead worker's run is taken over or failed, and its scenario with it)
are the planning runs'. :func:`run_scenario_here` is the command line's way: the same run row,
owned and executed by the calling process, with its heartbeat renewed while it computes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sitecrew.config import QueueSettings, RedisSettings
from sitecrew.db.engine import transaction, write_session_factory
from sitecrew.domain.routes import PlanningRunInfo, RunKind
from sitecrew.services.expansion.scenario_run import execute_scenario_run
from sitecrew.services.expansion.scenarios import ScenarioInfo, create_scenario
from sitecrew.services.planning import dispatch, runs
from sitecrew.services.planning.owners import fail_if_active
from sitecrew.services.planning.queued import Heartbeat
from sitecrew.services.progress import no_progress

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.services.expansion.scenario_input import ScenarioInput
    from sitecrew.services.progress import ProgressCallback

#: Seconds between two heartbeats of a scenario run this process executes itself.
HEARTBEAT_S = 10.0


def queue_scenario(
    session: Session,
    principal: Principal,
    command: ScenarioInput,
    *,
    osm: OsmSettings,
    redis: RedisSettings = RedisSettings(),  # noqa: B008 (frozen: a safe shared default)
    queue: QueueSettings = QueueSettings(),  # noqa: B008
) -> ScenarioInfo:
    """Store a scenario queued with its run; a worker starts it once the caller commits.

    Raises
    ------
    PermissionDeniedError
        For callers who may not plan expansions (or not in that region).
    InvalidInputError, NotFoundError
        For bad input or an unknown region; nothing is written then.
    UnavailableError
        When the task queue is configured but unreachable (nothing is queued then).
    """
    dispatch.check_dispatch(redis, queue)
    with transaction(session):
        info = create_scenario(session, principal, command, osm=osm)
        run = _insert_run(session, principal, info, queue=dispatch.queue_name(redis))
    dispatch.dispatch_after_commit(
        session, run.id, osm=osm, redis=redis, queue=queue, time_limit_s=runs.EXPANSION_RUN_S
    )
    return info


def run_scenario_here(
    engine: Engine,
    principal: Principal,
    command: ScenarioInput,
    *,
    osm: OsmSettings,
    echo: ProgressCallback = no_progress,
) -> int:
    """Store a scenario with its run, execute it in this process, and return the scenario's id.

    The run is owned by this process (``host:pid``) and its heartbeat renewed while it
    computes, so a server's supervisor fails it, and the scenario with it, if this process
    dies. Every outcome is on the scenario (read it with ``get_scenario``).

    Raises
    ------
    PermissionDeniedError, InvalidInputError, NotFoundError
        As :func:`queue_scenario` does, before anything is written.
    """
    with write_session_factory(engine).begin() as session:
        info = create_scenario(session, principal, command, osm=osm)
        run = _insert_run(session, principal, info, queue=None)
        runs.mark_running(session, run)
    with Heartbeat(engine, run.id, interval_s=HEARTBEAT_S):
        try:
            execute_scenario_run(engine, run, osm, echo=echo)
        except Exception as error:  # noqa: BLE001 (recorded on the run and its scenario)
            message = runs.failure_message(error, run_id=run.id)
            with write_session_factory(engine).begin() as session:
                fail_if_active(session, run.id, message)
    return info.id


def _insert_run(
    session: Session, principal: Principal, info: ScenarioInfo, *, queue: str | None
) -> PlanningRunInfo:
    return runs.insert_run(
        session,
        kind=RunKind.EXPANSION,
        region_id=info.region_id,
        day=datetime.now(UTC).date(),
        options={},
        requested_by=principal.token_id,
        queue=queue,
        scenario_id=info.id,
    )
