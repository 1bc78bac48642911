"""The seed plan (:mod:`sitecrew.routing.seed`) as a PyVRP solution the search may start from.

Each stop becomes the client standing for it: a job's copy whose window holds the stop's start
on the earliest schedule, and the crew's break at the place where the seed takes it (the model
was given that place as one of the crew's break places). ``None`` when a stop has no such
client; the caller then also asks PyVRP whether the solution is feasible, so a mismatch between
the insertion rules and the solver model can never start the search from a broken plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyvrp import Route, Solution

from sitecrew.routing.insertion import break_place, start_times

if TYPE_CHECKING:
    from collections.abc import Callable

    from sitecrew.routing.model import SolverModel
    from sitecrew.routing.problem import CrewSpec, JobSpec
    from sitecrew.routing.seed import SeedPlan


def solution_from_seed(
    model: SolverModel, plan: SeedPlan, travel: Callable[[int, int], int]
) -> Solution | None:
    """Return ``plan`` as a solution of ``model``; ``None`` when a stop has no client."""
    kinds = {crew.id: (kind, crew) for kind, fleet in enumerate(model.fleets) for crew in fleet}
    clients = _Clients.of(model)
    routes = []
    for crew_id, day in plan.days.items():
        if not day:
            continue
        if crew_id not in kinds:
            return None
        kind, crew = kinds[crew_id]
        visits = _visits(crew, day, clients, travel)
        if visits is None:
            return None
        routes.append(Route(model.data, visits, kind))
    return Solution(model.data, routes)


@dataclass(frozen=True)
class _Clients:
    """Client indices: per job its copies with their windows, per (crew, place) its break."""

    jobs: dict[str, list[tuple[int, int, int]]]
    breaks: dict[tuple[str, int], int]

    @classmethod
    def of(cls, model: SolverModel) -> _Clients:
        jobs: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        breaks: dict[tuple[str, int], int] = {}
        for index, (client, role) in enumerate(zip(model.data.clients(), model.roles, strict=True)):
            if role.job_id is not None:
                jobs[role.job_id].append((index, client.tw_early, client.tw_late))
            elif role.crew_id is not None:
                breaks[role.crew_id, model.places[client.location].matrix_index] = index
        return cls(jobs, breaks)


def _visits(
    crew: CrewSpec,
    day: list[JobSpec | None],
    clients: _Clients,
    travel: Callable[[int, int], int],
) -> list[int] | None:
    """Return the client of each stop of ``crew``'s day; ``None`` when one has none."""
    starts = start_times(crew, day, travel)
    if starts is None:
        return None
    place = break_place(crew, day)
    visits = []
    for stop, start in zip(day, starts, strict=True):
        if stop is None:
            found = None if place is None else clients.breaks.get((crew.id, place))
        else:
            found = next((i for i, o, c in clients.jobs[stop.id] if o <= start <= c), None)
        if found is None:
            return None
        visits.append(found)
    return visits
