"""Read a PyVRP solution back as crew routes with physical arrival, start and departure times.

The solver folds setups and slow service into edge durations; here every leg is re-stated in
plain street travel from the problem's matrices, and each stop's start is the solver's scheduled
start, so the independent checker can verify the times against the problem's own rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.domain.plans import SolverRoute, SolverStop, StopKind
from sitecrew.routing.problem import service_for

if TYPE_CHECKING:
    import numpy.typing as npt
    from pyvrp import Solution

    from sitecrew.routing.model import SolverModel
    from sitecrew.routing.problem import CrewSpec, FixedStop, RoutingProblem


@dataclass(frozen=True)
class Visit:
    """A planned (not fixed) visit: a job or the break, where and when the work starts."""

    job_id: str | None
    location: int
    start_s: int


@dataclass
class _Leg:
    """Running state while a route is laid out: where the crew is and when it leaves."""

    location: int
    leave_s: int


def visits_from_solution(
    model: SolverModel, solution: Solution
) -> dict[str, tuple[int, list[Visit]]]:
    """Return, per crew id, the solver's departure time and the visits in order."""
    taken: dict[int, int] = {}
    result: dict[str, tuple[int, list[Visit]]] = {}
    for route in solution.routes():
        kind = route.vehicle_type()
        crew = model.fleets[kind][taken.get(kind, 0)]
        taken[kind] = taken.get(kind, 0) + 1
        visits = []
        for activity in route.schedule():
            if not activity.is_client():
                continue
            client = model.data.client(activity.idx)
            role = model.roles[activity.idx]
            spot = model.places[client.location].matrix_index
            visits.append(Visit(role.job_id, spot, int(activity.start_time)))
        result[crew.id] = (int(route.start_time()), visits)
    return result


def crew_route(
    problem: RoutingProblem,
    crew: CrewSpec,
    planned: tuple[int, list[Visit]] | None,
    matrices: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> SolverRoute:
    """Return ``crew``'s route: its fixed stops, then the planned visits, then home."""
    leave_s, visits = planned if planned is not None else (crew.ready_s, [])
    if not any(v.job_id is not None for v in visits) and not crew.fixed_stops:
        visits = []
    first_leave = _first_leave(crew, leave_s, visits, matrices[0])
    leg = _Leg(crew.start_location, first_leave)
    stops = [_fixed_stop(i, s, leg, matrices) for i, s in enumerate(crew.fixed_stops, 1)]
    if stops:
        leg.leave_s = max(leg.leave_s, crew.ready_s)
    for visit in visits:
        stops.append(
            _planned_stop(
                problem, crew, sequence=len(stops) + 1, visit=visit, leg=leg, matrices=matrices
            )
        )
    back_s, back_m = _travel(matrices, leg.location, crew.end_location)
    return SolverRoute(
        crew_id=crew.id,
        stops=tuple(stops),
        start_s=first_leave,
        end_s=leg.leave_s + back_s if stops else first_leave,
        travel_s=sum(s.travel_s for s in stops) + (back_s if stops else 0),
        distance_m=sum(s.distance_m for s in stops) + (back_m if stops else 0),
        return_travel_s=back_s if stops else 0,
        return_distance_m=back_m if stops else 0,
    )


def _first_leave(
    crew: CrewSpec, leave_s: int, visits: list[Visit], durations: npt.NDArray[np.int64]
) -> int:
    if crew.fixed_stops:
        first = crew.fixed_stops[0]
        return first.arrival_s - int(durations[crew.start_location, first.location])
    return leave_s if visits else crew.ready_s


def _travel(
    matrices: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], frm: int, to: int
) -> tuple[int, int]:
    return int(matrices[0][frm, to]), int(matrices[1][frm, to])


def _fixed_stop(
    sequence: int,
    stop: FixedStop,
    leg: _Leg,
    matrices: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> SolverStop:
    travel_s, metres = _travel(matrices, leg.location, stop.location)
    leg.location, leg.leave_s = stop.location, stop.departure_s
    return SolverStop(
        kind=StopKind.JOB if stop.job_id else StopKind.BREAK,
        job_id=stop.job_id,
        sequence=sequence,
        location=stop.location,
        arrival_s=stop.arrival_s,
        start_s=stop.start_s,
        departure_s=stop.departure_s,
        travel_s=travel_s,
        distance_m=metres,
        fixed=True,
    )


def _planned_stop(
    problem: RoutingProblem,
    crew: CrewSpec,
    *,
    sequence: int,
    visit: Visit,
    leg: _Leg,
    matrices: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> SolverStop:
    travel_s, metres = _travel(matrices, leg.location, visit.location)
    arrival = leg.leave_s + travel_s
    if visit.job_id is None:
        work = crew.break_duration_s
    else:
        work = service_for(problem.job_index[visit.job_id], crew)
    leg.location, leg.leave_s = visit.location, visit.start_s + work
    return SolverStop(
        kind=StopKind.JOB if visit.job_id else StopKind.BREAK,
        job_id=visit.job_id,
        sequence=sequence,
        location=visit.location,
        arrival_s=arrival,
        start_s=visit.start_s,
        departure_s=leg.leave_s,
        travel_s=travel_s,
        distance_m=metres,
    )


def int_matrices(
    problem: RoutingProblem,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the problem's travel matrices in whole seconds and metres (no-path entries -1)."""
    result = []
    for values in (problem.durations, problem.distances):
        array = np.asarray(values, dtype=np.float64)
        missing = ~np.isfinite(array) | (array < 0)
        rounded = np.rint(np.where(missing, -1.0, array)).astype(np.int64)
        result.append(rounded)
    return result[0], result[1]
