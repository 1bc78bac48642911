"""Benchmark instances (Solomon, VRPLIB) as routing problems, so they exercise the same solver.

The benchmark and the quality test read instances with ``vrplib`` and hand the resulting mapping
here; the crews' own code path then solves them. Distances are scaled to integers: with
``scale=10`` and truncation this is exactly the DIMACS convention (every arc truncated to one
decimal, travel time equal to distance) under which the distance-only best-known Solomon
solutions are stated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sitecrew.errors import InvalidInputError
from sitecrew.routing.problem import CrewSpec, JobSpec, RoutingProblem

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt


def problem_from_instance(
    instance: Mapping[str, Any], *, scale: int = 10, truncate: bool = True
) -> RoutingProblem:
    """Return a VRPTW instance (as read by ``vrplib``) as a routing problem.

    Every customer is a required job; every vehicle is an identical crew based at depot 0
    whose shift is the depot's time window. Distances double as travel times.

    Parameters
    ----------
    instance
        Mapping with ``edge_weight`` (or ``node_coord``), ``demand``, ``time_window``,
        ``service_time``, ``capacity`` and ``vehicles``.
    scale
        Multiplier applied to distances and times before they become integers.
    truncate
        Truncate scaled distances (DIMACS convention) instead of rounding them.

    Returns
    -------
    RoutingProblem
        Matrices in scaled units; a plan's distance divided by ``scale`` is the instance's.

    Raises
    ------
    InvalidInputError
        When the instance lacks a field the conversion needs.
    """
    matrix = _scaled_matrix(instance, scale=scale, truncate=truncate)
    try:
        windows = np.asarray(instance["time_window"], dtype=np.float64) * scale
        service = np.asarray(instance["service_time"], dtype=np.float64) * scale
        demand = np.asarray(instance["demand"], dtype=np.int64)
        capacity = int(np.max(instance["capacity"]))
        vehicles = int(instance.get("vehicles", len(demand) - 1))
    except KeyError as missing:
        raise InvalidInputError(f"instance lacks field {missing}") from None
    jobs = tuple(
        JobSpec(
            id=str(i),
            location=i,
            service_s=round(service[i]),
            windows=((round(windows[i, 0]), round(windows[i, 1])),),
            load=int(demand[i]),
            required=True,
        )
        for i in range(1, len(demand))
    )
    shift = (round(windows[0, 0]), round(windows[0, 1]))
    crews = tuple(
        CrewSpec(f"v{k}", 0, 0, shift[0], shift[1], capacity=capacity)
        for k in range(1, vehicles + 1)
    )
    return RoutingProblem(matrix, matrix, jobs, crews, cost_per_metre=1, cost_per_second=0)


def _scaled_matrix(
    instance: Mapping[str, Any], *, scale: int, truncate: bool
) -> npt.NDArray[np.int64]:
    if "edge_weight" in instance:
        weights = np.asarray(instance["edge_weight"], dtype=np.float64)
    elif "node_coord" in instance:
        coords = np.asarray(instance["node_coord"], dtype=np.float64)
        weights = np.linalg.norm(coords[:, None, :] - coords[None, :, :], axis=2)
    else:
        raise InvalidInputError("instance has neither edge_weight nor node_coord")
    scaled = weights * scale
    # A hair of tolerance so that exact decimals (e.g. 10.0 stored as 9.9999999) truncate right.
    result = np.floor(scaled + 1e-9) if truncate else np.rint(scaled)
    return result.astype(np.int64)
