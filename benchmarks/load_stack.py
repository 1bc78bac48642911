"""The processes of the load and fault tests: server, queue workers, and private Redis/PostgreSQL.

Every process is started in a session of its own and remembered, so :meth:`Stack.close` stops
exactly what the benchmark started (never anything else on the machine), whatever happened.

- ``sitecrew serve --workers N`` (uvicorn's supervisor respawns a worker process that dies);
- ``sitecrew worker`` processes, each one Dramatiq runner with one process (a runner exits when
  its process dies, as a process manager expects; :meth:`Stack.replace_worker` is that manager);
- for the fault test, a private ``redis-server`` and a private PostgreSQL cluster (``initdb`` in a
  temporary folder, its own port), which the test may stop and restart without disturbing anyone
  else's database or Redis.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
#: The last line of a traceback: the exception's class and message.
EXCEPTION_LINE = re.compile(r"^[a-z_][\w.]*\.\w*(Error|Exception)\b", re.IGNORECASE)


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, seconds: float = 90) -> None:
    """Wait until ``url`` answers 200, or raise SystemExit."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"not healthy in {seconds:g} s: {url}")


def exception_counts(lines: list[str]) -> dict[str, int]:
    """Count the exception lines of the logs by file and class (the message's first words)."""
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        name, _, rest = line.partition(": ")
        if " ERROR " not in rest and "CRITICAL" not in rest:
            counts[f"{name}: {rest[:90]}"] += 1
    return dict(sorted(counts.items(), key=lambda item: -item[1])[:30])


def _stop(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def children(pid: int) -> list[int]:
    """Return the pids of the direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


@dataclass
class Stack:
    """The benchmark's processes and the environment they share."""

    workdir: Path
    env: dict[str, str]
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    port: int = 0
    started_workers: int = 0

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen[bytes]:
        with (self.workdir / log_name).open("ab") as log:
            return subprocess.Popen(  # noqa: S603
                command,
                env=self.env,
                cwd=ROOT,
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_server(self, workers: int) -> str:
        """Start ``sitecrew serve --workers N``; return its base URL once healthy."""
        self.port = free_port()
        self.env["SITECREW_PORT"] = str(self.port)
        command = [sys.executable, "-m", "sitecrew", "serve", "--workers", str(workers)]
        self.server = self._spawn(command, "server.log")
        base = f"http://127.0.0.1:{self.port}"
        wait_healthy(f"{base}/healthz")
        return base

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one ``sitecrew worker`` (one Dramatiq runner with one process)."""
        self.started_workers += 1
        command = [sys.executable, "-m", "sitecrew", "worker", "--processes", "1"]
        process = self._spawn(command, f"worker{self.started_workers}.log")
        self.workers.append(process)
        return process

    def replace_dead_workers(self) -> int:
        """Start a replacement for each worker runner that exited (a supervisor's job)."""
        dead = [process for process in self.workers if process.poll() is not None]
        for process in dead:
            self.workers.remove(process)
            self.start_worker()
        return len(dead)

    def server_children(self) -> list[int]:
        """Return the pids of the server's worker processes (uvicorn's children)."""
        return children(self.server.pid) if self.server else []

    def log_errors(self) -> list[str]:
        """Return the ERROR/Traceback lines of every log the stack wrote."""
        lines = []
        marks = (" ERROR ", "CRITICAL")
        for log in sorted(self.workdir.glob("*.log")):
            previous = ""
            for line in log.read_text(errors="replace").splitlines():
                # A traceback ends with an unindented line after its indented frames.
                ends_traceback = (
                    previous.startswith(" ")
                    and line[:1].isalpha()
                    and not line.startswith(("The above", "During handling"))
                )
                marked = any(mark in line for mark in marks) or EXCEPTION_LINE.match(line)
                if marked or ends_traceback:
                    lines.append(f"{log.name}: {line[:300]}")
                previous = line
        return lines

    def close(self) -> None:
        """Stop everything this stack started."""
        for process in [*self.workers, *([self.server] if self.server else []), *self.others]:
            _stop(process)


@dataclass
class PrivateRedis:
    """A redis-server of the benchmark's own (port, no persistence), stoppable at will."""

    workdir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        command = [
            "redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
            "--dir", str(self.workdir), "--bind", "127.0.0.1",
        ]  # fmt: skip
        with (self.workdir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.time() + 10
        while time.time() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return
            time.sleep(0.1)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop it (SIGTERM; nothing is saved)."""
        if self.process is not None:
            _stop(self.process)
            self.process = None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the benchmark's own in a temporary folder, on its own port."""

    workdir: Path
    port: int

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        return self.workdir / "pgdata"

    @property
    def url(self) -> str:
        """The URL of its ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> subprocess.CompletedProcess[bytes]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # noqa: S603
            [*prefix, *command], check=True, capture_output=True, timeout=120
        )

    def create(self) -> None:
        """Initialise the cluster (trust authentication on localhost) and start it."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        self.start()

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.workdir / "postgres.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster (``fast``: abort transactions, disconnect clients)."""
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"
        )

    def running(self) -> bool:
        """Tell whether the cluster runs."""
        try:
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status")
        except subprocess.CalledProcessError:
            return False
        return True

    def destroy(self) -> None:
        """Stop the cluster if it runs and delete its files."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            if self.running():
                self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)
