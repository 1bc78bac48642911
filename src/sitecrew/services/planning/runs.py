"""Planning runs: the run row (status, progress, owner, deadline) and the pipeline that fills it.

The run row is the queue entry: :func:`create_run` stores it queued, with its owner (this
server's ``host:pid``), a heartbeat and a deadline (:func:`insert_run` for any kind: a day's
routes or a campaign's sweep). :func:`execute_day_run` is what a worker process does with a
day's run once it holds it (:mod:`~sitecrew.services.planning.execute` picks the kind's
executor); :func:`plan_day` runs the same pipeline in the caller's session (CLI, tests).
Clients poll :func:`get_run`.

Every outcome is recorded on the run, and only a run still queued or running changes, so a run
failed meanwhile (its worker died, its owner is gone, its deadline passed) stays failed. A
failure message is a Sitecrew error's own text, or a reference to a logged traceback: the SQL and
exception text of unexpected errors stay in the log.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from sitecrew.db import models as m
from sitecrew.db.engine import session_factory, transaction, write_session_factory
from sitecrew.db.models._columns import as_utc
from sitecrew.db.outages import database_unavailable
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.routes import PlanningRunInfo, PlanOptions, RunKind, RunState
from sitecrew.errors import ConflictError, SitecrewError
from sitecrew.events import run_changed
from sitecrew.services._persist import save
from sitecrew.services.planning.load import get_region_or_raise, load_day
from sitecrew.services.planning.owners import (
    ACTIVE,
    end_scenario_of,
    fail_if_active,
    this_worker,
)
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

LOGGER = logging.getLogger("sitecrew.planning")
DATABASE_WENT_AWAY = (
    "the database could not be reached during the run (restarted or down); plan again"
)
#: Time a run may take beyond its solver time limit: waiting for the worker, loading the day,
#: building a street graph the first time, storing the routes (seconds).
RUN_ALLOWANCE_S = 900.0
#: The solver time a run that stops on iterations only is allowed, for its deadline (seconds).
ITERATIONS_ONLY_S = 3600.0
#: Time a campaign's sweep run may take from its start (seconds): ~2 s measured for 22,000
#: homes, so this only stops a run that hangs, not a big campaign.
CAMPAIGN_RUN_S = 1800.0
#: Time an expansion scenario's run may take from its start (seconds): graph, siting, sample
#: days of every depot.
EXPANSION_RUN_S = 3600.0


@dataclass(frozen=True, eq=False)
class PlanOutcome:
    """What a synchronous :func:`plan_day` did: the run, its routes, and the solved day."""

    run_id: int
    route_ids: list[int]
    summary: dict[str, Any]
    solved: SolvedDay


def run_deadline(options: PlanOptions, start: datetime) -> datetime:
    """Return when a day's run started (or queued) at ``start`` must have finished."""
    solver_s = ITERATIONS_ONLY_S if options.time_limit_s is None else options.time_limit_s
    return start + timedelta(seconds=solver_s + RUN_ALLOWANCE_S)


def deadline_of(kind: RunKind | str, options: dict[str, Any], start: datetime) -> datetime:
    """Return when a run of ``kind`` with stored ``options`` started at ``start`` must end.

    A day's run has its solver's time limit plus :data:`RUN_ALLOWANCE_S`; a campaign's sweep
    has no solver limit and gets :data:`CAMPAIGN_RUN_S`, an expansion scenario
    :data:`EXPANSION_RUN_S`.
    """
    if RunKind(kind) is RunKind.CAMPAIGN:
        return start + timedelta(seconds=CAMPAIGN_RUN_S)
    if RunKind(kind) is RunKind.EXPANSION:
        return start + timedelta(seconds=EXPANSION_RUN_S)
    return run_deadline(PlanOptions.from_json(options), start)


def create_run(
    session: Session,
    *,
    region: int | str,
    day: date,
    options: PlanOptions,
    requested_by: int | None = None,
    queue: str | None = None,
) -> PlanningRunInfo:
    """Store a queued planning run for a region's day, owned by this process, and return it.

    ``queue`` names the task queue a worker takes the run from (None: this server executes it).

    Raises
    ------
    NotFoundError
        When the region does not exist.
    InvalidInputError
        When the region has no street graph region.
    """
    info = get_region_or_raise(session, region)
    return insert_run(
        session,
        kind=RunKind.DAY,
        region_id=info.id,
        day=day,
        options=options.to_json(),
        requested_by=requested_by,
        queue=queue,
    )


def insert_run(
    session: Session,
    *,
    kind: RunKind,
    region_id: int | None,
    day: date,
    options: dict[str, Any],
    requested_by: int | None = None,
    queue: str | None = None,
    campaign_id: int | None = None,
    scenario_id: int | None = None,
) -> PlanningRunInfo:
    """Store a queued run of any kind, owned by this process, with its deadline; return it.

    The caller has checked what the run plans (the region, the campaign) and the caller's right
    to plan it.
    """
    now = datetime.now(UTC)
    row = m.PlanningRun(
        kind=kind.value,
        region_id=region_id,
        campaign_id=campaign_id,
        scenario_id=scenario_id,
        service_date=day,
        status=RunState.QUEUED.value,
        progress=0.0,
        step="queued",
        options=options,
        summary={},
        requested_by=requested_by,
        worker=this_worker(),
        heartbeat_at=now,
        deadline_at=deadline_of(kind, options, now),
        queue=queue,
    )
    return run_info(save(session, row))


def cancel_run(session: Session, run_id: int) -> bool:
    """Cancel a queued or running run; return whether this call cancelled it.

    A queued run is never started; a running one stops at its worker's next progress check
    (the worker finds its run no longer running and stores nothing).
    """
    result = session.execute(
        update(m.PlanningRun)
        .where(m.PlanningRun.id == run_id, m.PlanningRun.status.in_(ACTIVE))
        .values(
            status=RunState.CANCELLED.value,
            step="cancelled",
            message="cancelled at a planner's request",
            finished_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    cancelled = bool(getattr(result, "rowcount", 0))
    if cancelled:
        message = "cancelled at a planner's request"
        end_scenario_of(session, run_id, status=RunState.CANCELLED, message=message)
        run_changed(session, run_id)
    return cancelled


def count_active_runs(session: Session, region_id: int) -> int:
    """Return how many day runs of the region are queued or running (its planning quota).

    Campaign runs do not count: a campaign has at most one at a time
    (:func:`active_campaign_run`), and a sweep of seconds must not hold up a day's plan.
    """
    query = select(func.count(m.PlanningRun.id)).where(
        m.PlanningRun.region_id == region_id,
        m.PlanningRun.kind == RunKind.DAY.value,
        m.PlanningRun.status.in_(ACTIVE),
    )
    return int(session.scalar(query) or 0)


def active_campaign_run(session: Session, campaign_id: int) -> int | None:
    """Return the id of the campaign's queued or running plan run, if it has one."""
    query = select(func.min(m.PlanningRun.id)).where(
        m.PlanningRun.campaign_id == campaign_id, m.PlanningRun.status.in_(ACTIVE)
    )
    found = session.scalar(query)
    return None if found is None else int(found)


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
        kind=RunKind(row.kind or RunKind.DAY.value),
        campaign_id=row.campaign_id,
        scenario_id=row.scenario_id,
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
        mark_running(session, run)
        timings = Timings()
        with timings.stage("load"):
            progress("load", 0, 1)
            loaded = load_day(session, region=day_region(run), day=day, now=options.now)
            progress("load", 1, 1)
        solved = solve_day(loaded, osm=osm, options=options, timings=timings, progress=progress)
        progress("persist", 0, 1)
        route_ids, summary = store_day(session, solved, run_id=run.id, timings=timings)
        if options.publish:
            publish_routes(session, run.id)
        finish_run(session, run.id, summary=summary)
        progress("persist", 1, 1)
    return PlanOutcome(run.id, route_ids, summary, solved)


def day_region(run: PlanningRunInfo) -> int:
    """Return the region a day's run plans (only an expansion run may have none).

    Raises
    ------
    ConflictError
        When the run has no region (it is not a day's run).
    """
    if run.region_id is None:
        raise ConflictError(f"planning run {run.id} plans no region's day")
    return run.region_id


def mark_running(session: Session, run: PlanningRunInfo) -> None:
    """Move a queued run to running, its deadline counted from now.

    Raises
    ------
    ConflictError
        When the run is no longer queued (failed as abandoned or overdue meanwhile).
    """
    now = datetime.now(UTC)
    result = session.execute(
        update(m.PlanningRun)
        .where(m.PlanningRun.id == run.id, m.PlanningRun.status == RunState.QUEUED.value)
        .values(
            status=RunState.RUNNING.value,
            step="load",
            started_at=now,
            heartbeat_at=now,
            deadline_at=deadline_of(run.kind, run.options, now),
        )
    )
    if not getattr(result, "rowcount", 0):
        raise ConflictError(f"planning run {run.id} is no longer queued")


def finish_run(
    session: Session, run_id: int, *, summary: dict[str, Any] | None = None, error: str = ""
) -> None:
    """Record a run's end: succeeded with its summary, or failed with ``error``.

    A succeeded run's message is the summary's ``note``: why it planned nobody, if it did not.

    Only a queued or running run changes: a run failed meanwhile (abandoned, overdue) stays
    failed.

    Raises
    ------
    ConflictError
        When a success is recorded for a run that is no longer running; the caller's
        transaction (the run's routes) must then be rolled back.
    """
    if error:
        fail_if_active(session, run_id, error)
        return
    result = session.execute(
        update(m.PlanningRun)
        .where(m.PlanningRun.id == run_id, m.PlanningRun.status.in_(ACTIVE))
        .values(
            status=RunState.SUCCEEDED.value,
            step="done",
            message=(summary or {}).get("note"),
            progress=1.0,
            summary=summary or {},
            finished_at=datetime.now(UTC),
        )
    )
    if not getattr(result, "rowcount", 0):
        raise ConflictError(f"planning run {run_id} was stopped before it finished")
    run_changed(session, run_id)  # followers hear it once the run's routes are committed


def failure_message(error: BaseException, *, run_id: int) -> str:
    """Return what a failed run may tell its reader about ``error``.

    A Sitecrew error's message is written for users. Anything else (a database error quoting
    its SQL, a bug's exception text) is logged with its traceback under a fresh reference, and
    the run only names that reference.
    """
    if isinstance(error, SitecrewError):
        return str(error)
    if database_unavailable(error):
        LOGGER.warning("planning run %s: the database went away mid-run: %s", run_id, error)
        return DATABASE_WENT_AWAY
    reference = uuid.uuid4().hex[:12]
    LOGGER.error(
        "planning run %s failed unexpectedly (reference %s)", run_id, reference, exc_info=error
    )
    return f"planning failed unexpectedly (reference {reference})"


# --- the worker process ------------------------------------------------------------------------


def execute_day_run(
    engine: Engine,
    run: PlanningRunInfo,
    osm: OsmSettings,
    *,
    deadline: datetime | None = None,
) -> None:
    """Load, solve and store a day's run this process has marked running (raises on failure).

    Every progress report is also a check: a cancelled, failed or overdue run stops there
    (:class:`~sitecrew.services.planning.progress.RunStoppedError`) and stores nothing.
    """
    options = PlanOptions.from_json(run.options)
    writes = write_session_factory(engine)
    run_id = run.id
    progress = RunProgress(writes, run_id, deadline=deadline)
    timings = Timings()
    with session_factory(engine)() as session, timings.stage("load"):
        progress("load", 0, 1)
        loaded = load_day(session, region=day_region(run), day=run.service_date, now=options.now)
    solved = solve_day(loaded, osm=osm, options=options, timings=timings, progress=progress)
    progress("persist", 0, 1)
    with writes.begin() as session:
        _, summary = store_day(session, solved, run_id=run_id, timings=timings)
        if options.publish:
            publish_routes(session, run_id)
        finish_run(session, run_id, summary=summary)
