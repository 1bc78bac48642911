"""A rich progress display that services can drive through a plain callback."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.progress import TaskID

    from sitecrew.services.progress import ProgressCallback


@contextmanager
def progress_bar(*, stderr: bool = False) -> Iterator[ProgressCallback]:
    """Yield a ``progress(step, done, total)`` callback that draws one bar per step.

    ``stderr`` draws on standard error, so a command's CSV or JSON on standard output stays clean.
    """
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        console=Console(stderr=True) if stderr else None,
    ) as display:

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = display.add_task(step, total=max(total, 1))
            display.update(tasks[step], completed=done, total=max(total, 1))

        yield report
