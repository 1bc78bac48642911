"""Running an expansion scenario: claim it, compute with progress, keep the result or the error.

A scenario runs as a planning run of kind ``expansion`` (:mod:`.scenario_queue` queues it), so
the planning queue's claim, heartbeat, deadline, attempts and supervision serve it;
:func:`execute_scenario_run` is that kind's executor. The run row is what the queue watches,
the scenario row what readers poll: a run that fails or is cancelled ends its scenario with it
(:func:`~sitecrew.services.planning.owners.end_scenario_of`), and a succeeded scenario's run
succeeds in the same transaction. :func:`execute_scenario` runs a scenario without a run row
(scripts, tests).

Progress reports are the cancel check, as for planning runs: each writes the stage and ``done``
of ``total`` on the scenario row in its own short transaction, and a scenario no longer
running (cancelled meanwhile) or past its deadline stops its worker there with
:class:`ScenarioStoppedError`, storing nothing. A failure is recorded on the row: a Sitecrew
error's own text, or a reference to a logged traceback.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.db.engine import write_session_factory
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.routes import RunState
from sitecrew.errors import ConflictError, SitecrewError
from sitecrew.services.expansion.scenario_compute import compute_scenario
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.expansion.scenarios import ACTIVE, ScenarioRegion, resolve_region
from sitecrew.services.planning import owners
from sitecrew.services.planning.owners import this_worker
from sitecrew.services.planning.progress import RunStoppedError
from sitecrew.services.planning.runs import finish_run
from sitecrew.services.progress import no_progress

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from sitecrew.config import OsmSettings
    from sitecrew.domain.routes import PlanningRunInfo
    from sitecrew.services.progress import ProgressCallback

LOGGER = logging.getLogger("sitecrew.expansion")
MIN_INTERVAL_S = 0.5
OVERDUE = "the scenario ran past its deadline"


class ScenarioStoppedError(RunStoppedError):
    """The scenario was cancelled or went past its deadline while it ran.

    A :class:`~sitecrew.services.planning.progress.RunStoppedError`: a queue worker treats it
    as a run that was stopped (nothing more to record), not as a failure.
    """


class ScenarioProgress:
    """A ``ProgressCallback`` writing stage and done/total on the row; also the cancel check."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        scenario_id: int,
        *,
        deadline: datetime | None,
        echo: ProgressCallback = no_progress,
        run_id: int | None = None,
    ) -> None:
        self.factory = factory
        self.scenario_id = scenario_id
        self.run_id = run_id
        self.deadline = deadline
        self.echo = echo
        self.stage = ""
        self.written = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Record ``done`` of ``total`` in ``stage`` (throttled within a stage).

        Raises
        ------
        ScenarioStoppedError
            When the scenario is no longer running or its deadline has passed.
        """
        self.echo(stage, done, total)
        now = time.monotonic()
        if stage == self.stage and now - self.written < MIN_INTERVAL_S and done < total:
            return
        if self.deadline is not None and datetime.now(UTC) > self.deadline:
            with self.factory.begin() as session:
                if self.run_id is None:
                    _finish(session, self.scenario_id, error=OVERDUE)
                else:  # the run's failure ends its scenario too
                    owners.fail_if_active(session, self.run_id, owners.OVERDUE)
            raise ScenarioStoppedError(f"expansion scenario {self.scenario_id}: {OVERDUE}")
        with self.factory.begin() as session:
            result = session.execute(
                update(m.ExpansionScenario)
                .where(
                    m.ExpansionScenario.id == self.scenario_id,
                    m.ExpansionScenario.status == RunState.RUNNING.value,
                )
                .values(stage=stage[:100], done=max(done, 0), total=max(total, 0))
            )
            if not getattr(result, "rowcount", 0):
                msg = f"expansion scenario {self.scenario_id} was stopped (cancelled meanwhile)"
                raise ScenarioStoppedError(msg)
        self.stage, self.written = stage, now


def claim_scenario(session: Session, scenario_id: int, *, take_over: bool = False) -> bool:
    """Mark a queued scenario running under this worker; return whether this call did.

    With ``take_over`` a running scenario is claimed too: its run's claim has established that
    the worker which ran it is gone (:func:`~sitecrew.services.planning.queued.claim_run`).
    """
    claimable = ACTIVE if take_over else (RunState.QUEUED.value,)
    result = session.execute(
        update(m.ExpansionScenario)
        .where(
            m.ExpansionScenario.id == scenario_id,
            m.ExpansionScenario.status.in_(claimable),
        )
        .values(
            status=RunState.RUNNING.value,
            stage="street graph",
            worker=this_worker(),
            started_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def execute_scenario(
    factory: sessionmaker[Session],
    scenario_id: int,
    osm: OsmSettings,
    *,
    echo: ProgressCallback = no_progress,
) -> None:
    """Run a queued scenario to its end; every outcome is recorded on its row.

    ``factory`` makes write sessions (each step commits on its own, so pollers see progress).
    A cancelled scenario stops at its next progress report and keeps no result.
    """
    try:
        result = _claim_and_compute(factory, scenario_id, osm, take_over=False, echo=echo)
    except ScenarioStoppedError as stopped:
        LOGGER.info("expansion scenario %s stopped: %s", scenario_id, stopped)
        return
    except Exception as error:  # noqa: BLE001 (every failure is recorded on the scenario)
        with factory.begin() as session:
            _finish(session, scenario_id, error=failure_message(error, scenario_id))
        return
    with factory.begin() as session:
        _finish(session, scenario_id, result=result)


def execute_scenario_run(
    engine: Engine,
    run: PlanningRunInfo,
    osm: OsmSettings,
    *,
    deadline: datetime | None = None,
    echo: ProgressCallback = no_progress,
) -> None:
    """Compute the scenario of an expansion run this process has marked running (raises).

    The executor of runs of kind ``expansion``
    (:func:`~sitecrew.services.planning.execute.execute_claimed`). A failure raises, and the
    caller records it on the run, which ends the scenario with the same message; a cancelled
    or overdue scenario stops at its next progress report
    (:class:`ScenarioStoppedError`). On success the scenario keeps its result and the run
    succeeds, in one transaction.

    Raises
    ------
    ConflictError
        When the run names no scenario, or its scenario is no longer queued or running.
    """
    scenario_id = run.scenario_id
    if scenario_id is None:
        raise ConflictError(f"planning run {run.id} computes no expansion scenario")
    writes = write_session_factory(engine)
    result = _claim_and_compute(
        writes, scenario_id, osm, take_over=True, deadline=deadline, echo=echo, run_id=run.id
    )
    with writes.begin() as session:
        _finish(session, scenario_id, result=result)
        finish_run(session, run.id, summary={"scenario_id": scenario_id})


def _claim_and_compute(
    writes: sessionmaker[Session],
    scenario_id: int,
    osm: OsmSettings,
    *,
    take_over: bool,
    deadline: datetime | None = None,
    echo: ProgressCallback = no_progress,
    run_id: int | None = None,
) -> dict[str, Any]:
    """Claim the scenario, then compute it with progress reports; return its result.

    The one path both executors take (with or without a run row); they differ only in what
    they do with a failure.

    Raises
    ------
    ScenarioStoppedError
        When the scenario cannot be claimed (no longer queued or running), or is cancelled or
        overdue at a progress report.
    """
    with writes.begin() as session:
        if not claim_scenario(session, scenario_id, take_over=take_over):
            msg = f"expansion scenario {scenario_id} is no longer queued or running"
            raise ScenarioStoppedError(msg)
        question, where, own_deadline = _claimed(session, scenario_id, osm)
    progress = ScenarioProgress(
        writes, scenario_id, deadline=deadline or own_deadline, echo=echo, run_id=run_id
    )
    return compute_scenario(
        question,
        street_region=where.street_region,
        extract=where.extract,
        own_extract=where.own_extract,
        osm=osm,
        progress=progress,
    )


def _claimed(
    session: Session, scenario_id: int, osm: OsmSettings
) -> tuple[ScenarioInput, ScenarioRegion, datetime | None]:
    """Return a claimed scenario's input, where it runs, and its deadline."""
    row = session.get(m.ExpansionScenario, scenario_id, populate_existing=True)
    assert row is not None  # noqa: S101 (claimed by the caller)
    question = ScenarioInput.from_json(row.input)
    where = resolve_region(session, None, question.region, osm=osm)
    return question, where, as_utc(row.deadline_at)


def failure_message(error: BaseException, scenario_id: int) -> str:
    """Return what a failed scenario tells its reader: a Sitecrew error's text, or a reference."""
    if isinstance(error, SitecrewError):
        return str(error)
    reference = uuid.uuid4().hex[:12]
    LOGGER.error(
        "expansion scenario %s failed unexpectedly (reference %s)",
        scenario_id,
        reference,
        exc_info=error,
    )
    return f"the scenario failed unexpectedly (reference {reference})"


def _finish(
    session: Session,
    scenario_id: int,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Record the end of a queued or running scenario (one already finished stays as it is)."""
    values: dict[str, Any] = {"finished_at": datetime.now(UTC)}
    if error is None:
        values |= {"status": RunState.SUCCEEDED.value, "stage": "done", "result": result}
    else:
        values |= {"status": RunState.FAILED.value, "stage": "failed", "error": error}
    session.execute(
        update(m.ExpansionScenario)
        .where(m.ExpansionScenario.id == scenario_id, m.ExpansionScenario.status.in_(ACTIVE))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
