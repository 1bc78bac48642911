"""The mixed load of the load and fault tests: what each client sends and what it remembers.

Every client loops until its phase ends, picking an operation by weight (reads of every kind,
status changes with versions, bookings and reschedules, wear reports, planning runs) with a token
of the role that does it in practice: admin, the region's planner, or a crew. What it learns is
shared through one :class:`Ledger`: the latest version of each status job and appointment (so
clients race on the same rows and get ``Conflict`` payloads, an expected outcome), and every
acknowledged, refused and unanswered write, which :mod:`load_checks` compares with the database.

An answer is one of three outcomes: ``ok``; ``refused``, a problem payload the product promises
for this race (a stale version or an overlapping window: CONFLICT; a planning quota:
QUOTA_EXCEEDED; a job whose lifecycle forbids the move: ILLEGAL_TRANSITION); or ``error`` with a
kind: ``http_<status>``, ``gql_<CODE>`` (a GraphQL error's code), ``problem_<CODE>`` (any other
payload problem), ``timeout`` or ``connection``. A write whose answer was an error or never came
is *unknown*: it may or may not have happened, and the checks allow either.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson

from api_bench import NESTED, OPERATIONS
from api_bench_world import DAY, TODAY

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from load_world import LoadWorld

REFUSALS = frozenset({"CONFLICT", "QUOTA_EXCEEDED", "ILLEGAL_TRANSITION"})
#: How long a client waits for one answer before counting a timeout.
REQUEST_TIMEOUT_S = 30.0
#: Operation -> weight in the mix (out of the sum).
WEIGHTS = {
    "viewport": 12,
    "nested": 10,
    "open_jobs": 10,
    "crews": 5,
    "crew_route": 10,
    "sites_in_view": 5,
    "worn_furniture": 5,
    "planning_run": 4,
    "change_job_status": 16,
    "book_appointment": 8,
    "reschedule_appointment": 4,
    "record_wear": 8,
    "plan_routes": 1,
}
WRITES = ("change_job_status", "book_appointment", "reschedule_appointment", "record_wear")
APPOINTMENT = "__typename ... on Appointment { id jobId windowStart windowEnd version status }"
BOOK = (
    "mutation Book($input: BookAppointmentInput!) { bookAppointment(input: $input) { "
    f"{APPOINTMENT} ... on Problem {{ code message }} }} }}"
)
RESCHEDULE = (
    "mutation Move($input: RescheduleAppointmentInput!) { rescheduleAppointment(input: $input) "
    f"{{ {APPOINTMENT} ... on Problem {{ code message }} }} }}"
)


def _operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text()


@dataclass
class Sample:
    """One answered (or failed) request."""

    operation: str
    started: float
    seconds: float
    outcome: str
    kind: str


@dataclass
class Ledger:
    """What clients know and what they were told, for the clients and for the checks."""

    #: job id -> (status, version) as last acknowledged (what clients send next).
    jobs: dict[int, tuple[str, int]] = field(default_factory=dict)
    #: Acknowledged status changes: (job id, base version, new version, new status).
    job_acks: list[tuple[int, int, int, str]] = field(default_factory=list)
    job_refused: list[tuple[int, int, str]] = field(default_factory=list)
    job_unknown: list[tuple[int, int, str]] = field(default_factory=list)
    #: appointment id -> (job id, start, end, version) as last acknowledged.
    appointments: dict[int, tuple[int, str, str, int]] = field(default_factory=dict)
    #: Acknowledged bookings and reschedules: (appointment id, base version (0 for a booking),
    #: version, start, end). A reschedule to the window it has changes nothing: same version.
    appointment_acks: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    booking_refused: list[tuple[int, str, str]] = field(default_factory=list)
    booking_unknown: list[tuple[int, str, str]] = field(default_factory=list)
    reschedule_refused: list[tuple[int, int, str, str]] = field(default_factory=list)
    reschedule_unknown: list[tuple[int, int, str, str]] = field(default_factory=list)
    #: Acknowledged wear reports: record id -> furniture id.
    wear: dict[int, int] = field(default_factory=dict)
    wear_unknown: int = 0
    runs: list[int] = field(default_factory=list)
    runs_refused: int = 0
    runs_unknown: int = 0

    def summary(self) -> dict[str, int]:
        """Return the counts of the ledger's entries."""
        return {
            "status_acknowledged": len(self.job_acks),
            "status_refused": len(self.job_refused),
            "status_unknown": len(self.job_unknown),
            "appointment_acknowledged": len(self.appointment_acks),
            "booking_refused": len(self.booking_refused),
            "booking_unknown": len(self.booking_unknown),
            "reschedule_refused": len(self.reschedule_refused),
            "reschedule_unknown": len(self.reschedule_unknown),
            "wear_acknowledged": len(self.wear),
            "wear_unknown": self.wear_unknown,
            "runs_acknowledged": len(self.runs),
            "runs_refused": self.runs_refused,
            "runs_unknown": self.runs_unknown,
        }


@dataclass
class Answer:
    """What came back: outcome, error kind, and the payload of a mutation (parsed)."""

    outcome: str
    kind: str
    payload: dict[str, Any] | None = None


def classify(status: int, content: bytes, field_name: str | None) -> Answer:
    """Sort an HTTP answer into ok / refused / error (see the module doc)."""
    if status != 200:
        html = b"<html" in content[:200].lower() or b"traceback" in content.lower()
        return Answer("error", f"http_{status}" + ("_html" if html else ""))
    if field_name is None and b'"errors"' not in content[:4000]:
        return Answer("ok", "")  # a read without errors: its (large) body is not parsed
    try:
        answer = orjson.loads(content)
    except orjson.JSONDecodeError:
        return Answer("error", "bad_json")
    return _classify_json(answer, field_name)


def _classify_json(answer: dict[str, Any], field_name: str | None) -> Answer:
    errors = answer.get("errors") or []
    if errors:
        # The worst code of the answer: one INTERNAL among UNAVAILABLEs is an INTERNAL.
        codes = [str((error.get("extensions") or {}).get("code", "NONE")) for error in errors]
        return Answer("error", "gql_INTERNAL" if "INTERNAL" in codes else f"gql_{codes[0]}")
    payload = (answer.get("data") or {}).get(field_name) if field_name else None
    if payload is None and field_name:
        return Answer("error", "no_data")
    if payload is not None and "code" in payload:
        code = str(payload["code"])
        return Answer("refused" if code in REFUSALS else "error", f"problem_{code}", payload)
    return Answer("ok", "", payload)


class Mix:
    """The operations of the mixed load, with their variables and what their answers teach."""

    def __init__(self, world: LoadWorld, ledger: Ledger) -> None:
        self.world = world
        self.ledger = ledger
        self.names = list(WEIGHTS)
        self.weights = [WEIGHTS[name] for name in self.names]
        self.queries = {
            "viewport": _operation("apartments_viewport"),
            "nested": NESTED,
            "open_jobs": _operation("open_jobs"),
            "crews": _operation("crews"),
            "crew_route": _operation("planning/3_crew_route"),
            "sites_in_view": _operation("sites_in_view"),
            "worn_furniture": _operation("worn_furniture_near"),
            "planning_run": _operation("planning/2_planning_run"),
            "change_job_status": _operation("change_job_status"),
            "book_appointment": BOOK,
            "reschedule_appointment": RESCHEDULE,
            "record_wear": _operation("record_wear"),
            "plan_routes": _operation("planning/1_plan_routes"),
        }
        self.fields = {
            "change_job_status": "changeJobStatus",
            "book_appointment": "bookAppointment",
            "reschedule_appointment": "rescheduleAppointment",
            "record_wear": "recordMaintenance",
            "plan_routes": "planRoutes",
        }
        if not ledger.jobs:
            ledger.jobs.update({j: (s, v) for j, s, v in world.status_jobs})
        self.tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()

    def token(self, name: str, rng: random.Random) -> str:
        """Return the token of the role that sends ``name`` (reads alternate admin/planner)."""
        base = self.world.base
        if name == "crew_route":
            return base.crew
        if name in {"book_appointment", "reschedule_appointment", "plan_routes"}:
            return self.world.planner
        return rng.choice((base.admin, self.world.planner))

    def variables(self, name: str, rng: random.Random) -> tuple[dict[str, Any], Any]:
        """Return the variables of the next ``name`` and what to remember about it."""
        base = self.world.base
        fixed: dict[str, dict[str, Any]] = {
            "viewport": {"bbox": base.box.__dict__},
            "crew_route": {"crewId": str(base.crew_id), "date": DAY.isoformat()},
            "record_wear": {"input": self._wear(rng)},
            "plan_routes": {
                "input": {
                    "region": base.region_slug,
                    "date": DAY.isoformat(),
                    "timeLimitSeconds": 3,
                    "publish": True,
                }
            },
        }
        if name in fixed:
            return fixed[name], None
        if name == "planning_run":
            run = rng.choice(self.ledger.runs) if self.ledger.runs else base.run_id
            return {"id": str(run)}, None
        writes = {
            "change_job_status": self._status_change,
            "book_appointment": self._booking,
            "reschedule_appointment": self._move,
        }
        return writes[name](rng) if name in writes else ({}, None)

    def _status_change(self, rng: random.Random) -> tuple[dict[str, Any], Any]:
        job_id = rng.choice(list(self.ledger.jobs))
        status, version = self.ledger.jobs[job_id]
        target = "SCHEDULED" if status == "open" else "OPEN"
        memo = (job_id, version, target.lower())
        return {"input": {"id": str(job_id), "status": target, "version": version}}, memo

    def _booking(self, rng: random.Random) -> tuple[dict[str, Any], Any]:
        job_id = rng.choice(self.world.booking_jobs)
        start, end = self._window(rng)
        memo = (job_id, start, end)
        return {"input": {"jobId": str(job_id), "windowStart": start, "windowEnd": end}}, memo

    def _move(self, rng: random.Random) -> tuple[dict[str, Any], Any]:
        if not self.ledger.appointments:
            return self._booking(rng)
        appointment_id = rng.choice(list(self.ledger.appointments))
        version = self.ledger.appointments[appointment_id][3]
        start, end = self._window(rng)
        memo = (appointment_id, version, start, end)
        moved = {"id": str(appointment_id), "version": version}
        return {"input": {**moved, "windowStart": start, "windowEnd": end}}, memo

    def _window(self, rng: random.Random) -> tuple[str, str]:
        """A 1-3 hour window on one of five days from tomorrow (overlaps do happen)."""
        day = self.tomorrow + timedelta(days=rng.randrange(5))
        start = datetime(day.year, day.month, day.day, 6 + rng.randrange(10), tzinfo=UTC)
        end = start + timedelta(hours=1 + rng.randrange(3))
        return start.isoformat(), end.isoformat()

    def _wear(self, rng: random.Random) -> dict[str, Any]:
        return {
            "furnitureId": rng.choice(self.world.base.furniture),
            "performedOn": TODAY.isoformat(),
            "action": "OILED",
            "wearType": "CRACKING",
            "severity": 1,
            "notes": "load test",
        }

    def remember(self, name: str, memo: Any, answer: Answer, variables: dict[str, Any]) -> None:
        """Write what an answer to a write teaches into the ledger."""
        ledger = self.ledger
        payload = answer.payload or {}
        if name == "change_job_status":
            job_id, base_version, target = memo
            if answer.outcome == "ok":
                version, status = int(payload["version"]), payload["status"].lower()
                ledger.job_acks.append((job_id, base_version, version, status))
                if version > ledger.jobs[job_id][1]:
                    ledger.jobs[job_id] = (status, version)
            else:
                entry = (job_id, base_version, target)
                (ledger.job_refused if answer.outcome == "refused" else ledger.job_unknown).append(
                    entry
                )
        elif name == "book_appointment" and "jobId" in variables["input"]:
            self._remember_booking(memo, answer, payload)
        elif name == "reschedule_appointment":
            self._remember_move(memo, answer, payload)
        elif name == "record_wear":
            if answer.outcome == "ok":
                ledger.wear[int(payload["id"])] = int(variables["input"]["furnitureId"])
            else:
                ledger.wear_unknown += 1
        elif name == "plan_routes":
            if answer.outcome == "ok":
                ledger.runs.append(int(payload["id"]))
            elif answer.outcome == "refused":
                ledger.runs_refused += 1
            else:
                ledger.runs_unknown += 1

    def _remember_booking(self, memo: Any, answer: Answer, payload: dict[str, Any]) -> None:
        ledger = self.ledger
        if answer.outcome == "ok":
            appointment_id, version = int(payload["id"]), int(payload["version"])
            start, end = payload["windowStart"], payload["windowEnd"]
            ledger.appointments[appointment_id] = (memo[0], start, end, version)
            ledger.appointment_acks.append((appointment_id, 0, version, start, end))
        elif answer.outcome == "refused":
            ledger.booking_refused.append(memo)
        else:
            ledger.booking_unknown.append(memo)

    def _remember_move(self, memo: Any, answer: Answer, payload: dict[str, Any]) -> None:
        ledger = self.ledger
        if answer.outcome == "ok":
            appointment_id, version = int(payload["id"]), int(payload["version"])
            start, end = payload["windowStart"], payload["windowEnd"]
            ledger.appointment_acks.append((appointment_id, memo[1], version, start, end))
            job_id, _, _, known = ledger.appointments[appointment_id]
            if version > known:
                ledger.appointments[appointment_id] = (job_id, start, end, version)
        elif answer.outcome == "refused":
            ledger.reschedule_refused.append(memo)
        else:
            ledger.reschedule_unknown.append(memo)


async def _send(
    client: aiohttp.ClientSession, mix: Mix, name: str, rng: random.Random
) -> tuple[Answer, dict[str, Any], Any]:
    variables, memo = mix.variables(name, rng)
    # A reschedule without any booking yet falls back to a booking.
    if name == "reschedule_appointment" and "jobId" in variables["input"]:
        name = "book_appointment"
    body = orjson.dumps({"query": mix.queries[name], "variables": variables})
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {mix.token(name, rng)}",
    }
    try:
        async with client.post("/graphql", data=body, headers=headers) as response:
            content = await response.read()
        answer = classify(response.status, content, mix.fields.get(name))
    except TimeoutError:
        answer = Answer("error", "timeout")
    except aiohttp.ClientError as error:
        answer = Answer("error", f"connection:{type(error).__name__}")
    if name in mix.fields:
        mix.remember(name, memo, answer, variables)
    return answer, variables, memo


async def run_phase(
    base_url: str,
    mix: Mix,
    clients: int,
    seconds: float,
    *,
    seed: int = 1,
    during: Callable[[], Awaitable[dict[str, float]]] | None = None,
) -> tuple[list[Sample], float, dict[str, float]]:
    """Drive ``clients`` concurrent clients for ``seconds``; return samples, wall time, marks.

    ``during`` (a fault injector) runs alongside and returns its marks (``time.perf_counter``
    moments such as when a fault began and ended); the phase lasts as long as the longer of both.
    """
    samples: list[Sample] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients + 8, limit_per_host=clients + 8)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S, connect=5)

    async def client_loop(client: aiohttp.ClientSession, index: int) -> None:
        rng = random.Random(seed * 100_003 + index)
        while time.perf_counter() < deadline:
            name = rng.choices(mix.names, mix.weights)[0]
            started = time.perf_counter()
            answer, _, _ = await _send(client, mix, name, rng)
            elapsed = time.perf_counter() - started
            samples.append(Sample(name, started, elapsed, answer.outcome, answer.kind))
            if answer.kind.startswith("connection"):
                await asyncio.sleep(0.05)  # a refused connection answers at once: no busy loop

    started = time.perf_counter()
    async with aiohttp.ClientSession(
        base_url=base_url, connector=connector, timeout=timeout
    ) as client:
        loops = [client_loop(client, index) for index in range(clients)]
        if during is None:
            await asyncio.gather(*loops)
            marks: dict[str, float] = {}
        else:
            *_, marks = await asyncio.gather(*loops, during())
    return samples, time.perf_counter() - started, marks


def table_rows(samples: list[Sample], wall_s: float) -> dict[str, dict[str, Any]]:
    """Per operation: count, outcomes, latency quantiles (all answers), throughput, error kinds."""
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_op[sample.operation].append(sample)
    by_op["ALL"] = samples
    rows = {}
    for name, group in sorted(by_op.items()):
        latencies = sorted(s.seconds for s in group)
        errors: dict[str, int] = defaultdict(int)
        for s in group:
            if s.outcome == "error":
                errors[s.kind] += 1
        rows[name] = {
            "count": len(group),
            "ok": sum(s.outcome == "ok" for s in group),
            "refused": sum(s.outcome == "refused" for s in group),
            "errors": sum(errors.values()),
            "error_kinds": dict(errors),
            "p50_ms": _quantile(latencies, 0.50) * 1000,
            "p95_ms": _quantile(latencies, 0.95) * 1000,
            "p99_ms": _quantile(latencies, 0.99) * 1000,
            "rps": len(group) / wall_s if wall_s else 0.0,
        }
    return rows


def _quantile(ordered: list[float], share: float) -> float:
    return ordered[int(share * (len(ordered) - 1))] if ordered else 0.0


def errors_5xx(samples: list[Sample]) -> int:
    """Count answers with an HTTP 5xx status or a GraphQL INTERNAL error (a 500 in disguise)."""
    return sum(s.kind.startswith("http_5") or s.kind == "gql_INTERNAL" for s in samples)
