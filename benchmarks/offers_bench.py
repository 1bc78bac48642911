"""Appointment offers on a planned demo fortnight: latency, and whether the planner keeps them.

Usage: ``python benchmarks/offers_bench.py [--backend spatialite|postgis] [--apartments 200]
[--check 100] [--reuse DIR]``

It loads the demo world (22,010 apartments, 13 crews) and plans and publishes fourteen days from
the next Monday through the real planning path (``offers_world``), then asks
``appointment_offers`` (the service behind the ``appointmentOffers`` query, as an admin) for
the whole fortnight of each of ``--apartments`` random apartments, timing each answer. The first
answer pays for loading the street graph and the legs of the crews' days (kept per graph for
later answers); it is reported on its own line and left out of the percentiles.

Then ``--check`` offered windows, drawn at random from all answers, are booked one at a time
(the apartment's job, or a new job of the offered visit, with a confirmed appointment in the
window) and the day planner is re-run on that day exactly as planning ran it (``load_day`` +
``solve_day``, same seed and time limit); the window is *kept* when the planned routes hold the
job. Each check is rolled back. ``feasible_share`` is kept / checked.

It prints a table, writes ``benchmarks/results/offers.json`` and ends with
``RESULT offers_p95_ms=<ms> feasible_share=<x>``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from api_bench_world import database_url
from offers_world import FIRST_DAY, fortnight, prepare_fortnight
from sitecrew.config import OsmSettings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.jobs import AppointmentStatus, JobStatus
from sitecrew.domain.offers import AppointmentOffer, OfferQuery
from sitecrew.domain.routes import PlanOptions
from sitecrew.services.appointments.offers import appointment_offers
from sitecrew.services.appointments.visit import visit_for_apartment
from sitecrew.services.planning.load import load_day
from sitecrew.services.planning.pipeline import Timings, solve_day
from sitecrew.services.progress import no_progress

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Principal(Role.ADMIN)
SEED = 16


def ask(
    session: Any, apartment_ids: list[int], osm: OsmSettings
) -> tuple[list[float], float, dict[int, list[AppointmentOffer]]]:
    """Ask for offers for each apartment; return the warm latencies (ms), the first one, offers."""
    days = fortnight()
    answers: dict[int, list[AppointmentOffer]] = {}
    latencies = []
    first_ms = 0.0
    for index, apartment_id in enumerate(apartment_ids):
        query = OfferQuery(apartment_id, days[0], days[-1], limit=10)
        started = time.perf_counter()
        answers[apartment_id] = appointment_offers(session, ADMIN, query, osm=osm)
        elapsed = (time.perf_counter() - started) * 1000
        if index == 0:
            first_ms = elapsed
        else:
            latencies.append(elapsed)
    return latencies, first_ms, answers


def keeps(
    session: Any, apartment_id: int, offer: AppointmentOffer, osm: OsmSettings, seconds: float
) -> bool:
    """Book ``offer`` for the apartment, re-plan its day as planning did; roll back; kept?"""
    apartment = session.get(m.Apartment, apartment_id)
    region_id = session.scalar(
        select(m.Building.region_id).where(m.Building.id == apartment.building_id)
    )
    nested = session.begin_nested()
    try:
        visit = visit_for_apartment(session, apartment, region_id)
        job_id = visit.job_id
        if job_id is None:
            job = m.Job(
                region_id=region_id,
                kind=visit.row.kind.value,
                apartment_id=apartment_id,
                duration_minutes=visit.row.minutes,
                required_skills=sorted(visit.row.skills),
                priority=visit.row.priority,
                status=JobStatus.OPEN.value,
                version=1,
            )
            session.add(job)
            session.flush()
            job_id = job.id
        session.add(
            m.Appointment(
                job_id=job_id,
                window_start=offer.window_start.astimezone(UTC),
                window_end=offer.window_end.astimezone(UTC),
                status=AppointmentStatus.CONFIRMED.value,
            )
        )
        session.flush()
        day = load_day(session, region=region_id, day=offer.day)
        options = PlanOptions(seed=1, time_limit_s=seconds)
        solved = solve_day(day, osm=osm, options=options, timings=Timings(), progress=no_progress)
        return any(str(job_id) in route.job_ids for route in solved.plan.routes)
    finally:
        nested.rollback()


def report(
    latencies: list[float],
    first_ms: float,
    answers: dict[int, list[AppointmentOffer]],
    checks: list[bool],
    setup: dict[str, float],
) -> dict[str, Any]:
    """Print the table and return the figures."""
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    counts = [len(v) for v in answers.values()]
    same = sum(o.same_building for v in answers.values() for o in v)
    share = sum(checks) / len(checks) if checks else float("nan")
    table = Table(
        title=f"Appointment offers, demo fortnight from {FIRST_DAY} ({len(answers)} apartments)"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("p50 ms", f"{statistics.median(ordered):.1f}"),
        ("p95 ms", f"{p95:.1f}"),
        ("max ms", f"{ordered[-1]:.1f}"),
        ("first answer ms (cold memo, excluded)", f"{first_ms:.1f}"),
        ("offers per apartment (mean)", f"{statistics.mean(counts):.2f}"),
        ("apartments without offers", str(sum(c == 0 for c in counts))),
        ("same-building offers", str(same)),
        ("windows re-planned", str(len(checks))),
        ("kept by the day planner", str(sum(checks))),
        *((f"setup: {k}", f"{v:.1f} s") for k, v in setup.items()),
    ]
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
    return {
        "first_day": FIRST_DAY.isoformat(),
        "apartments": len(answers),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "first_ms": round(first_ms, 2),
        "offers_mean": round(statistics.mean(counts), 3),
        "without_offers": sum(c == 0 for c in counts),
        "same_building": same,
        "checked": len(checks),
        "kept": sum(checks),
        "feasible_share": share,
        "setup_s": setup,
    }


def main() -> None:
    """Parse arguments, prepare the world, time the offers, re-plan a sample, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgis", "spatialite"), default="spatialite")
    parser.add_argument("--apartments", type=int, default=200)
    parser.add_argument("--check", type=int, default=100, help="offered windows to re-plan")
    parser.add_argument("--plan-seconds", type=float, default=3.0, help="solver time per day")
    parser.add_argument("--reuse", type=Path, default=None, help="keep the database in this folder")
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    parser.add_argument("--graph-cache", type=Path, default=ROOT / "var" / "cache" / "graphs")
    args = parser.parse_args()
    osm = OsmSettings(directory=args.osm_dir, cache_directory=args.graph_cache)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.reuse or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        url = database_url(args.backend, workdir, reuse=args.reuse is not None)
        print(f"preparing the planned demo fortnight on {args.backend} …", flush=True)
        setup = prepare_fortnight(url, osm, plan_seconds=args.plan_seconds)
        engine = engine_from_url(url)
        with session_factory(engine)() as session:
            every = list(session.scalars(select(m.Apartment.id).order_by(m.Apartment.id)))
            chosen = rng.sample(every, args.apartments)
            latencies, first_ms, answers = ask(session, chosen, osm)
            offered = [(a, o) for a, found in answers.items() for o in found]
            sample = rng.sample(offered, min(args.check, len(offered)))
            checks = []
            for number, (apartment_id, offer) in enumerate(sample, 1):
                checks.append(keeps(session, apartment_id, offer, osm, args.plan_seconds))
                print(f"re-planned {number}/{len(sample)}: kept {sum(checks)}", flush=True)
            session.rollback()
        engine.dispose()
    figures = report(latencies, first_ms, answers, checks, setup)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"offers_{args.backend}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"RESULT offers_p95_ms={figures['p95_ms']:.1f} feasible_share={figures['feasible_share']:.3f}"
    )


if __name__ == "__main__":
    main()
