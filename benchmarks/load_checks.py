"""Invariants after a load, read directly from the database and compared with the clients' ledger.

What the product promises, and so what is checked:

- **No lost or duplicated write.** Status changes carry the version read: each acknowledged change
  of a job made exactly one version, so two acknowledgements of one job's version are a lost
  update (``duplicate``); a job's versions since the load began are all accounted for by
  acknowledgements or by writes whose answer never came (a version bump nobody was told about
  means a refused write took effect: ``phantom``); the stored status and version equal the last
  acknowledged ones unless an unanswered write may have come later (``lost``). Bookings and
  reschedules: every acknowledged appointment exists, once, with the window of its last
  acknowledged version (same rules); appointments the load made that nobody acknowledged are at
  most the bookings left unanswered; no appointment holds a refused window that no
  acknowledgement holds. Wear reports: every acknowledged record exists for its furniture;
  unacknowledged new records are at most the unanswered reports. Planning runs: every accepted
  run exists, and the runs made are the accepted plus at most the unanswered.
- **No overbooked day** (the booking mutation's promise): no two confirmed appointments of one
  job overlap; and no published route holds more jobs than its crew's ``max_jobs_per_day``.
- **No job on two published routes of one day**, and at most one published route per crew and
  day (the planner's publish promise).
- Every planning run the load started has ended (succeeded, failed or cancelled) once the queue
  drained, none is left queued or running.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from sitecrew.db.engine import engine_from_url

if TYPE_CHECKING:
    from load_mix import Ledger
    from load_world import LoadWorld

OVERLAPS = """SELECT count(*) FROM appointments a JOIN appointments b
  ON a.job_id = b.job_id AND a.id < b.id
 WHERE a.status = 'confirmed' AND b.status = 'confirmed'
   AND a.window_start < b.window_end AND b.window_start < a.window_end"""
OVERFULL = """SELECT count(*) FROM (
  SELECT r.id FROM routes r JOIN crews c ON c.id = r.crew_id
    JOIN route_stops s ON s.route_id = r.id AND s.job_id IS NOT NULL
   WHERE r.status = 'published'
   GROUP BY r.id, c.max_jobs_per_day HAVING count(DISTINCT s.job_id) > c.max_jobs_per_day) o"""
DOUBLE_ROUTED = """SELECT count(*) FROM (
  SELECT s.job_id, r.service_date FROM route_stops s JOIN routes r ON r.id = s.route_id
   WHERE r.status = 'published' AND s.job_id IS NOT NULL
   GROUP BY s.job_id, r.service_date HAVING count(DISTINCT r.id) > 1) d"""
DOUBLE_PUBLISHED = """SELECT count(*) FROM (
  SELECT crew_id, service_date FROM routes WHERE status = 'published'
   GROUP BY crew_id, service_date HAVING count(*) > 1) d"""


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def check(url: str, world: LoadWorld, ledger: Ledger) -> dict[str, Any]:
    """Compare the database with the ledger; return counts per invariant and examples."""
    engine = engine_from_url(url, pool_size=1)
    try:
        with engine.connect() as connection:
            found = {
                **_jobs(connection, world, ledger),
                **_appointments(connection, world, ledger),
                **_wear(connection, world, ledger),
                **_runs(connection, world, ledger),
                "overlapping_appointments": connection.scalar(text(OVERLAPS)),
                "overfull_routes": connection.scalar(text(OVERFULL)),
                "jobs_on_two_published_routes": connection.scalar(text(DOUBLE_ROUTED)),
                "crew_days_published_twice": connection.scalar(text(DOUBLE_PUBLISHED)),
            }
    finally:
        engine.dispose()
    lost = ("jobs_lost", "appointments_lost", "wear_lost", "runs_missing")
    found["lost_writes"] = sum(found[k] for k in lost)
    found["duplicate_writes"] = sum(
        found[k] for k in ("jobs_duplicate", "appointments_duplicate", "wear_duplicate")
    ) + sum(found[k] for k in ("jobs_phantom", "appointments_phantom", "runs_phantom"))
    found["overbooked"] = found["overlapping_appointments"] + found["overfull_routes"]
    return found


def _version_problems(
    initial: int, final: int, acked: list[int], unknown_bases: list[int]
) -> tuple[int, int]:
    """Return (duplicates, phantoms) of one row's version history."""
    seen: dict[int, int] = defaultdict(int)
    for version in acked:
        seen[version] += 1
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    maybe = {base + 1 for base in unknown_bases}
    phantoms = sum(
        1
        for version in range(initial + 1, final + 1)
        if version not in seen and version not in maybe
    )
    return duplicates, phantoms


def _jobs(connection: Any, world: LoadWorld, ledger: Ledger) -> dict[str, Any]:
    ids = [job_id for job_id, _, _ in world.status_jobs]
    stored = {
        row[0]: (row[1], row[2])
        for row in connection.execute(
            text("SELECT id, status, version FROM jobs WHERE id = ANY(:ids)"), {"ids": ids}
        )
    }
    acks: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for job_id, _, version, status in ledger.job_acks:
        acks[job_id].append((version, status))
    unknown: dict[int, list[int]] = defaultdict(list)
    for job_id, base, _ in ledger.job_unknown:
        unknown[job_id].append(base)
    lost = duplicates = phantoms = 0
    examples: list[str] = []
    for job_id, _, initial in world.status_jobs:
        status, version = stored[job_id]
        mine = acks[job_id]
        dup, phantom = _version_problems(initial, version, [v for v, _ in mine], unknown[job_id])
        duplicates += dup
        phantoms += phantom
        if mine:
            last_version, last_status = max(mine)
            behind = version < last_version
            differs = version == last_version and status != last_status
            if behind or differs:
                lost += 1
                examples.append(f"job {job_id}: stored {status} v{version}, acked {mine[-3:]}")
        if dup or phantom:
            examples.append(f"job {job_id}: initial v{initial} stored v{version} acked {mine}")
    return {
        "jobs_checked": len(ids),
        "jobs_lost": lost,
        "jobs_duplicate": duplicates,
        "jobs_phantom": phantoms,
        "job_examples": examples[:5],
    }


def _appointments(connection: Any, world: LoadWorld, ledger: Ledger) -> dict[str, Any]:
    rows = connection.execute(
        text(
            "SELECT id, job_id, window_start, window_end, version FROM appointments WHERE id > :id"
        ),
        {"id": world.before["appointments"]},
    ).all()
    stored = {row[0]: row for row in rows}
    acks: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    made: dict[int, list[int]] = defaultdict(list)  # versions acknowledged as new
    for appointment_id, base, version, start, end in ledger.appointment_acks:
        acks[appointment_id].append((version, start, end))
        if version != base:
            made[appointment_id].append(version)
    unknown: dict[int, list[int]] = defaultdict(list)
    for appointment_id, base, _, _ in ledger.reschedule_unknown:
        unknown[appointment_id].append(base)
    lost = duplicates = phantoms = 0
    examples: list[str] = []
    for appointment_id, history in acks.items():
        row = stored.get(appointment_id)
        if row is None:
            lost += 1
            examples.append(f"appointment {appointment_id} acknowledged but missing")
            continue
        dup, phantom = _version_problems(1, row[4], made[appointment_id], unknown[appointment_id])
        if dup or phantom:
            examples.append(f"appointment {appointment_id}: stored v{row[4]} acked {history}")
        duplicates += dup
        phantoms += phantom
        version, start, end = max(history)
        same = (_instant(start), _instant(end)) == (row[2], row[3])
        if row[4] < version or (row[4] == version and not same):
            lost += 1
            examples.append(f"appointment {appointment_id}: stored {row[2:]} acked {history}")
    unacked = [row for appointment_id, row in stored.items() if appointment_id not in acks]
    # A new appointment nobody was told about is fine only as an unanswered booking's.
    phantoms += max(0, len(unacked) - len(ledger.booking_unknown))
    refused = {(j, _instant(s), _instant(e)) for j, s, e in ledger.booking_refused}
    acked_windows = {
        (row[1], _instant(s), _instant(e)) for a, row in stored.items() for _, s, e in acks[a]
    }
    applied_refusals = sum(
        1 for row in unacked if (row[1], row[2], row[3]) in refused - acked_windows
    )
    return {
        "appointments_checked": len(acks),
        "appointments_lost": lost,
        "appointments_duplicate": duplicates,
        "appointments_phantom": phantoms,
        "appointments_refused_but_stored": applied_refusals,
        "appointment_examples": examples[:5],
    }


def _wear(connection: Any, world: LoadWorld, ledger: Ledger) -> dict[str, Any]:
    rows = dict(
        connection.execute(
            text("SELECT id, furniture_id FROM maintenance_records WHERE id > :id"),
            {"id": world.before["maintenance_records"]},
        ).all()
    )
    lost = sum(1 for record, furniture in ledger.wear.items() if rows.get(record) != furniture)
    extra = len(rows) - len([r for r in ledger.wear if r in rows])
    return {
        "wear_checked": len(ledger.wear),
        "wear_lost": lost,
        "wear_duplicate": max(0, extra - ledger.wear_unknown),
    }


def _runs(connection: Any, world: LoadWorld, ledger: Ledger) -> dict[str, Any]:
    rows = dict(
        connection.execute(
            text("SELECT id, status FROM planning_runs WHERE id > :id"),
            {"id": world.before["runs"]},
        ).all()
    )
    missing = sum(1 for run in ledger.runs if run not in rows)
    extra = len(rows) - len([r for r in ledger.runs if r in rows])
    states: dict[str, int] = defaultdict(int)
    for status in rows.values():
        states[status] += 1
    return {
        "runs_checked": len(ledger.runs),
        "runs_missing": missing,
        "runs_phantom": max(0, extra - ledger.runs_unknown),
        "run_states": dict(states),
        "runs_unfinished": states["queued"] + states["running"],
    }


def runs_unfinished(url: str, world: LoadWorld) -> int:
    """Return how many planning runs the load made are still queued or running."""
    engine = engine_from_url(url, pool_size=1)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM planning_runs WHERE id > :id "
                        "AND status IN ('queued', 'running')"
                    ),
                    {"id": world.before["runs"]},
                )
                or 0
            )
    finally:
        engine.dispose()
