"""A day's route plan: which crew visits which job when, and why the rest stays unassigned.

These are the solver's answer in domain terms, so the planning service can persist them and the
API can show them without knowing anything about the solver that produced them. Times are whole
seconds since midnight of the plan day; distances are whole metres.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StopKind(enum.Enum):
    """What a crew does at a stop."""

    JOB = "job"
    BREAK = "break"


class UnassignedReason(enum.Enum):
    """Why a job got no crew, from the most fundamental reason to the least.

    ``CAPACITY`` means the job was possible for some crew on its own but lost out to more valuable
    jobs (or the crews' job limits); every other reason means no crew could do it at all.
    """

    SKILL = "skill"
    DISTRICT = "district"
    UNREACHABLE = "unreachable"
    TIME_WINDOW = "time_window"
    SHIFT_LENGTH = "shift_length"
    CAPACITY = "capacity"


@dataclass(frozen=True)
class PlannedStop:
    """One visit in a crew's route.

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
class CrewRoute:
    """A crew's day: stops in order, when it leaves and returns, and the leg back home.

    A crew without work has no stops; ``start_s == end_s`` then.
    """

    crew_id: str
    stops: tuple[PlannedStop, ...]
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
class UnassignedJob:
    """A job the plan leaves out, with the reason a dispatcher can act on."""

    job_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True)
class DailyPlan:
    """The result of planning one day: a route per crew and the jobs left out.

    ``objective`` is the solver's integer cost (travel cost plus prizes of dropped jobs),
    comparable only between plans of the same problem.
    """

    routes: tuple[CrewRoute, ...]
    unassigned: tuple[UnassignedJob, ...]
    objective: int
    feasible: bool = True
    iterations: int = 0
    runtime_s: float = 0.0

    def route_for(self, crew_id: str) -> CrewRoute | None:
        """Return the route of ``crew_id``, or ``None`` when that crew is not in the plan."""
        return next((r for r in self.routes if r.crew_id == crew_id), None)

    @property
    def assigned_job_ids(self) -> frozenset[str]:
        """Every job id some route visits."""
        return frozenset(j for r in self.routes for j in r.job_ids)
