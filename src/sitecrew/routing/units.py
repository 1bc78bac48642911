"""Seconds and metres to solver integers, once, with the overflow checks in one place.

PyVRP works on 64-bit integers and treats values above ``MAX_VALUE`` (2**44) as unsafe: sums of
such values along a route or in penalties may overflow. Street matrices come in as floats or
integers with "no path" marked by a negative, NaN or infinite entry; here they become int64
arrays in which "no path" is the prohibitive value, and legal-but-risky magnitudes raise a
:class:`SolverScalingWarning`.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
from pyvrp.constants import MAX_VALUE

from sitecrew.errors import InvalidInputError

PROHIBITIVE = MAX_VALUE
"""Duration and distance of an edge that must not be used (no street path, wrong crew)."""

SAFE_TOTAL = 1 << 61
"""Largest objective total (prizes included) kept clear of int64 overflow."""


class SolverScalingWarning(UserWarning):
    """Input values are legal but so large that solver arithmetic may lose precision."""


def unreachable_mask(values: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Return where a travel matrix says there is no street path (negative, NaN or infinite)."""
    array = np.asarray(values, dtype=np.float64)
    return ~np.isfinite(array) | (array < 0)


def matrix_to_solver(values: npt.ArrayLike, *, name: str) -> npt.NDArray[np.int64]:
    """Return ``values`` as solver integers, rounding, with no-path entries made prohibitive.

    Parameters
    ----------
    values
        Square matrix of seconds or metres.
    name
        What the matrix holds, for messages.

    Returns
    -------
    numpy.ndarray
        int64 matrix; unreachable entries hold :data:`PROHIBITIVE`.

    Raises
    ------
    InvalidInputError
        When a finite entry is as large as the prohibitive value itself.

    Warns
    -----
    SolverScalingWarning
        When a whole route of the largest entries could exceed the solver's safe range.
    """
    array = np.asarray(values, dtype=np.float64)
    missing = unreachable_mask(array)
    finite = np.where(missing, 0.0, array)
    largest = float(finite.max()) if finite.size else 0.0
    if largest >= PROHIBITIVE:
        raise InvalidInputError(f"{name} entry {largest:.0f} exceeds the solver range")
    if largest * max(len(array), 1) >= PROHIBITIVE:
        msg = f"{name} values up to {largest:.0f} may overflow the solver; rescale them"
        warnings.warn(msg, SolverScalingWarning, stacklevel=2)
    result = np.rint(finite).astype(np.int64)
    result[missing] = PROHIBITIVE
    return result


def prize_unit_for(*, largest_route_cost: int, total_priority: int) -> int:
    """Return the value of one priority point: more than any route's whole cost.

    Making a job's prize exceed the cost of any detour means the solver never drops a job it
    could fit just to save travel; only jobs that do not fit are dropped, lowest value first.

    Raises
    ------
    InvalidInputError
        When the prizes would overflow the solver's integer range.
    """
    unit = max(largest_route_cost, 0) + 1
    if unit * max(total_priority, 1) >= SAFE_TOTAL:
        raise InvalidInputError("job priorities times travel costs overflow the solver range")
    return unit
