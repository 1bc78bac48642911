"""Planning runs: a row with status and progress, executed synchronously or in a worker process.

The solve is CPU-bound for seconds, so the server never runs it on a request: :func:`start_run`
commits a queued run and hands it to a process pool (``spawn`` context: a clean interpreter with
its own database engine and street-network memo), then returns at once; clients poll
:func:`get_run`. :func:`plan_day` runs the same pipeline in the caller's session (CLI, tests).
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, transaction
from sitecrew.db.models._columns import as_utc
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.routes import PlanningRunInfo, PlanOptions, RunState
from sitecrew.services._persist import save
from sitecrew.services.planning.load import get_region_or_raise, load_day
from sitecrew.services.planning.persist import publish_routes
from sitecrew.services.planning.pipeline import SolvedDay, Timings, solve_day, store_day
from sitecrew.services.planning.progress import RunProgress
from sitecrew.services.progress import no_progress

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.services.progress import ProgressCallback


@dataclass(frozen=True, eq=False)
class PlanOutcome:
    """What a synchronous :func:`plan_day` did: the run, its routes, and the solved day."""

    run_id: int
    route_ids: list[int]
    summary: dict[str, Any]
    solved: SolvedDay


def create_run(
    session: Session, *, region: int | str, day: date, options: PlanOptions
) -> PlanningRunInfo:
    """Store a queued planning run for a region's day and return it.

    Raises
    ------
    NotFoundError
        When the region does not exist.
    InvalidInputError
        When the region has no street graph region.
    """
    info = get_region_or_raise(session, region)
    row = m.PlanningRun(
        region_id=info.id,
        service_date=day,
        status=RunState.QUEUED.value,
        progress=0.0,
        step="queued",
        options=options.to_json(),
        summary={},
    )
    return run_info(save(session, row))


def get_run(session: Session, run_id: int) -> PlanningRunInfo:
    """Return a planning run's status, progress, step, message and summary.

    Raises
    ------
    NotFoundError
        When no run has that id.
    """
    row = get_or_raise(session, m.PlanningRun, run_id)
    session.refresh(row)
    return run_info(row)


def run_info(row: m.PlanningRun) -> PlanningRunInfo:
    """Return the domain view of a run row."""
    return PlanningRunInfo(
        id=row.id,
        region_id=row.region_id,
        service_date=row.service_date,
        state=RunState(row.status),
        progress=float(row.progress or 0.0),
        step=row.step,
        message=row.message,
        options=dict(row.options or {}),
        summary=dict(row.summary or {}),
        created_at=as_utc(row.created_at),
        started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at),
    )


def plan_day(
    session: Session,
    *,
    region: int | str,
    day: date,
    osm: OsmSettings,
    options: PlanOptions,
    progress: ProgressCallback = no_progress,
) -> PlanOutcome:
    """Plan a region's day in the caller's session: a run row, draft routes, optional publish.

    Parameters
    ----------
    session
        An open session; the caller commits (the CLI) or rolls back (tests).
    region
        Region id or name.
    day
        The service date.
    osm
        Where the street graphs are.
    options
        Seed, stopping rule, publish flag and the re-planning moment.
    progress
        ``progress(step, done, total)`` per stage.

    Returns
    -------
    PlanOutcome
        The run id, the new route ids, the summary and the solved day.

    Raises
    ------
    NotFoundError, InvalidInputError, StreetGraphError, InfeasiblePlanError
        As the stages do; nothing is written then (the run row included).
    """
    with transaction(session):
        run = create_run(session, region=region, day=day, options=options)
        _mark_running(session, run.id)
        timings = Timings()
        with timings.stage("load"):
            progress("load", 0, 1)
            loaded = load_day(session, region=run.region_id, day=day, now=options.now)
            progress("load", 1, 1)
        solved = solve_day(loaded, osm=osm, options=options, timings=timings, progress=progress)
        progress("persist", 0, 1)
        route_ids, summary = store_day(session, solved, run_id=run.id, timings=timings)
        if options.publish:
            publish_routes(session, run.id)
        finish_run(session, run.id, summary=summary)
        progress("persist", 1, 1)
    return PlanOutcome(run.id, route_ids, summary, solved)


def _mark_running(session: Session, run_id: int) -> None:
    row = get_or_raise(session, m.PlanningRun, run_id)
    row.status = RunState.RUNNING.value
    row.step = "load"
    row.started_at = datetime.now(UTC)
    save(session, row)


def finish_run(
    session: Session, run_id: int, *, summary: dict[str, Any] | None = None, error: str = ""
) -> None:
    """Record a run's end: succeeded with its summary, or failed with ``error``."""
    row = get_or_raise(session, m.PlanningRun, run_id)
    row.status = RunState.FAILED.value if error else RunState.SUCCEEDED.value
    row.message = error or None
    row.step = "failed" if error else "done"
    if not error:
        row.progress = 1.0
        row.summary = summary or {}
    row.finished_at = datetime.now(UTC)
    save(session, row)


# --- background runs ---------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_futures: dict[int, Future[None]] = {}
_pool_lock = threading.Lock()


def start_run(
    engine: Engine, *, region: int | str, day: date, osm: OsmSettings, options: PlanOptions
) -> PlanningRunInfo:
    """Queue a planning run and execute it in a worker process; return the queued run at once.

    The run row is committed before the worker starts (it reads it from its own connection), so
    this takes the engine rather than a caller's session. Poll :func:`get_run` for progress.

    Raises
    ------
    NotFoundError, InvalidInputError
        When the region is unknown or has no street graph (nothing is queued then).
    """
    with session_factory(engine).begin() as session:
        run = create_run(session, region=region, day=day, options=options)
    url = engine.url.render_as_string(hide_password=False)
    with _pool_lock:
        future = _get_pool().submit(execute_run, url, run.id, osm)
        _futures[run.id] = future
    future.add_done_callback(lambda done: _record_crash(engine, run.id, done))
    return run


def wait_for_run(run_id: int, *, timeout_s: float) -> None:
    """Block until a run started in this process has finished (tests, CLI); ignore others.

    Raises
    ------
    TimeoutError
        When the run is still going after ``timeout_s`` seconds.
    """
    future = _futures.get(run_id)
    if future is not None:
        future.exception(timeout=timeout_s)


def shutdown_runs() -> None:
    """Stop the worker pool after its runs finish (application shutdown, end of tests)."""
    global _pool  # noqa: PLW0603 (one pool per process, created lazily)
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None
        _futures.clear()


def _get_pool() -> ProcessPoolExecutor:
    global _pool  # noqa: PLW0603 (one pool per process, created lazily)
    if _pool is None:
        context = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    return _pool


def _record_crash(engine: Engine, run_id: int, future: Future[None]) -> None:
    """Mark a run failed when its worker died before recording an outcome itself."""
    error = future.exception()
    if error is None:
        return
    with session_factory(engine).begin() as session:
        if get_run(session, run_id).state.finished:
            return
        finish_run(session, run_id, error=f"worker failed: {type(error).__name__}: {error}")


def execute_run(database_url: str, run_id: int, osm: OsmSettings) -> None:
    """Run a queued planning run to its end (the worker process's entry point).

    Every outcome is recorded on the run: success with its summary, or failure with a message
    (a Sitecrew error's own text; anything else as its type and text).
    """
    engine = engine_from_url(database_url)
    factory = session_factory(engine)
    try:
        _execute(factory, run_id, osm)
    except Exception as error:  # noqa: BLE001 (every failure must be recorded on the run)
        with factory.begin() as session:
            finish_run(session, run_id, error=_describe(error))
    finally:
        engine.dispose()


def _execute(factory: Any, run_id: int, osm: OsmSettings) -> None:
    with factory.begin() as session:
        _mark_running(session, run_id)
        run = get_run(session, run_id)
    options = PlanOptions.from_json(run.options)
    progress = RunProgress(factory, run_id)
    timings = Timings()
    with factory() as session, timings.stage("load"):
        progress("load", 0, 1)
        loaded = load_day(session, region=run.region_id, day=run.service_date, now=options.now)
    solved = solve_day(loaded, osm=osm, options=options, timings=timings, progress=progress)
    progress("persist", 0, 1)
    with factory.begin() as session:
        _, summary = store_day(session, solved, run_id=run_id, timings=timings)
        if options.publish:
            publish_routes(session, run_id)
        finish_run(session, run_id, summary=summary)


def _describe(error: Exception) -> str:
    from sitecrew.errors import SitecrewError  # noqa: PLC0415

    if isinstance(error, SitecrewError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"
