"""A shorter mixed load while one fault per phase is injected; what clients saw and recovery.

Usage: ``python benchmarks/fault_test.py [--seconds 40] [--clients 32] [--only a,b,c,d]``

Everything the faults touch is the test's own, so nobody else on the machine is disturbed: a
private PostgreSQL cluster (``initdb`` in a temporary folder, its own port, PostGIS from the
system) and a private ``redis-server`` on another port, besides ``sitecrew serve --workers 2``
and two ``sitecrew worker`` processes. The demo world is prepared as for ``load_test.py``.

Phases (each ``--seconds`` of the :mod:`load_mix` load at ``--clients`` clients; the fault comes
after a quarter of it, so the first quarter is the baseline):

a. ``postgres``: PostgreSQL stopped (``pg_ctl stop -m fast``: sessions aborted), down for
   ``--down`` seconds, started again;
b. ``queue_worker``: the worker process executing a planning run is killed with SIGKILL; its
   Dramatiq runner then exits (as designed) and a replacement is started, as a process
   manager would (the killed run must be retried or failed, never stuck);
c. ``redis``: the private Redis stopped for ``--down`` seconds, started again (empty);
d. ``server``: one of the two uvicorn worker processes killed with SIGKILL; uvicorn's
   supervisor respawns it (the choice made here: the product runs one ``sitecrew serve`` with
   workers, not two servers behind a balancer, so this is the production path).

For each: the error kinds clients saw from the fault's start to the end of the phase (clear
``gql_UNAVAILABLE``/``http_503``, ``timeout``, ``connection:*``, ``gql_INTERNAL``/``http_500``),
the time to the first success after the fault ended (for a kill, the kill itself), and when the
error rate (1 s buckets) returned to the baseline's for good; then the invariants of
:mod:`load_checks` on everything written so far. A phase *survived* when no write was lost, no
answer was a 500, an HTML page, a traceback or INTERNAL, and recovery took under 30 s.

Ends with ``RESULT faults=4 survived=<n> lost_writes=<n> max_recovery_s=<s>``; writes
``benchmarks/results/fault_test.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_checks  # noqa: E402
from load_mix import Ledger, Mix, Sample, run_phase, table_rows  # noqa: E402
from load_stack import (  # noqa: E402
    PrivatePostgres,
    PrivateRedis,
    Stack,
    exception_counts,
    free_port,
)
from load_test import print_table, stack_env, wait_runs  # noqa: E402
from load_world import create_database, prepare_load_world  # noqa: E402
from sitecrew.config import OsmSettings  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from load_world import LoadWorld

RESULTS = ROOT / "benchmarks" / "results"
RECOVERY_BAR_S = 30.0
#: Error kinds that are never a clear answer (a 500, an HTML page, a masked crash).
UNCLEAR = ("http_500", "_html", "gql_INTERNAL", "bad_json")


class Faults:
    """The four injectors; each returns its marks (perf_counter moments) and notes."""

    def __init__(self, stack: Stack, pg: PrivatePostgres, rds: PrivateRedis, args: Any) -> None:
        self.stack, self.pg, self.redis, self.args = stack, pg, rds, args
        self.notes: dict[str, Any] = {}

    async def postgres(self) -> dict[str, float]:
        start = time.perf_counter()
        await asyncio.to_thread(self.pg.stop, "fast")
        await asyncio.sleep(self.args.down)
        await asyncio.to_thread(self.pg.start)
        return {"fault_start": start, "fault_end": time.perf_counter()}

    async def redis_down(self) -> dict[str, float]:
        start = time.perf_counter()
        await asyncio.to_thread(self.redis.stop)
        await asyncio.sleep(self.args.down)
        await asyncio.to_thread(self.redis.start)
        return {"fault_start": start, "fault_end": time.perf_counter()}

    async def queue_worker(self) -> dict[str, float]:
        victim = await self._running_run_worker(seconds=30)
        start = time.perf_counter()
        if victim is None:
            self.notes["queue_worker"] = "no planning run was running within 30 s: nothing killed"
            return {"fault_start": start, "fault_end": start}
        run_id, pid = victim
        os.kill(pid, signal.SIGKILL)
        self.notes["queue_worker"] = {"killed_pid": pid, "run_id": run_id}
        # The supervisor: the runner exits once its process died; start a replacement.
        deadline = time.perf_counter() + 30
        replaced = 0
        while not replaced and time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            replaced = self.stack.replace_dead_workers()
        self.notes["queue_worker"]["runner_replaced_after_s"] = (
            time.perf_counter() - start if replaced else None
        )
        return {"fault_start": start, "fault_end": start}

    async def _running_run_worker(self, seconds: float) -> tuple[int, int] | None:
        """Find a running planning run executed by one of our workers: (run id, pid)."""
        ours = {pid for p in self.stack.workers for pid in [p.pid, *_children_of(p.pid)]}
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            for run_id, worker in await asyncio.to_thread(self._running):
                pid = int(str(worker).rsplit(":", 1)[-1])
                if pid in ours and pid not in {p.pid for p in self.stack.workers}:
                    return run_id, pid
        return None

    def _running(self) -> list[tuple[int, str]]:
        from sqlalchemy import text  # noqa: PLC0415

        from sitecrew.db.engine import engine_from_url  # noqa: PLC0415

        engine = engine_from_url(self.stack.env["DATABASE_URL"], pool_size=1)
        try:
            with engine.connect() as connection:
                query = "SELECT id, worker FROM planning_runs WHERE status = 'running'"
                return [(r[0], r[1]) for r in connection.execute(text(query)) if r[1]]
        finally:
            engine.dispose()

    def run_state(self, run_id: int) -> dict[str, Any]:
        """Return a run's status, attempts and message (after the killed worker's phase)."""
        from sqlalchemy import text  # noqa: PLC0415

        from sitecrew.db.engine import engine_from_url  # noqa: PLC0415

        engine = engine_from_url(self.stack.env["DATABASE_URL"], pool_size=1)
        query = "SELECT status, attempts, message FROM planning_runs WHERE id = :id"
        try:
            with engine.connect() as connection:
                row = connection.execute(text(query), {"id": run_id}).one()
        finally:
            engine.dispose()
        return {"status": row[0], "attempts": row[1], "message": row[2]}

    async def server(self) -> dict[str, float]:
        before = self.stack.server_children()
        start = time.perf_counter()
        if not before:
            self.notes["server"] = "the server had no worker processes"
            return {"fault_start": start, "fault_end": start}
        os.kill(before[-1], signal.SIGKILL)
        deadline = time.perf_counter() + 30
        respawned = None
        while respawned is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
            now = self.stack.server_children()
            if len(now) >= len(before) and before[-1] not in now:
                respawned = time.perf_counter() - start
        self.notes["server"] = {"killed_pid": before[-1], "respawned_after_s": respawned}
        return {"fault_start": start, "fault_end": start}


def _children_of(pid: int) -> list[int]:
    from load_stack import children  # noqa: PLC0415

    return children(pid)


def _delayed(
    injector: Callable[[], Awaitable[dict[str, float]]], delay: float
) -> Callable[[], Awaitable[dict[str, float]]]:
    async def run() -> dict[str, float]:
        await asyncio.sleep(delay)
        return await injector()

    return run


def recovery(samples: list[Sample], marks: dict[str, float], phase_start: float) -> dict[str, Any]:
    """What clients saw after the fault began, and how long until things were normal again."""
    fault_start, fault_end = marks["fault_start"], marks["fault_end"]
    done = sorted(samples, key=lambda s: s.started + s.seconds)
    baseline = [s for s in done if s.started + s.seconds < fault_start]
    base_rate = sum(s.outcome == "error" for s in baseline) / max(1, len(baseline))
    after = [s for s in done if s.started + s.seconds >= fault_start]
    kinds: dict[str, int] = defaultdict(int)
    for s in after:
        if s.outcome == "error":
            kinds[s.kind] += 1
    first_ok = next(
        (s.started + s.seconds for s in done if s.outcome == "ok" and s.started >= fault_end), None
    )
    buckets: dict[int, list[Sample]] = defaultdict(list)
    for s in after:
        buckets[int(s.started + s.seconds - fault_start)].append(s)
    bad = [
        second
        for second, group in buckets.items()
        if sum(s.outcome == "error" for s in group) / len(group) > base_rate + 0.05
    ]
    # Normal again: the end of the last bucket worse than the baseline (or the fault's end).
    normal_at = max(fault_start + max(bad) + 1, fault_end) if bad else fault_end
    return {
        "fault_start_s": fault_start - phase_start,
        "fault_s": fault_end - fault_start,
        "baseline_error_rate": base_rate,
        "errors_after_fault": dict(kinds),
        "timeouts": sum(n for k, n in kinds.items() if k == "timeout"),
        "unclear": sum(n for k, n in kinds.items() if any(u in k for u in UNCLEAR)),
        "first_success_s": None if first_ok is None else first_ok - fault_end,
        "error_rate_normal_s": normal_at - fault_end,
        "recovery_s": max(normal_at - fault_end, 0.0 if first_ok is None else first_ok - fault_end),
        "answered_ever": first_ok is not None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="duration of each phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--down", type=float, default=5.0, help="how long a stopped service is down"
    )
    parser.add_argument("--only", default="a,b,c,d", help="faults to inject (a,b,c,d)")
    parser.add_argument(
        "--drain",
        type=float,
        default=200.0,
        help="wait for planning runs (a run whose message was lost is sent again after "
        "SITECREW_RUN_STALE_S, 120 s by default)",
    )
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    parser.add_argument("--graph-cache", type=Path, default=ROOT / "var" / "cache" / "graphs")
    args = parser.parse_args()
    osm = OsmSettings(directory=args.osm_dir, cache_directory=args.graph_cache)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        workdir.chmod(0o755)  # the PostgreSQL server (user postgres) lives in a folder here
        pg = PrivatePostgres(workdir / "pg", free_port())
        rds = PrivateRedis(workdir, free_port())
        stack = Stack(workdir, {})
        try:
            pg.create()
            rds.start()
            url = create_database(pg.url, "sitecrew_faults")
            stack.env = stack_env(url, f"redis://127.0.0.1:{rds.port}/0", "sitecrew", osm)
            figures = _measure(args, url, osm, stack, Faults(stack, pg, rds, args))
        finally:
            stack.close()
            rds.stop()
            pg.destroy()
    _report(figures)


FAULTS = {"a": "postgres", "b": "queue_worker", "c": "redis", "d": "server"}


def _measure(
    args: argparse.Namespace, url: str, osm: OsmSettings, stack: Stack, faults: Faults
) -> dict[str, Any]:
    print("preparing the demo world on a private PostGIS …", flush=True)
    world = prepare_load_world(url, osm, plan_seconds=5.0)
    base_url = stack.start_server(2)
    for _ in range(2):
        stack.start_worker()
    ledger = Ledger()
    mix = Mix(world, ledger)
    injectors = {
        "postgres": faults.postgres,
        "queue_worker": faults.queue_worker,
        "redis": faults.redis_down,
        "server": faults.server,
    }
    phases: dict[str, Any] = {}
    for letter in args.only.split(","):
        name = FAULTS[letter]
        print(
            f"phase {letter}: {name}, {args.clients} clients for {args.seconds:g} s …", flush=True
        )
        phase_start = time.perf_counter()
        during = _delayed(injectors[name], args.seconds / 4)
        samples, wall, marks = asyncio.run(
            run_phase(base_url, mix, args.clients, args.seconds, seed=ord(letter), during=during)
        )
        stack.replace_dead_workers()
        rows = table_rows(samples, wall)
        seen = recovery(samples, marks, phase_start)
        open_runs, drained = wait_runs(url, world, args.drain)
        invariants = load_checks.check(url, world, ledger)
        note = faults.notes.get(name)
        if isinstance(note, dict) and "run_id" in note:
            note["run_after_drain"] = faults.run_state(note["run_id"])
        phases[name] = {
            "wall_s": wall,
            "clients_saw": seen,
            "notes": note,
            "runs_open_after_drain": open_runs,
            "runs_drain_s": drained,
            "invariants": invariants,
            "operations": rows,
        }
        print_table(f"fault {letter} ({name}), {wall:.1f} s", rows)
        print(json.dumps({k: v for k, v in phases[name].items() if k != "operations"}, default=str))
    return {
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        "down_s": args.down,
        "phases": phases,
        "ledger": ledger.summary(),
        "log_errors": stack.log_errors()[:60],
        "log_exceptions": exception_counts(stack.log_errors()),
        "world": _world_note(world),
    }


def _world_note(world: LoadWorld) -> dict[str, int]:
    return {"status_jobs": len(world.status_jobs), "booking_jobs": len(world.booking_jobs)}


def _survived(phase: dict[str, Any]) -> bool:
    seen, invariants = phase["clients_saw"], phase["invariants"]
    return (
        invariants["lost_writes"] == 0
        and seen["unclear"] == 0
        and seen["answered_ever"]
        and seen["recovery_s"] < RECOVERY_BAR_S
        and phase["runs_open_after_drain"] == 0
    )


def _report(figures: dict[str, Any]) -> None:
    phases = figures["phases"]
    print(f"{'fault':14} {'survived':>8} {'recovery s':>10} {'first ok s':>10}  errors seen")
    for name, phase in phases.items():
        seen = phase["clients_saw"]
        phase["survived"] = _survived(phase)
        first = seen["first_success_s"]
        print(
            f"{name:14} {phase['survived']!s:>8} {seen['recovery_s']:>10.1f} "
            f"{'-' if first is None else f'{first:.1f}':>10}  {seen['errors_after_fault']}"
        )
    print(f"log errors: {len(figures['log_errors'])}", *figures["log_errors"][:10], sep="\n")
    print("exceptions in logs:", json.dumps(figures["log_exceptions"], indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fault_test.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    last = list(phases.values())[-1]["invariants"] if phases else {"lost_writes": 0}
    worst = max((p["clients_saw"]["recovery_s"] for p in phases.values()), default=0.0)
    survived = sum(p["survived"] for p in phases.values())
    print(
        f"RESULT faults={len(phases)} survived={survived} lost_writes={last['lost_writes']} "
        f"max_recovery_s={worst:.1f}"
    )


if __name__ == "__main__":
    main()
