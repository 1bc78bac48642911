"""Starting task-queue worker processes (``sitecrew worker``) through Dramatiq's own runner.

Dramatiq's runner forks the processes, imports :mod:`sitecrew.tasks.boot` in each, forwards
signals (SIGTERM/SIGINT: finish the runs at hand, then stop; SIGHUP: restart the processes)
and exits when one of its processes dies, so a process manager (systemd, a container runtime)
restarts the whole worker, and the runs the dead process held are taken over by live workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dramatiq.cli import main as dramatiq_main
from dramatiq.cli import make_argument_parser

if TYPE_CHECKING:
    from collections.abc import Sequence

BOOT_MODULE = "sitecrew.tasks.boot"


def worker_arguments(*, processes: int, queues: Sequence[str], verbose: bool) -> list[str]:
    """Return the Dramatiq runner's arguments: one thread per process (runs are CPU-bound)."""
    arguments = [BOOT_MODULE, "--processes", str(processes), "--threads", "1"]
    arguments += ["--queues", *queues]
    return [*arguments, "--verbose"] if verbose else arguments


def run_workers(*, processes: int, queues: Sequence[str], verbose: bool = False) -> int:
    """Run worker processes until they are told to stop; return the runner's exit code."""
    parser = make_argument_parser()
    arguments = parser.parse_args(
        worker_arguments(processes=processes, queues=queues, verbose=verbose)
    )
    return int(dramatiq_main(arguments) or 0)
