"""Depot siting: choose ``k`` of ``m`` candidate depots for ``n`` demand sites, exactly, with HiGHS.

Two classic models over a travel-time matrix ``travel_s`` (rows = sites, columns = candidates,
seconds from the candidate to the site, ``inf`` where no street path exists):

* **p-median** minimises ``sum_i w_i * min_{j open} t_ij`` (every site is served by its nearest
  open depot). The textbook model (``x_ij <= y_j``, ``sum_j x_ij = 1``) has ``n * m`` rows: for
  200 candidates and 1,300 sites HiGHS does not finish its root LP in a minute. So the model is
  solved by Benders decomposition in the radius form of Duran-Mateluna, Ales and Elloumi (2023,
  "An efficient Benders decomposition for the p-median problem", EJOR 308): the master keeps the
  ``m`` binary ``y_j`` and one ``theta_i`` per site, and site ``i``'s cut at distance ``D``::

      theta_i >= D - sum_{j: t_ij < D} (D - t_ij) * y_j

  is valid for every choice of depots. HiGHS solves every master (LPs first, to separate the
  cuts at the fractional optimum, then MILPs); the master's dual bound is a lower bound of the
  p-median and the true cost of its depots an upper bound, so the reported gap is proven.
* **maximal coverage** maximises the demand within ``T`` seconds of an open depot
  (``z_i <= sum_{j: t_ij <= T} y_j``); it is small and goes to HiGHS as it is.

A site that no candidate reaches is left out of both and listed in ``unreachable_sites``; a
site that only some candidates reach must be served by one of those (p-median), and when no
``k`` depots can do that the problem is infeasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, vstack

from sitecrew.errors import InfeasiblePlanError, InvalidInputError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

#: Relative tolerance below which a cut is not considered violated.
_CUT_TOLERANCE = 1e-7
#: LP rounds of cut separation before the masters become MILPs.
_MAX_LP_ROUNDS = 200
#: Floating-point slack when comparing a gap with the requested tolerance.
_GAP_SLACK = 1e-9


class SitingObjective(StrEnum):
    """Which model a siting solves."""

    P_MEDIAN = "pmedian"
    COVERAGE = "coverage"


class SitingStatus(StrEnum):
    """How a solve ended: the gap proven within the tolerance, or stopped by the time limit."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"


@dataclass(frozen=True)
class SitingResult:
    """The depots chosen and how good the choice is proven to be.

    Attributes
    ----------
    objective_kind
        The model solved.
    depots
        Indices of the chosen candidates, ascending.
    assignment
        Per site, the index of its nearest open depot, or ``None`` when none reaches it.
    covered
        Per site, whether its nearest open depot lies within the coverage limit (p-median:
        whether it is served at all).
    objective
        p-median: ``sum_i w_i * t_i`` in weight-seconds; coverage: the demand covered.
    bound
        The solver's proven bound on the optimum (lower for p-median, upper for coverage).
    gap_pct
        ``|objective - bound| / |objective| * 100`` (0 when both are 0).
    status
        ``optimal`` when the gap is within the requested tolerance.
    unreachable_sites
        Sites that no candidate reaches: left out of the model.
    solve_s
        Wall-clock seconds spent solving.
    """

    objective_kind: SitingObjective
    depots: tuple[int, ...]
    assignment: tuple[int | None, ...]
    covered: tuple[bool, ...]
    objective: float
    bound: float
    gap_pct: float
    status: SitingStatus
    unreachable_sites: tuple[int, ...]
    solve_s: float


@dataclass(frozen=True)
class SolveOptions:
    """Stopping criteria of a siting solve.

    Attributes
    ----------
    time_limit_s
        Wall-clock budget for the whole solve.
    mip_rel_gap
        Stop once the proven relative gap is at most this (0.005 = 0.5%).
    """

    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.005

    def __post_init__(self) -> None:
        """Reject budgets and gaps that cannot work."""
        if not self.time_limit_s > 0:
            msg = f"the time limit must be positive, not {self.time_limit_s}"
            raise InvalidInputError(msg)
        if not 0 <= self.mip_rel_gap < 1:
            msg = f"the relative gap must lie in [0, 1), not {self.mip_rel_gap}"
            raise InvalidInputError(msg)


def p_median_from_matrix(
    travel_s: ArrayLike, weights: ArrayLike, k: int, *, options: SolveOptions | None = None
) -> SitingResult:
    """Choose ``k`` depots minimising the weighted travel time to every site's nearest depot.

    Parameters
    ----------
    travel_s
        ``(sites, candidates)`` seconds from each candidate to each site; ``inf`` (or NaN) where
        no path exists.
    weights
        One non-negative demand weight per site (work minutes per year, visits...).
    k
        Depots to open, ``1 <= k <= candidates``.
    options
        Time limit and relative gap.

    Returns
    -------
    SitingResult
        Depots, assignment to the nearest open depot, objective, lower bound and gap.

    Raises
    ------
    InvalidInputError
        When shapes, weights or ``k`` are invalid.
    InfeasiblePlanError
        When no ``k`` candidates together reach every reachable site.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    t, w, reachable = _checked(travel_s, weights, k)
    sites = np.flatnonzero(reachable)
    rows, inverse = np.unique(t[sites], axis=0, return_inverse=True)
    merged_w = np.bincount(inverse.ravel(), weights=w[sites], minlength=len(rows)).astype(
        np.float64
    )
    depots, bound = _BendersPMedian(rows, merged_w, k, options, started).solve()
    objective = float(w[sites] @ t[sites][:, depots].min(axis=1)) if len(sites) else 0.0
    bound = min(bound, objective)
    proven = _gap(objective, bound) <= options.mip_rel_gap + _GAP_SLACK
    return _result(
        SitingObjective.P_MEDIAN,
        t,
        depots,
        objective=objective,
        bound=bound,
        proven=proven,
        reachable=reachable,
        limit_s=np.inf,
        started=started,
    )


def coverage_from_matrix(
    travel_s: ArrayLike,
    weights: ArrayLike,
    k: int,
    *,
    limit_s: float,
    options: SolveOptions | None = None,
) -> SitingResult:
    """Choose ``k`` depots maximising the demand within ``limit_s`` seconds of an open depot.

    Parameters
    ----------
    travel_s
        ``(sites, candidates)`` seconds; ``inf`` (or NaN) where no path exists.
    weights
        One non-negative demand per site.
    k
        Depots to open, ``1 <= k <= candidates``.
    limit_s
        A site is covered when an open depot reaches it within this many seconds.
    options
        Time limit and relative gap.

    Returns
    -------
    SitingResult
        Depots, coverage per site, demand covered, its upper bound and the gap.

    Raises
    ------
    InvalidInputError
        When shapes, weights, ``k`` or ``limit_s`` are invalid.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    if not limit_s >= 0:
        msg = f"the coverage limit must be a non-negative number of seconds, not {limit_s}"
        raise InvalidInputError(msg)
    t, w, reachable = _checked(travel_s, weights, k)
    n, m = t.shape
    reach = csr_array(t <= limit_s, dtype=np.float64)
    # Variables: z_0..z_{n-1} (covered share), y_0..y_{m-1} (open).
    cover = csr_array(np.hstack([np.eye(n), np.zeros((n, m))])) - _hstack_zero_left(reach, n)
    count = csr_array(np.concatenate([np.zeros(n), np.ones(m)])[None, :])
    result = milp(
        np.concatenate([-w, np.zeros(m)]),
        constraints=[
            LinearConstraint(cover, -np.inf, 0.0),
            LinearConstraint(count, k, k),
        ],
        integrality=np.concatenate([np.zeros(n), np.ones(m)]),
        bounds=Bounds(0.0, 1.0),
        options=_milp_options(options.time_limit_s, options.mip_rel_gap),
    )
    if result.x is None:
        msg = f"the coverage model found no solution within {options.time_limit_s:g} s"
        raise InfeasiblePlanError(msg)
    depots = np.sort(np.argsort(-result.x[n:])[:k])
    covered = (t[:, depots] <= limit_s).any(axis=1)
    objective = float(w[covered].sum())
    bound = max(objective, -float(result.mip_dual_bound))
    proven = _gap(objective, bound) <= options.mip_rel_gap + _GAP_SLACK
    return _result(
        SitingObjective.COVERAGE,
        t,
        depots,
        objective=objective,
        bound=bound,
        proven=proven,
        reachable=reachable,
        limit_s=limit_s,
        started=started,
    )


def _checked(
    travel_s: ArrayLike, weights: ArrayLike, k: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Validate the inputs; return the matrix (NaN as inf), the weights and reachable sites."""
    t = np.array(travel_s, dtype=np.float64, copy=True)
    w = np.asarray(weights, dtype=np.float64)
    if t.ndim != 2 or t.shape[1] == 0:  # noqa: PLR2004 (a matrix)
        msg = f"travel times must be a (sites, candidates) matrix, not of shape {t.shape}"
        raise InvalidInputError(msg)
    if w.shape != (t.shape[0],):
        msg = f"{w.size} weights for {t.shape[0]} sites; give one weight per site"
        raise InvalidInputError(msg)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        msg = "site weights must be finite and non-negative"
        raise InvalidInputError(msg)
    t[np.isnan(t)] = np.inf
    if (t < 0).any():
        msg = "travel times must be non-negative"
        raise InvalidInputError(msg)
    if not 1 <= k <= t.shape[1]:
        msg = f"k must lie between 1 and the {t.shape[1]} candidates, not {k}"
        raise InvalidInputError(msg)
    reachable = np.asarray(np.isfinite(t).any(axis=1), dtype=np.bool_)
    return t, w, reachable


def _hstack_zero_left(block: csr_array, zeros: int) -> csr_array:
    """Return ``[0 | block]`` with ``zeros`` leading zero columns."""
    coo = block.tocoo()
    shape = (block.shape[0], zeros + block.shape[1])
    return csr_array((coo.data, (coo.row, coo.col + zeros)), shape=shape)


def _milp_options(time_limit_s: float, gap: float) -> dict[str, float | bool]:
    return {"time_limit": max(time_limit_s, 0.01), "mip_rel_gap": gap, "disp": False}


def _gap(objective: float, bound: float) -> float:
    """Return the relative gap ``|objective - bound| / |objective|`` (0 when both are 0)."""
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-12)


def _result(
    kind: SitingObjective,
    t: NDArray[np.float64],
    depots: NDArray[np.int64],
    *,
    objective: float,
    bound: float,
    proven: bool,
    reachable: NDArray[np.bool_],
    limit_s: float,
    started: float,
) -> SitingResult:
    open_t = t[:, depots]
    nearest = np.argmin(open_t, axis=1)
    best = open_t[np.arange(len(t)), nearest]
    served = np.isfinite(best)
    return SitingResult(
        objective_kind=kind,
        depots=tuple(int(j) for j in depots),
        assignment=tuple(
            int(depots[j]) if ok else None for j, ok in zip(nearest, served, strict=True)
        ),
        covered=tuple(bool(ok and b <= limit_s) for ok, b in zip(served, best, strict=True)),
        objective=objective,
        bound=bound,
        gap_pct=_gap(objective, bound) * 100,
        status=SitingStatus.OPTIMAL if proven else SitingStatus.TIME_LIMIT,
        unreachable_sites=tuple(int(i) for i in np.flatnonzero(~reachable)),
        solve_s=time.perf_counter() - started,
    )


class _BendersPMedian:
    """Benders decomposition of the p-median: LP cut rounds, then MILP masters until proven.

    Every master is solved by HiGHS; this class only separates the closed-form cuts and keeps
    the best depots found (upper bound) and the best master bound (lower bound).
    """

    def __init__(
        self,
        t: NDArray[np.float64],
        w: NDArray[np.float64],
        k: int,
        options: SolveOptions,
        started: float,
    ) -> None:
        self.t, self.w, self.k, self.options, self.started = t, w, k, options, started
        self.n, self.m = t.shape
        self.order = np.argsort(t, axis=1, kind="stable")
        self.sorted_t = np.take_along_axis(t, self.order, axis=1)
        self.cuts: list[csr_array] = []
        self.cut_rhs: list[NDArray[np.float64]] = []
        self.best_value = np.inf
        self.best_depots = np.arange(k, dtype=np.int64)

    def solve(self) -> tuple[NDArray[np.int64], float]:
        """Return the best depots found and the proven lower bound of the p-median."""
        if self.n == 0:
            return self.best_depots, 0.0
        self._add_cuts(self.sorted_t[:, 0], np.zeros(self.m), np.full(self.n, -np.inf))
        bound = self._lp_rounds()
        gap = self.options.mip_rel_gap
        while self._remaining() > 0:
            result = milp(
                np.concatenate([self.w, np.zeros(self.m)]),
                constraints=self._constraints(),
                integrality=np.concatenate([np.zeros(self.n), np.ones(self.m)]),
                bounds=Bounds(0.0, 1.0 * self._theta_cap()),
                options=_milp_options(self._remaining(), gap / 2),
            )
            if result.status == 2:  # noqa: PLR2004 (HiGHS: infeasible)
                raise InfeasiblePlanError(self._infeasible_message())
            if result.x is None:
                break
            bound = max(bound, float(result.mip_dual_bound))
            y = np.rint(result.x[self.n :])
            self._consider(y)
            if _gap(self.best_value, bound) <= gap + _GAP_SLACK:
                break
            if not self._separate(y, result.x[: self.n]):
                break  # the master's depots cost what it thinks: its bound is the last word
        return self.best_depots, bound

    def _remaining(self) -> float:
        return self.options.time_limit_s - (time.perf_counter() - self.started)

    def _theta_cap(self) -> NDArray[np.float64]:
        """Upper bounds of the variables: each ``theta_i`` at most its farthest finite time."""
        finite = np.where(np.isfinite(self.t), self.t, -np.inf).max(axis=1)
        return np.concatenate([finite, np.ones(self.m)])

    def _lp_rounds(self) -> float:
        """Separate cuts at fractional LP optima until none is violated; return the LP bound."""
        bound = 0.0
        for _ in range(_MAX_LP_ROUNDS):
            if self._remaining() <= 0:
                break
            matrix, lower, upper = self._stacked()
            result = linprog(
                np.concatenate([self.w, np.zeros(self.m)]),
                A_ub=-matrix[lower > -np.inf],
                b_ub=-lower[lower > -np.inf],
                A_eq=matrix[upper < np.inf],
                b_eq=upper[upper < np.inf],
                bounds=list(zip(np.zeros(self.n + self.m), self._theta_cap(), strict=True)),
                method="highs",
                options={"time_limit": max(self._remaining(), 0.01)},
            )
            if result.status == 2:  # noqa: PLR2004 (HiGHS: infeasible)
                raise InfeasiblePlanError(self._infeasible_message())
            if result.x is None:
                break
            bound = float(result.fun)
            y, theta = result.x[self.n :], result.x[: self.n]
            self._consider(_top_k(y, self.k))
            if not self._separate(y, theta):
                break
        return bound

    def _separate(self, y: NDArray[np.float64], theta: NDArray[np.float64]) -> bool:
        """Add each site's most violated cut at ``y``; return whether any was added."""
        cumulative = np.cumsum(y[self.order], axis=1)
        critical = np.argmax(cumulative >= 1 - 1e-9, axis=1)
        level = self.sorted_t[np.arange(self.n), critical]
        level = np.where(np.isfinite(level), level, self.sorted_t[:, 0])
        return self._add_cuts(level, y, theta)

    def _add_cuts(
        self, level: NDArray[np.float64], y: NDArray[np.float64], theta: NDArray[np.float64]
    ) -> bool:
        """Add ``theta_i >= D_i - sum_{t_ij < D_i} (D_i - t_ij) y_j`` where it cuts off ``y``."""
        slack = np.where(self.t < level[:, None], level[:, None] - self.t, 0.0)
        value = level - slack @ y
        violated = np.flatnonzero(value > theta + _CUT_TOLERANCE * np.maximum(1.0, level))
        if not len(violated):
            return False
        block = slack[violated]
        rows, cols = np.nonzero(block)
        data = np.concatenate([np.ones(len(violated)), block[rows, cols]])
        row_index = np.concatenate([np.arange(len(violated)), rows])
        col_index = np.concatenate([violated, self.n + cols])
        shape = (len(violated), self.n + self.m)
        self.cuts.append(csr_array((data, (row_index, col_index)), shape=shape))
        self.cut_rhs.append(level[violated])
        return True

    def _stacked(self) -> tuple[csr_array, NDArray[np.float64], NDArray[np.float64]]:
        """Return all rows (cuts, reach, count) with their lower and upper sides."""
        reach_rows, reach_lower = self._reach_rows()
        count = csr_array(np.concatenate([np.zeros(self.n), np.ones(self.m)])[None, :])
        matrix = vstack([*self.cuts, reach_rows, count]).tocsr()
        lower = np.concatenate([*self.cut_rhs, reach_lower, [-np.inf]])
        upper = np.concatenate([np.full(len(lower) - 1, np.inf), [self.k]])
        return matrix, lower, upper

    def _constraints(self) -> list[LinearConstraint]:
        matrix, lower, upper = self._stacked()
        upper = upper.copy()
        lower = lower.copy()
        lower[-1] = self.k
        return [LinearConstraint(matrix, lower, upper)]

    def _reach_rows(self) -> tuple[csr_array, NDArray[np.float64]]:
        """``sum_{j reaches i} y_j >= 1`` for each distinct partial reach set."""
        finite = np.isfinite(self.t)
        partial = np.unique(finite[~finite.all(axis=1)], axis=0)
        block = np.hstack([np.zeros((len(partial), self.n)), partial.astype(np.float64)])
        return csr_array(block.reshape(len(partial), self.n + self.m)), np.ones(len(partial))

    def _consider(self, y: NDArray[np.float64]) -> None:
        """Keep ``y``'s depots when they serve every site at a lower cost than the best."""
        depots = np.flatnonzero(y > 0.5)  # noqa: PLR2004
        if len(depots) != self.k:
            return
        nearest = self.t[:, depots].min(axis=1)
        value = float(self.w @ nearest) if np.isfinite(nearest).all() else np.inf
        if value < self.best_value:
            self.best_value, self.best_depots = value, depots.astype(np.int64)

    def _infeasible_message(self) -> str:
        return (
            f"no {self.k} candidate depot(s) together reach every site by street; allow more "
            "depots or add candidates in the unconnected parts of the region"
        )


def _top_k(y: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Round a fractional opening to the ``k`` largest (a primal heuristic for the bound)."""
    rounded = np.zeros_like(y)
    rounded[np.argsort(-y, kind="stable")[:k]] = 1.0
    return rounded
