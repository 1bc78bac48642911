"""Background planning runs in this server process: a worker pool that survives its workers.

This is the embedded executor, used when no task queue is configured (``SITECREW_REDIS_URL``
unset: the demo, the tests, a single machine); with Redis, runs go to the queue and
``sitecrew worker`` processes execute them. :mod:`~sitecrew.services.planning.dispatch`
chooses.

The solve is CPU-bound for seconds, so the server never runs it on a request. Once a queued run
is committed it is handed to a process pool (``spawn`` context: a clean interpreter with its own
database engine and street-network memo); :func:`start_after_commit` lets a use case queue the
run inside the caller's transaction. A worker process that dies (killed, out of memory) breaks
the pool: the run it broke is failed with :data:`WORKER_DIED` and the pool is replaced, so the
next run works. :func:`owned_run_ids` tells the
:class:`~sitecrew.services.planning.supervisor.RunSupervisor` whose heartbeats to renew.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from sitecrew.db.engine import write_session_factory
from sitecrew.services.planning.execute import execute_run
from sitecrew.services.planning.owners import fail_if_active
from sitecrew.services.planning.runs import create_run, failure_message

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.routes import PlanningRunInfo, PlanOptions

LOGGER = logging.getLogger("sitecrew.planning")
WORKER_DIED = (
    "the planning worker process stopped unexpectedly (killed or out of memory); plan again"
)

_pool: ProcessPoolExecutor | None = None
#: Runs handed to the pool and not finished, by (database, run id).
_futures: dict[tuple[str, int], Future[None]] = {}
_pool_lock = threading.Lock()
_PENDING = "sitecrew_runs_to_start"


def _database_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def start_run(
    engine: Engine,
    *,
    region: int | str,
    day: date,
    osm: OsmSettings,
    options: PlanOptions,
    requested_by: int | None = None,
) -> PlanningRunInfo:
    """Queue a planning run, commit it, and execute it in a worker process; return it queued.

    Poll :func:`get_run` for progress.

    Raises
    ------
    NotFoundError, InvalidInputError
        When the region is unknown or has no street graph (nothing is queued then).
    """
    with write_session_factory(engine).begin() as session:
        run = create_run(
            session, region=region, day=day, options=options, requested_by=requested_by
        )
    submit_run(engine, run.id, osm)
    return run


def start_after_commit(session: Session, run_id: int, osm: OsmSettings) -> None:
    """Hand a queued run to a worker once ``session`` commits (never, if it rolls back).

    The worker reads the run from its own connection, so it may only start after the commit;
    this lets a use case queue the run inside the caller's transaction.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _start_pending)
        event.listen(session, "after_rollback", _forget_pending)
    session.info[_PENDING].append((engine, run_id, osm))


def _forget_pending(session: Session) -> None:
    session.info[_PENDING].clear()


def _start_pending(session: Session) -> None:
    pending, session.info[_PENDING] = session.info[_PENDING], []
    for engine, run_id, osm in pending:
        submit_run(engine, run_id, osm)


def submit_run(engine: Engine, run_id: int, osm: OsmSettings) -> None:
    """Execute a committed queued run in this process's worker pool.

    A pool broken by a dead worker is replaced first. When no worker can be started at all the
    run is failed (with a logged reference), so it never waits for nothing.
    """
    key = (_database_key(engine), run_id)
    url = engine.url.render_as_string(hide_password=False)
    try:
        with _pool_lock:
            pool, future = _submit_locked(url, run_id, osm)
            _futures[key] = future
    except Exception as error:  # noqa: BLE001 (recorded on the run, traceback logged)
        with write_session_factory(engine).begin() as session:
            fail_if_active(session, run_id, failure_message(error, run_id=run_id))
        return
    future.add_done_callback(partial(_after_run, engine, key, pool))


def _submit_locked(
    url: str, run_id: int, osm: OsmSettings
) -> tuple[ProcessPoolExecutor, Future[None]]:
    global _pool  # noqa: PLW0603 (one pool per process, created lazily, replaced when broken)
    for _ in range(2):
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        try:
            return _pool, _pool.submit(execute_run, url, run_id, osm)
        except BrokenProcessPool:
            _pool = None
    raise BrokenProcessPool("no planning worker process could be started")


def _after_run(
    engine: Engine, key: tuple[str, int], pool: ProcessPoolExecutor, future: Future[None]
) -> None:
    """Forget a finished run; when its worker died, replace the pool and fail the run."""
    global _pool  # noqa: PLW0603 (see _submit_locked)
    error = future.exception()
    with _pool_lock:
        if _futures.get(key) is future:
            del _futures[key]
        if isinstance(error, BrokenProcessPool) and _pool is pool:
            _pool = None
    if error is None:
        return
    run_id = key[1]
    if isinstance(error, BrokenProcessPool):
        LOGGER.error("planning run %s: its worker process died (%s)", run_id, error)
        message = WORKER_DIED
    else:
        message = failure_message(error, run_id=run_id)
    try:
        with write_session_factory(engine).begin() as session:
            fail_if_active(session, run_id, message)
    except SQLAlchemyError:
        LOGGER.exception("planning run %s: could not record its failure", run_id)


def owned_run_ids(engine: Engine) -> list[int]:
    """Return the runs of ``engine``'s database that this process is executing or queueing."""
    database = _database_key(engine)
    with _pool_lock:
        return [run_id for (db, run_id) in _futures if db == database]


def wait_for_run(run_id: int, *, timeout_s: float) -> None:
    """Block until a run started in this process has finished (tests, CLI); ignore others.

    Raises
    ------
    TimeoutError
        When the run is still going after ``timeout_s`` seconds.
    """
    with _pool_lock:
        futures = [future for (_, key), future in _futures.items() if key == run_id]
    for future in futures:
        future.exception(timeout=timeout_s)


def shutdown_runs() -> None:
    """Stop the worker pool after its runs finish (application shutdown, end of tests)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)  # outside the lock: finishing runs' callbacks take it
