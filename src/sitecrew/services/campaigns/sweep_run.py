"""A campaign plan run's work: the sweep's stages with progress, stored under the campaign lock.

A worker (the task queue's, or a server's embedded pool; see
:mod:`~sitecrew.services.planning.execute`) calls :func:`execute_campaign_run` for a run it
holds. The stages are the synchronous plan's (:mod:`~sitecrew.services.campaigns.plan`):

1. ``load homes`` and 2. ``learn`` read in short read sessions, without the campaign's lock, so
   outcomes and confirmations are not held up while a big campaign is read;
3. ``sweep`` is pure computation, outside any session;
4. ``store`` takes the campaign's lock, checks that nothing the plan read changed meanwhile
   (:func:`~sitecrew.services.campaigns.plan.campaign_fingerprint`; if something did, it reads
   and sweeps again under the lock), writes the homes and records the run's success in the same
   transaction.

Each progress report is also the run's cancellation and deadline check
(:class:`~sitecrew.services.planning.progress.RunProgress`), and the success is recorded only on
a run still running, so a cancelled or failed run stores nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any

from sitecrew.db import models as m
from sitecrew.db.outages import retry_while_unavailable
from sitecrew.errors import NotFoundError
from sitecrew.services.campaigns.commands import PlanSummary
from sitecrew.services.campaigns.plan import (
    campaign_fingerprint,
    learn_sweep_model,
    load_sweep_homes,
    plan_start,
    store_sweep,
    sweep,
)
from sitecrew.services.planning.owners import fail_if_active
from sitecrew.services.planning.progress import RunProgress, RunStoppedError
from sitecrew.services.planning.runs import failure_message, finish_run, get_run, mark_running

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session, sessionmaker

    from sitecrew.domain.routes import PlanningRunInfo

#: The share of a campaign run's progress bar each stage spans.
SPANS: dict[str, tuple[float, float]] = {
    "load homes": (0.0, 0.35),
    "learn": (0.35, 0.5),
    "sweep": (0.5, 0.85),
    "store": (0.85, 1.0),
}


def execute_campaign_run(
    reads: sessionmaker[Session],
    writes: sessionmaker[Session],
    run: PlanningRunInfo,
    *,
    deadline: datetime | None = None,
) -> PlanSummary:
    """Plan a campaign run's sweep, store it and record the run's success (raises on failure).

    ``run`` is marked running by this process. ``reads`` opens read sessions, ``writes`` the
    write transactions (progress, and the store).

    Raises
    ------
    RunStoppedError
        When the run was cancelled or failed meanwhile, or passed its deadline (nothing stored).
    ConflictError, InvalidInputError
        When the campaign was completed or cancelled meanwhile, or its deadline now lies before
        the day the run plans from.
    """
    campaign_id = _campaign_id(run)
    move_confirmed = bool(run.options.get("move_confirmed", False))
    progress = RunProgress(writes, run.id, deadline=deadline, spans=SPANS)
    progress("load homes", 0, 1)
    with reads() as session:
        campaign = _campaign(session, campaign_id)
        start = plan_start(campaign, run.service_date)
        homes = load_sweep_homes(session, campaign, start, move_confirmed=move_confirmed)
    progress("learn", 0, 1)
    with reads() as session:
        campaign = _campaign(session, campaign_id)
        model = learn_sweep_model(session, campaign, homes)
    progress("sweep", 0, 1)
    plan = sweep(campaign, homes, model)
    progress("store", 0, 1)
    with writes.begin() as session:
        campaign = _campaign(session, campaign_id, lock=True)
        start = plan_start(campaign, run.service_date)
        if campaign_fingerprint(session, campaign) != homes.fingerprint:
            # Someone wrote to the campaign since it was read: plan again on what is there now.
            homes = load_sweep_homes(session, campaign, start, move_confirmed=move_confirmed)
            model = learn_sweep_model(session, campaign, homes)
            plan = sweep(campaign, homes, model)
        summary = store_sweep(session, campaign, homes, model, plan)
        finish_run(session, run.id, summary=summary_to_json(summary))
    return summary


def run_campaign_plan_here(
    reads: sessionmaker[Session], writes: sessionmaker[Session], run_id: int
) -> PlanningRunInfo:
    """Start a queued campaign run and execute it in this process; return it finished.

    What a worker does, on the caller's sessions: for a caller whose transaction no worker can
    see (a test's rolled-back connection; see
    :func:`~sitecrew.services.planning.dispatch.dispatch_after_commit`). Every outcome is
    recorded on the run, as a worker records it.

    Raises
    ------
    NotFoundError
        When no run has that id, or it is not a campaign run.
    ConflictError
        When the run is no longer queued.
    """
    with writes.begin() as session:
        run = get_run(session, run_id)
        _campaign_id(run)
        mark_running(session, run)
    try:
        execute_campaign_run(reads, writes, run)
    except RunStoppedError:
        pass  # cancelled or failed meanwhile: the run says so already
    except Exception as error:  # noqa: BLE001 (every failure must be recorded on the run)
        message = failure_message(error, run_id=run_id)

        def record() -> None:
            with writes.begin() as session:
                fail_if_active(session, run_id, message)

        retry_while_unavailable(record)
    with reads() as session:
        return get_run(session, run_id)


def summary_to_json(summary: PlanSummary) -> dict[str, Any]:
    """Return a plan's summary as the run row stores it (dates as ISO text)."""
    values = dataclasses.asdict(summary)
    for name in ("first_day", "last_day"):
        if values[name] is not None:
            values[name] = values[name].isoformat()
    return values


def summary_from_json(values: dict[str, Any]) -> PlanSummary | None:
    """Return the summary a succeeded campaign run stored (None before it succeeded)."""
    if "placed" not in values:
        return None
    known = {field.name for field in dataclasses.fields(PlanSummary)}
    fields = {name: value for name, value in values.items() if name in known}
    for name in ("first_day", "last_day"):
        if fields.get(name) is not None:
            fields[name] = date.fromisoformat(fields[name])
    fields["unplaced"] = {str(k): int(v) for k, v in (fields.get("unplaced") or {}).items()}
    return PlanSummary(**fields)


def _campaign_id(run: PlanningRunInfo) -> int:
    if run.campaign_id is None:
        raise NotFoundError(f"planning run {run.id} is not a campaign plan run")
    return run.campaign_id


def _campaign(session: Session, campaign_id: int, *, lock: bool = False) -> m.Campaign:
    campaign = session.get(m.Campaign, campaign_id, with_for_update=lock, populate_existing=True)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    return campaign
