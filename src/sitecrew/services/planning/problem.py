"""From the loaded day to the solver's question: snap every place, then the travel matrices.

Places farther from any street than the snap limit are not routed (a wrong coordinate is far
more likely than a bench 500 m from a road): their jobs become unassigned as unreachable, and a
depot that far is an error. Street pairs without a path come back from the street layer as
negative values, which the routing layer reads as "no path".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.errors import StreetGraphError
from sitecrew.routing.problem import RoutingProblem
from sitecrew.streets import SnappedPoints, nearest_edges_for

if TYPE_CHECKING:
    from sitecrew.services.planning.day import DayInput
    from sitecrew.streets import StreetNetwork, TravelMatrices


@dataclass(frozen=True, eq=False)
class SnappedDay:
    """The day's places on the street graph; ``far`` are the indices beyond the snap limit."""

    points: SnappedPoints
    far: frozenset[int]


def snap_day(day: DayInput, network: StreetNetwork) -> SnappedDay:
    """Snap every place of the day, marking (not refusing) those too far from a street.

    Raises
    ------
    StreetGraphError
        When a crew's depot lies beyond the snap limit: no route can start there.
    """
    points = np.asarray(day.points, dtype=np.float64).reshape(-1, 2)
    snapped = nearest_edges_for(network.edge_index, points, max_distance_m=float("inf"))
    far = frozenset(
        int(i) for i in np.flatnonzero(snapped.distance_m > network.max_snap_distance_m)
    )
    for crew in day.crews:
        if crew.start_location in far or crew.end_location in far:
            name = day.crew_names.get(crew.id, crew.id)
            msg = f"the depot of crew {name} is farther than the snap limit from any street"
            raise StreetGraphError(msg)
    return SnappedDay(snapped, far)


def matrices_for(snapped: SnappedDay, network: StreetNetwork) -> TravelMatrices:
    """Return travel seconds and metres between all places of the day."""
    with np.errstate(invalid="ignore"):  # no path: infinite costs cast to negative integers
        return network.matrices(snapped.points)


def problem_from_day(
    day: DayInput, snapped: SnappedDay, matrices: TravelMatrices
) -> RoutingProblem:
    """Return the routing problem; jobs at places beyond the snap limit get no location."""
    jobs = tuple(
        replace(job, location=None) if job.location in snapped.far else job for job in day.jobs
    )
    seconds = matrices.seconds.copy()
    metres = matrices.metres.copy()
    np.fill_diagonal(seconds, 0)
    np.fill_diagonal(metres, 0)
    return RoutingProblem(seconds, metres, jobs, day.crews)
