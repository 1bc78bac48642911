"""Replay one year of the demo's furniture care (#17) through the product's own services.

The demo register (the pieces at the demo region's housing yards, schoolyards and parks, with
their care history up to the start; 1,199 pieces on 162 sites whatever day the demo is loaded
for: a piece's history draws from its own seeded stream) and its two
furniture-care crews (``Care team North`` and ``Care
team South``; every other crew retired, the demo's own open jobs cancelled, see
``care_year_model``), from Monday 2025-01-06 for 52 weeks (Norwegian holidays and weekends off):

- each Monday ``generate_due_work`` makes the care work due within 8 weeks (one job per site and
  action, seasonal oiling moved into April to September);
- each working day the day planner (``plan_day``: the day's open jobs due by then over the Oslo
  street graph, solver time limit ``--solve-s``, published) routes them;
- the crews work their published routes: at each job every piece it covers is inspected (the
  component grades drawn by ``WearModel``: deviations grow with the years since the piece was
  last oiled) and recorded with ``record_inspection`` (a TG3 or a worsening trend raises a
  repair job, planned on later days as any job); a repair job first records a coded repair
  (``record_repair``, a valid part / failure mode / cause / remedy of the family); then the job
  goes in progress and done that day (``change_job_status`` with ``done_on``), which stamps its
  pieces and restarts their cycles.

Ends with a monthly table and

    RESULT items=<n> oiled_on_time_share=<x> overdue_max_days=<n> crew_hours=<h> wall_s=<s>

- ``oiled_on_time_share``: the occurrences are the wooden pieces (those with an ``oil`` plan)
  whose next oiling, counted from the register at the start (last oiling, else installation,
  plus the plan's interval), falls on or before the end of the replayed year's season
  (2025-09-30): every one of them is due in that season (earlier due dates move to its start).
  With intervals of 12 months or more each piece has at most one such occurrence. One is on
  time when the piece was oiled (a done care job's ``oil`` item) between 2025-04-01 and
  2025-09-30. The share is on time / occurrences.
- ``overdue_max_days``: over every piece of care work the replay made (care job items) and
  every repair job raised, the days from its due date (the job's ``due_on``: the due window's
  start, for oiling never before the season; a repair's due date) to the day it was done, or to
  the replay's last day if still not done; 0 if nothing was late. Work inherited overdue from
  the register's history is due the day it is first generated (how late it already was then is
  reported as ``inherited_overdue_max_days``).
- ``crew_hours``: the published routes' hours from leaving the depot to coming back, summed
  over crew-days (a crew-day, not person-hours: each care team is one crew on the road).

Writes benchmarks/results/care_year.json.

Measured (SpatiaLite, 2 shared cores at load 2-3, seed 17, day planner 1 s, 52 weeks):
``RESULT items=1199 oiled_on_time_share=1.0 overdue_max_days=31 crew_hours=1357.1
wall_s=272.3``: all 739 pieces due for oiling in the 2025 season were oiled in it. The latest
work (printed before the RESULT line, ``latest_work`` in the JSON) is the season's opening pile:
oiling due before April moves to 2025-04-01, and two crews take until early May to clear April's
494 pieces (a month of 300 crew-hours), so the last of it is done 29-31 days after the season
opened.

    .venv/bin/python benchmarks/care_year.py [--weeks 2] [--solve-s 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.campaign import timed_stage  # noqa: E402
from benchmarks.campaign_world import demo_database  # noqa: E402
from benchmarks.care_year_model import (  # noqa: E402
    ADMIN,
    CareSetting,
    WearModel,
    care_setting,
    wear_model,
)

from sitecrew.config import OsmSettings  # noqa: E402
from sitecrew.db import models as m  # noqa: E402
from sitecrew.db.engine import engine_from_url, refresh_statistics, session_factory  # noqa: E402
from sitecrew.domain.care import next_action_on  # noqa: E402
from sitecrew.domain.job_commands import ChangeJobStatus  # noqa: E402
from sitecrew.domain.jobs import JobKind, JobStatus  # noqa: E402
from sitecrew.domain.routes import PlanOptions  # noqa: E402
from sitecrew.domain.wear_codes import Repair  # noqa: E402
from sitecrew.services import jobs  # noqa: E402
from sitecrew.services.care.due import GenerateDueWork, generate_due_work  # noqa: E402
from sitecrew.services.care.inspections import RecordInspection, record_inspection  # noqa: E402
from sitecrew.services.care.inspections_repairs import RecordRepair, record_repair  # noqa: E402
from sitecrew.services.care.reading import plans_in_force  # noqa: E402
from sitecrew.services.care.state import read_region_care  # noqa: E402
from sitecrew.services.demo.calendar import working_days_from  # noqa: E402
from sitecrew.services.planning.runs import plan_day  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

START = date(2025, 1, 6)  # a Monday; the whole year lies in the past, as records must
SEASON = (date(2025, 4, 1), date(2025, 9, 30))
HORIZON_DAYS = 56


@dataclass
class Tally:
    """What the replay counts as it goes."""

    stage_s: Counter[str] = field(default_factory=Counter)
    months: dict[str, Counter[str]] = field(default_factory=dict)
    inspections: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    repairs_raised: int = 0
    repairs_done: int = 0
    jobs_made: int = 0
    unrouted_days: int = 0
    crew_hours: float = 0.0
    working_days: int = 0

    def month(self, day: date) -> Counter[str]:
        """Return the counters of ``day``'s month."""
        return self.months.setdefault(day.strftime("%Y-%m"), Counter())


def replay(args: argparse.Namespace) -> dict[str, Any]:
    """Build the world, replay the weeks, return the figures."""
    began = time.perf_counter()
    osm_dir = Path(os.environ.get("SITECREW_OSM_DIR", "/work/shared/osm"))
    osm = OsmSettings(directory=osm_dir)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    with timed_stage(tally, "setup"):
        url = demo_database(
            workdir / "care.db", osm_dir / "oslo.osm.pbf", plan_day=START, cache=workdir / "demo.db"
        )
        engine = engine_from_url(url)
        with session_factory(engine).begin() as session:
            setting = care_setting(session, START)
        refresh_statistics(engine)
    session = session_factory(engine)()
    rng = random.Random(args.seed)
    model = wear_model(session, rng)
    occurrences = _oil_occurrences(session, setting.region_id)
    session.commit()
    options = PlanOptions(seed=args.seed, time_limit_s=args.solve_s, publish=True)
    last = START + timedelta(weeks=args.weeks) - timedelta(days=1)
    for day in working_days_from(START, country=setting.country):
        if day > last:
            break
        _one_day(session, setting, day, osm=osm, options=options, model=model, tally=tally)
    result, latest = _result(session, occurrences, last, tally, began)
    session.close()
    engine.dispose()
    _print(tally, result, latest)
    return {
        "result": result,
        "latest_work": latest,
        "weeks": args.weeks,
        "solve_s": args.solve_s,
        "seed": args.seed,
        "oil_occurrences": len(occurrences),
        "working_days": tally.working_days,
        "jobs_made": tally.jobs_made,
        "inspections": tally.inspections,
        "inspection_grades": dict(tally.grades),
        "repairs_raised": tally.repairs_raised,
        "repairs_done": tally.repairs_done,
        "days_with_unrouted_due_jobs": tally.unrouted_days,
        "months": {k: dict(v) for k, v in tally.months.items()},
        "stage_s": {k: round(v, 1) for k, v in tally.stage_s.items()},
        "uptime": Path("/proc/loadavg").read_text().strip(),
    }


def _oil_occurrences(session: Session, region_id: int) -> set[int]:
    """Return the pieces whose next oiling (from the register at the start) is due this season."""
    plans = [p for p in plans_in_force(session, region_id) if p.action == "oil"]
    care = read_region_care(session, region_id, {plan.model_id for plan in plans})
    by_model = {plan.model_id: plan for plan in plans}
    due = set()
    for piece in care.pieces:
        plan = by_model.get(piece.model_id)
        if plan is None:
            continue
        next_on = next_action_on(
            care.last_done(piece, plan), piece.installed_on, plan.interval_months
        )
        if next_on <= SEASON[1]:
            due.add(piece.id)
    return due


def _one_day(
    session: Session,
    setting: CareSetting,
    day: date,
    *,
    osm: OsmSettings,
    options: PlanOptions,
    model: WearModel,
    tally: Tally,
) -> None:
    tally.working_days += 1
    if day.weekday() == 0 or day == START:
        with timed_stage(tally, "due"):
            report = generate_due_work(
                session, ADMIN, GenerateDueWork(setting.region_id, HORIZON_DAYS, today=day)
            )
            tally.jobs_made += len(report.created)
            session.commit()
    if not _due_jobs(session, setting.region_id, day):
        return
    with timed_stage(tally, "plan_day"):
        outcome = plan_day(session, region=setting.region_id, day=day, osm=osm, options=options)
        session.commit()
    for stage, seconds in outcome.summary.get("timings_s", {}).items():
        tally.stage_s[f"plan_day.{stage}"] += seconds
    with timed_stage(tally, "work"):
        _work_routes(session, outcome.route_ids, day, model, tally)
    if _due_jobs(session, setting.region_id, day):
        tally.unrouted_days += 1


def _due_jobs(session: Session, region_id: int, day: date) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(m.Job)
            .where(
                m.Job.region_id == region_id,
                m.Job.status.in_((JobStatus.OPEN.value, JobStatus.SCHEDULED.value)),
                m.Job.due_on <= day,
            )
        )
        or 0
    )


def _work_routes(
    session: Session, route_ids: list[int], day: date, model: WearModel, tally: Tally
) -> None:
    """Work each published route of the day in its order; record what each job found."""
    month = tally.month(day)
    routes = session.scalars(
        select(m.Route).where(m.Route.id.in_(route_ids), m.Route.status == "published")
    ).all()
    for route in routes:
        stops = session.scalars(
            select(m.RouteStop)
            .where(m.RouteStop.route_id == route.id)
            .order_by(m.RouteStop.sequence)
        ).all()
        job_ids = [stop.job_id for stop in stops if stop.job_id is not None]
        if not job_ids:
            continue
        hours = (stops[-1].arrival_at - stops[0].departure_at).total_seconds() / 3600
        tally.crew_hours += hours
        month["hours"] += hours
        for job_id in job_ids:
            month["jobs"] += 1
            month["pieces"] += _work_job(session, job_id, day, model, tally)
    session.commit()


def _work_job(session: Session, job_id: int, day: date, model: WearModel, tally: Tally) -> int:
    """Do one job: a repair's coding, each piece's inspection, then done; return its pieces."""
    job = session.get_one(m.Job, job_id)
    items = list(session.scalars(select(m.JobItem.furniture_id).where(m.JobItem.job_id == job_id)))
    action = session.scalar(select(m.CareJob.action).where(m.CareJob.job_id == job_id))
    if job.kind == JobKind.REPAIR.value and job.furniture_id is not None and not items:
        coding = model.repair(job.furniture_id, day)
        record_repair(session, ADMIN, RecordRepair(Repair(job.furniture_id, job_id, day, coding)))
        tally.repairs_done += 1
        items = [job.furniture_id]
    for item in items:
        found = record_inspection(
            session, ADMIN, RecordInspection(job_id, item, day, model.inspect(item, day))
        )
        tally.inspections += 1
        tally.grades[found.inspection.grade.value] += 1
        tally.repairs_raised += int(found.repair_raised)
        if action == "oil":
            model.oiled_on(item, day)
    _finish(session, job_id, day)
    return len(items)


def _finish(session: Session, job_id: int, day: date) -> None:
    """Move the job on to done, on ``day``, through the statuses its lifecycle asks for."""
    row = session.get_one(m.Job, job_id)
    version, status = row.version, JobStatus(row.status)
    path = {
        JobStatus.OPEN: (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS),
        JobStatus.SCHEDULED: (JobStatus.IN_PROGRESS,),
    }.get(status, ())
    for step in path:
        version = jobs.change_job_status(
            session, ADMIN, ChangeJobStatus(job_id, step, version)
        ).version
    done = ChangeJobStatus(job_id, JobStatus.DONE, version, done_on=day)
    jobs.change_job_status(session, ADMIN, done)


def _result(
    session: Session, occurrences: set[int], last: date, tally: Tally, began: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the RESULT figures and the five latest pieces of work (what overdue_max_days is)."""
    oiled = set(
        session.scalars(
            select(m.JobItem.furniture_id).where(
                m.JobItem.action == "oil",
                m.JobItem.done_on >= SEASON[0],
                m.JobItem.done_on <= SEASON[1],
            )
        )
    )
    late_items = session.execute(
        select(func.max(m.JobItem.done_on), m.Job.due_on, m.CareJob.days_overdue, m.JobItem.job_id)
        .join(m.Job, m.Job.id == m.JobItem.job_id)
        .join(m.CareJob, m.CareJob.job_id == m.Job.id)
        .where(m.Job.status != JobStatus.CANCELLED.value)
        .group_by(m.JobItem.job_id, m.Job.due_on, m.CareJob.days_overdue)
    ).all()
    repairs = session.execute(
        select(m.Job.id, m.Job.due_on, m.Job.status).where(
            m.Job.kind == JobKind.REPAIR.value,
            m.Job.furniture_id.is_not(None),
            m.Job.status != JobStatus.CANCELLED.value,
        )
    ).all()
    done_day = dict(
        session.execute(
            select(m.Repair.job_id, func.max(m.Repair.performed_on)).group_by(m.Repair.job_id)
        ).all()
    )
    late = [
        {"job": j, "kind": "care", "due": due, "done": done, "days": ((done or last) - due).days}
        for done, due, _, j in late_items
        if due <= last
    ]
    late += [
        {
            "job": j,
            "kind": "repair",
            "due": due,
            "done": done_day.get(j),
            "days": ((done_day.get(j) or last) - due).days,
        }
        for j, due, _ in repairs
        if due <= last
    ]
    late.sort(key=lambda w: (-w["days"], w["job"]))
    lateness = [w["days"] for w in late]
    on_time = len(occurrences & oiled)
    return {
        "items": session.scalar(select(func.count()).select_from(m.Furniture)),
        "oiled_on_time_share": round(on_time / len(occurrences), 4) if occurrences else None,
        "overdue_max_days": max([0, *lateness]),
        "crew_hours": round(tally.crew_hours, 1),
        "wall_s": round(time.perf_counter() - began, 1),
    }, late[:5]


def _print(tally: Tally, result: dict[str, Any], latest: list[dict[str, Any]]) -> None:
    table = Table(title="Care work per month")
    for name in ("month", "jobs", "pieces", "hours"):
        table.add_column(name, justify="right")
    for month, counts in sorted(tally.months.items()):
        table.add_row(month, str(counts["jobs"]), str(counts["pieces"]), f"{counts['hours']:.1f}")
    Console().print(table)
    for work in latest:
        done = work["done"] or "not done"
        print(
            f"late: {work['kind']} job {work['job']} due {work['due']}, done {done}: {work['days']} days"
        )
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))


def main() -> None:
    """Parse the options, replay, print and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=52, help="replay only this many weeks")
    parser.add_argument("--solve-s", type=float, default=1.0, help="day planner time limit")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sitecrew-care"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "care_year.json"))
    args = parser.parse_args()
    figures = replay(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(figures, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
