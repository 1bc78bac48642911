"""Waiting for a campaign plan run on the command line: a progress bar per stage of the sweep.

``sitecrew campaign plan`` queues the run like the API does and then follows the run row, so the
command works the same whoever executes the run (a ``sitecrew worker``, or this command's own
worker process when no Redis is configured). While it waits it renews the heartbeat of a run
this process owns (a server's supervisor fails a run whose owner stays silent), Ctrl-C cancels
the run, and a failed or cancelled run ends the command non-zero with the run's own message.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

from sitecrew.db.engine import session_factory, write_session_factory
from sitecrew.domain.routes import RunState
from sitecrew.errors import ConflictError, SitecrewError
from sitecrew.services.campaigns.plan_run import campaign_plan_run
from sitecrew.services.campaigns.sweep_run import SPANS
from sitecrew.services.planning.background import shutdown_runs
from sitecrew.services.planning.owners import renew_heartbeats
from sitecrew.services.planning.runs import cancel_run, get_run

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sitecrew.domain.routes import PlanningRunInfo
    from sitecrew.services.campaigns.commands import PlanSummary
    from sitecrew.services.progress import ProgressCallback

#: Seconds between two reads of the run.
POLL_S = 0.2
#: Seconds a run may wait on the task queue before the command says what it waits for.
QUEUED_HINT_S = 10.0
_STEPS = tuple(SPANS)
_BAR = 1000


def wait_for_plan(engine: Engine, run_id: int, *, queued_on: bool) -> PlanSummary:
    """Follow a campaign plan run to its end with a progress bar; return its plan.

    Raises
    ------
    ConflictError
        When the run was cancelled (by Ctrl-C here, or by a planner).
    SitecrewError
        When the run failed: its message says why.
    """
    reads, writes = session_factory(engine), write_session_factory(engine)
    began = time.monotonic()
    hinted = False
    try:
        from sitecrew.cli.progress import progress_bar  # noqa: PLC0415 (rich loads on use)

        with progress_bar() as progress:
            while True:
                with writes.begin() as session:
                    renew_heartbeats(session, [run_id])  # only while this process owns it
                with reads() as session:
                    run = get_run(session, run_id)
                _draw(progress, run)
                if run.state.finished:
                    break
                if queued_on and not hinted and time.monotonic() - began > QUEUED_HINT_S:
                    hinted = run.state is RunState.QUEUED
                    if hinted:
                        typer.echo(
                            f"run {run_id} waits on the task queue: is a `sitecrew worker` "
                            "running? (Ctrl-C cancels it)",
                            err=True,
                        )
                time.sleep(POLL_S)
    except KeyboardInterrupt:
        with writes.begin() as session:
            cancel_run(session, run_id)
        raise ConflictError(f"campaign plan run {run_id} cancelled (Ctrl-C)") from None
    finally:
        shutdown_runs()  # this command's own worker process, if it started one
    return _outcome(run)


def _draw(progress: ProgressCallback, run: PlanningRunInfo) -> None:
    """Fill the bars of the steps done and the current step's share of its span."""
    if run.step not in SPANS and run.state is not RunState.SUCCEEDED:
        return
    current = _STEPS.index(run.step) if run.step in SPANS else len(_STEPS)
    for step in _STEPS[:current]:
        progress(step, _BAR, _BAR)
    if run.step in SPANS:
        low, high = SPANS[run.step]
        share = (run.progress - low) / (high - low) if high > low else 0.0
        progress(run.step, round(min(max(share, 0.0), 1.0) * _BAR), _BAR)


def _outcome(run: PlanningRunInfo) -> PlanSummary:
    found = campaign_plan_run(run)
    if run.state is RunState.SUCCEEDED and found.summary is not None:
        return found.summary
    if run.state is RunState.CANCELLED:
        raise ConflictError(f"campaign plan run {run.id} was cancelled: {run.message}")
    raise SitecrewError(f"campaign plan run {run.id} failed: {run.message}")
