"""Lunch breaks as solver visits: a few candidate places per crew, owned by that crew only.

PyVRP has no native breaks, so a break is a required group of optional visits ("pause here"),
one per candidate place, and exactly one of them is taken. Two choices keep this solvable when
many crews have a break (measured: 10 crews x 150 jobs had no feasible plan when every crew could
pause at every job's place and a per-crew load dimension kept crews off each other's breaks):

- **Few candidates per crew**: its depots plus :data:`BREAK_PLACES` places picked by
  farthest-point sampling among the places of the jobs it may do around lunch time, so wherever
  the crew is at noon a candidate is near, and the search space stays small.
- **Ownership by profile**: a break place belongs to one crew and is prohibitive in every other
  crew's routing profile (see ``_places``), which the solver handles far better than load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pyvrp import Client

from sitecrew.routing._clients import ClientRole
from sitecrew.routing._places import Place
from sitecrew.routing.problem import is_eligible

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from sitecrew.routing._clients import ClientSet, Dims
    from sitecrew.routing.problem import CrewSpec, JobSpec

BREAK_PLACES = 12
"""Candidate break places per crew besides its depots (detours stay a few minutes in a city)."""

LUNCH_REACH_S = 3600
"""A job whose window closes at most this long before lunch still tells where the crew may be."""


def break_places(
    crews: list[CrewSpec],
    jobs: tuple[JobSpec, ...],
    durations: npt.NDArray[np.int64],
    *,
    extra: Mapping[str, int] | None = None,
) -> list[Place]:
    """Return each crew's own candidate break places (matrix indices into ``durations``).

    ``extra`` adds one place per crew id: where the plan the search may start from takes that
    crew's break (where the crew is at lunch, which need not be a sampled place).
    """
    places = []
    for crew in crews:
        spots = break_spots(crew, jobs, durations)
        more = (extra or {}).get(crew.id)
        if more is not None and more not in spots:
            spots.append(more)
        places += [Place(spot, None, is_break=True, owner=crew.id) for spot in spots]
    return places


def break_spots(
    crew: CrewSpec, jobs: tuple[JobSpec, ...], durations: npt.NDArray[np.int64]
) -> list[int]:
    """Return where ``crew`` may take its break: its depots, then spread-out job places."""
    eligible = [j for j in jobs if j.location is not None and is_eligible(j, crew)]
    near = [j for j in eligible if _near_lunch(j, crew)] or eligible
    candidates = sorted({j.location for j in near if j.location is not None})
    seeds = list(dict.fromkeys([crew.ready_location, crew.end_location]))
    return seeds + farthest_points(durations, candidates, seeds=seeds, count=BREAK_PLACES)


def farthest_points(
    durations: npt.NDArray[np.int64], candidates: list[int], *, seeds: list[int], count: int
) -> list[int]:
    """Pick up to ``count`` candidates, each the farthest (round trip) from those picked so far.

    Farthest-point sampling is a 2-approximation of the k-centre problem: every candidate ends
    up within twice the best possible distance of a picked place.
    """
    if not candidates:
        return []
    cand = np.asarray(candidates, dtype=np.int64)
    start = np.asarray(seeds, dtype=np.int64)
    out: npt.NDArray[np.int64] = durations[np.ix_(start, cand)]
    back: npt.NDArray[np.int64] = durations[np.ix_(cand, start)]
    there_and_back = out + back.T
    nearest = there_and_back.min(axis=0).astype(np.float64)
    chosen: list[int] = []
    while len(chosen) < count:
        best = int(np.argmax(nearest))
        if nearest[best] <= 0:
            break
        chosen.append(int(cand[best]))
        trip = durations[cand[best], cand] + durations[cand, cand[best]]
        nearest = np.minimum(nearest, trip)
    return chosen


def _near_lunch(job: JobSpec, crew: CrewSpec) -> bool:
    """Return whether the crew could be at ``job`` around its lunch window."""
    if not job.windows or crew.break_window is None:
        return True
    open_s, close_s = crew.break_window
    return any(o <= close_s and c >= open_s - LUNCH_REACH_S for o, c in job.windows)


def add_break_clients(
    clients: ClientSet, crews: list[CrewSpec], places: list[Place], dims: Dims
) -> None:
    """Add each crew's break as a required group of optional visits at its own places."""
    for crew in crews:
        if crew.break_window is None:
            continue
        open_s, close_s = crew.break_window
        members = [
            Client(
                location=index,
                delivery=dims.vector(),
                service_duration=crew.break_duration_s,
                tw_early=open_s,
                tw_late=close_s - crew.break_duration_s,
                required=False,
            )
            for index, place in enumerate(places)
            if place.is_break and place.owner == crew.id
        ]
        clients.add_group(members, ClientRole(None, crew.id), required=True)
