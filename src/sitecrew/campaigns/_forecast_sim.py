"""The Monte Carlo behind :func:`sitecrew.campaigns.forecast.forecast_completion`.

Every trial walks the future working days in order. On a day, each crew working it attempts a
number of visits (drawn by the caller's sampler), at most what is still left; each attempt
succeeds with the trial's success probability, and a failed home stays in the queue for a later
day (a re-visit). A trial finishes on the day its queue empties. All trials run at once as numpy
arrays, so a thousand trials over a year take a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    #: Given the crews working a day, return each trial's attempted visits that day, shape (T,).
    AttemptSampler = Callable[[int], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class Simulation:
    """What every trial did.

    ``finish``: the index of the day it finished (``len(days)`` when it did not); ``left``: the
    homes left after every day (shape trials x days).
    """

    finish: npt.NDArray[np.int64]
    left: npt.NDArray[np.int64]


def simulate(
    remaining: int,
    crews_per_day: Sequence[int],
    attempts: AttemptSampler,
    failure_share: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> Simulation:
    """Run every trial over ``crews_per_day`` (one entry per future day, in order)."""
    trials = failure_share.shape[0]
    days = len(crews_per_day)
    left_now = np.full(trials, remaining, dtype=np.int64)
    finish = np.full(trials, days, dtype=np.int64)
    left = np.empty((trials, days), dtype=np.int64)
    success = 1.0 - failure_share
    for index, crews in enumerate(crews_per_day):
        tried = np.minimum(attempts(crews), left_now)
        left_now -= rng.binomial(tried, success)
        finish[(left_now == 0) & (finish == days)] = index
        left[:, index] = left_now
    return Simulation(finish=finish, left=left)


def quantile_index(values: npt.NDArray[np.int64], q: float) -> int:
    """Return the ``q`` quantile of ``values`` as one of the values (no interpolation).

    A finish date must be a day of the capacity, never a day halfway between two.
    """
    return int(np.quantile(values, q, method="inverted_cdf"))
