"""The solver's plan of a day, in solver units, and the vocabulary every plan shares.

Two kinds of plan exist, and they are different things, not two copies of one:

- :class:`SolverPlan` (here) is the solver's answer to one routing problem: whole seconds since
  midnight of the plan day, places as travel-matrix indices, crews and jobs by the solver's text
  ids, no geometry. It lives for one planning run and is never read back.
- :class:`~sitecrew.domain.routes.CrewDayRoute` is what a crew was told: a stored route with
  real (UTC) timestamps, stored points and road legs, in a draft, published or superseded state.

Both share what does not depend on units: :class:`StopKind`, :class:`UnassignedReason` and
:class:`UnassignedJob` are declared here once, and the database models import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StopKind(StrEnum):
    """What a crew does at a stop.

    A solver route holds only ``JOB`` and ``BREAK`` stops; a stored route adds ``START``
    (leaving the depot) and ``END`` (back at the depot).
    """

    START = "start"
    JOB = "job"
    BREAK = "break"
    END = "end"


class UnassignedReason(StrEnum):
    """Why a job got no crew, from the most fundamental reason to the least.

    ``CAPACITY`` means the job was possible for some crew on its own but lost out to more valuable
    jobs (or the crews' job limits); every other reason means no crew could do it at all.
    """

    #: Nobody works that day (a Sunday, a public holiday, every crew absent or off).
    NO_CREW = "no_crew"
    SKILL = "skill"
    DISTRICT = "district"
    UNREACHABLE = "unreachable"
    TIME_WINDOW = "time_window"
    SHIFT_LENGTH = "shift_length"
    CAPACITY = "capacity"


@dataclass(frozen=True)
class UnassignedJob:
    """A job a plan leaves out, with the reason a dispatcher can act on.

    ``job_id`` is the job's id as text: the solver names jobs by text ids, and the planning
    service uses the database key's decimal form, so a solved and a stored plan compare equal.
    """

    job_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True)
class SolverStop:
    """One visit in a solver route (solver units).

    ``arrival_s`` is when the crew gets there, ``start_s`` when the work (or break) starts after
    any setup and waiting, ``departure_s`` when it leaves. ``travel_s`` and ``distance_m`` are for
    the leg that leads here from the previous stop (or the start place). ``location`` is the
    matrix index of the place. ``fixed`` stops were already done or in progress when planning.
    """

    kind: StopKind
    job_id: str | None
    sequence: int
    location: int
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int
    distance_m: int
    fixed: bool = False


@dataclass(frozen=True)
class SolverRoute:
    """A crew's day as the solver planned it: stops in order, departure, return, leg home.

    A crew without work has no stops; ``start_s == end_s`` then.
    """

    crew_id: str
    stops: tuple[SolverStop, ...]
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int
    return_travel_s: int = 0
    return_distance_m: int = 0

    @property
    def job_ids(self) -> tuple[str, ...]:
        """The visited job ids in order, fixed ones included."""
        return tuple(s.job_id for s in self.stops if s.job_id is not None)


@dataclass(frozen=True)
class SolverPlan:
    """The solver's answer for one day: a route per crew and the jobs left out.

    ``objective`` is the solver's integer cost (travel cost plus prizes of dropped jobs),
    comparable only between plans of the same problem.
    """

    routes: tuple[SolverRoute, ...]
    unassigned: tuple[UnassignedJob, ...]
    objective: int
    feasible: bool = True
    iterations: int = 0
    runtime_s: float = 0.0

    def route_for(self, crew_id: str) -> SolverRoute | None:
        """Return the route of ``crew_id``, or ``None`` when that crew is not in the plan."""
        return next((r for r in self.routes if r.crew_id == crew_id), None)

    @property
    def assigned_job_ids(self) -> frozenset[str]:
        """Every job id some route visits."""
        return frozenset(j for r in self.routes for j in r.job_ids)
