"""Turn a :class:`RoutingProblem` into PyVRP problem data, remembering what each index means.

Modelling choices (each verified by the tests through the independent checker):

- **Max jobs and van capacity** are load dimensions (a job delivers 1 job and its ``load``).
- **Skills, districts and trainee speed** are routing profiles, one per distinct combination.
- **Lunch** is a required, mutually exclusive group of optional break visits per crew at a few
  places of its own (its depots and spread-out places of its lunch-time jobs); each crew with a
  break has its own profile, in which only its own break places are enterable (see ``_breaks``).
- **Optional jobs** carry a prize of ``priority`` times a unit larger than any route's cost, so
  only jobs that do not fit are dropped, the least valuable first.
- **Several time windows** become a mutually exclusive group of copies, one per window.
- **Identical crews without breaks** share a vehicle type, which the solver handles best.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyvrp import Depot, Location, ProblemData, VehicleType

from sitecrew.routing._breaks import add_break_clients, break_places
from sitecrew.routing._clients import ClientRole, ClientSet, Dims, add_job_clients
from sitecrew.routing._places import Place, Profile, base_matrices, profile_matrices
from sitecrew.routing.problem import CrewSpec, is_eligible
from sitecrew.routing.units import PROHIBITIVE, matrix_to_solver, prize_unit_for

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np
    import numpy.typing as npt

    from sitecrew.routing.problem import JobSpec, RoutingProblem


@dataclass(frozen=True, eq=False)
class SolverModel:
    """PyVRP data plus the maps back to jobs, crews and matrix indices.

    ``fleets[v]`` are the crews behind vehicle type ``v``; ``roles[c]`` says what client ``c``
    stands for; ``places[l]`` is solver location ``l``.
    """

    data: ProblemData
    places: tuple[Place, ...]
    roles: tuple[ClientRole, ...]
    fleets: tuple[tuple[CrewSpec, ...], ...]


def crews_to_route(problem: RoutingProblem, jobs: tuple[JobSpec, ...]) -> tuple[CrewSpec, ...]:
    """Return the crews that could still take one of ``jobs`` today."""
    return tuple(
        crew
        for crew in problem.crews
        if crew.ready_s < crew.shift_end_s and any(is_eligible(j, crew) for j in jobs)
    )


def plans_break(crew: CrewSpec) -> bool:
    """Return whether the solver must still fit this crew's break (there is time left for it)."""
    if not crew.has_break_to_plan or crew.break_window is None:
        return False
    return crew.ready_s <= crew.break_window[1] - crew.break_duration_s


def model_from_problem(
    problem: RoutingProblem,
    *,
    jobs: tuple[JobSpec, ...],
    break_spots: Mapping[str, int] | None = None,
) -> SolverModel:
    """Return the PyVRP model of ``problem`` restricted to the jobs still to place.

    Parameters
    ----------
    problem
        The validated routing problem.
    jobs
        The jobs the solver may place (not fixed, not already known to be impossible).
    break_spots
        One more break place per crew id (matrix index): where the plan the search starts
        from takes that crew's break.

    Returns
    -------
    SolverModel
        Problem data and the index maps needed to read a solution back.
    """
    crews = crews_to_route(problem, jobs)
    fleets = _fleets(problem, crews)
    breakers = [c for c in crews if plans_break(c)]
    dims = Dims(
        load=any(j.load for j in jobs) and any(c.capacity is not None for c in crews),
        count=any(c.max_jobs is not None for c in crews),
    )
    durations = matrix_to_solver(problem.durations, name="durations")
    places = _depot_places(problem, crews)
    first_job = len(places)
    places += [Place(j.location or 0, j.site, job=j) for j in jobs]
    places += break_places(breakers, jobs, durations, extra=break_spots)
    base = base_matrices(places, durations, matrix_to_solver(problem.distances, name="distances"))
    profiles = {_profile(f[0], jobs): f[0] for f in fleets}
    cap = max(c.shift_end_s for c in crews) + 1
    matrices = [profile_matrices(p, places, base, c, cap=cap) for p, c in profiles.items()]
    clients = ClientSet([], [], [])
    add_job_clients(clients, jobs, first_job, dims, _prize_unit(problem, crews, base, jobs))
    add_break_clients(clients, breakers, places, dims)
    order = list(profiles)
    vehicle_types = [
        _vehicle_type(
            problem,
            f,
            places=places,
            dims=dims,
            profile=order.index(_profile(f[0], jobs)),
            jobs=jobs,
        )
        for f in fleets
    ]
    distance_matrices: list[Any] = [m[1] for m in matrices]
    duration_matrices: list[Any] = [m[0] for m in matrices]
    data = ProblemData(
        locations=[Location(x=0, y=0) for _ in places],
        clients=clients.clients,
        depots=[Depot(location=i) for i in range(first_job)],
        vehicle_types=vehicle_types,
        distance_matrices=distance_matrices,
        duration_matrices=duration_matrices,
        groups=clients.groups,
    )
    return SolverModel(data, tuple(places), tuple(clients.roles), tuple(fleets))


def _profile(crew: CrewSpec, jobs: tuple[JobSpec, ...]) -> Profile:
    return Profile.of(crew, jobs, with_break=plans_break(crew))


def _fleets(problem: RoutingProblem, crews: tuple[CrewSpec, ...]) -> list[tuple[CrewSpec, ...]]:
    """Group interchangeable crews; a crew with a break to place is always alone."""
    groups: dict[object, list[CrewSpec]] = {}
    for crew in crews:
        key: object = (
            crew.ready_location,
            problem.start_site(crew),
            crew.end_location,
            crew.ready_s,
            crew.shift_end_s,
            remaining_limits(problem, crew),
            crew.service_factor,
            crew.skills,
            crew.people,
            crew.allowed_districts,
            crew.excluded_districts,
            frozenset(j.id for j in problem.jobs if j.crews is not None and crew.id in j.crews),
        )
        if plans_break(crew):
            key = crew.id
        groups.setdefault(key, []).append(crew)
    return [tuple(g) for g in groups.values()]


def remaining_limits(problem: RoutingProblem, crew: CrewSpec) -> tuple[int | None, int | None]:
    """Return how many jobs and how much load the crew can still take after its fixed stops."""
    fixed = [problem.job_index[s.job_id] for s in crew.fixed_stops if s.job_id is not None]
    jobs = None if crew.max_jobs is None else max(crew.max_jobs - len(fixed), 0)
    load = None if crew.capacity is None else max(crew.capacity - sum(j.load for j in fixed), 0)
    return jobs, load


def _depot_places(problem: RoutingProblem, crews: tuple[CrewSpec, ...]) -> list[Place]:
    """Return one place per distinct start or end point (resume points keep their site)."""
    places: dict[tuple[int, str | None], Place] = {}
    for crew in crews:
        start = (crew.ready_location, problem.start_site(crew))
        places.setdefault(start, Place(start[0], start[1]))
        places.setdefault((crew.end_location, None), Place(crew.end_location, None))
    return list(places.values())


def _prize_unit(
    problem: RoutingProblem,
    crews: tuple[CrewSpec, ...],
    base: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    jobs: tuple[JobSpec, ...],
) -> int:
    """Return one priority point's value: above the most that inserting any job can cost.

    A detour costs at most two of the longest legs plus a whole day of duration cost, so with a
    larger prize the solver never drops a job it could fit just to save travel.
    """
    usable = base[1][base[1] < PROHIBITIVE]
    longest_leg = int(usable.max()) if usable.size else 0
    longest_day = max((c.shift_end_s - c.ready_s for c in crews), default=0)
    insertion = 2 * problem.cost_per_metre * longest_leg + problem.cost_per_second * longest_day
    return prize_unit_for(
        largest_route_cost=insertion, total_priority=sum(j.priority for j in jobs)
    )


def _vehicle_type(
    problem: RoutingProblem,
    fleet: tuple[CrewSpec, ...],
    *,
    places: list[Place],
    dims: Dims,
    profile: int,
    jobs: tuple[JobSpec, ...],
) -> VehicleType:
    """Return the vehicle type of a fleet of interchangeable crews."""
    crew = fleet[0]
    max_jobs, capacity = remaining_limits(problem, crew)
    vector = dims.vector(
        load=sum(j.load for j in jobs) + 1 if capacity is None else capacity,
        count=len(jobs) + 1 if max_jobs is None else max_jobs,
    )
    return VehicleType(
        num_available=len(fleet),
        capacity=vector,
        start_depot=places.index(Place(crew.ready_location, problem.start_site(crew))),
        end_depot=places.index(Place(crew.end_location, None)),
        tw_early=crew.ready_s,
        tw_late=crew.shift_end_s,
        unit_distance_cost=problem.cost_per_metre,
        unit_duration_cost=problem.cost_per_second,
        profile=profile,
        name=crew.id,
    )
