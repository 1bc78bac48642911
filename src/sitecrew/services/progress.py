"""How long-running services report progress without knowing who listens."""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(step, done, total)``: the CLI draws a bar, planning jobs store the numbers.
ProgressCallback = Callable[[str, int, int], None]


def no_progress(_step: str, _done: int, _total: int) -> None:
    """Ignore progress (the default for callers that do not show it)."""
