"""What the route solver is asked: jobs, crews and the street matrices between their places.

Everything here is solver-neutral and validated at construction, so a bad request fails with an
:class:`~sitecrew.errors.InvalidInputError` before any solver work starts. Times are whole
seconds since midnight of the plan day, distances whole metres; locations are indices into the
travel matrices (the planning service snaps addresses to street nodes and builds the matrices).

The schedule rules, which the solver model and the independent checker both follow:

- a crew leaves its start place no earlier than its shift start (or ``available_from_s``);
- arriving at a job whose setup group differs from the previous job's (or from the start
  place), the crew first spends the job's ``setup_s``; then it waits for a time window to open,
  starts the work inside a window and works ``ceil(service_s * service_factor)`` seconds;
- the lunch break starts and ends inside the break window, wherever the crew is at that moment;
- the crew is back at its end place by its shift end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sitecrew.routing import _validate


@dataclass(frozen=True)
class JobSpec:
    """A job to visit: where, how long, when, and who may do it.

    ``location`` is ``None`` when the job's address has no reachable street; such a job is
    reported unassigned as unreachable. ``windows`` are ``(open, close)`` bounds on the start of
    the work; none means any time in the crew's shift. ``setup_group`` names the site (building,
    schoolyard) whose setup is paid once for consecutive jobs there; ``None`` makes the job its
    own site. ``priority`` (at least 1) is the job's value: when not all jobs fit, the lowest
    total priority is dropped. ``required`` jobs are never dropped (the plan fails instead).
    """

    id: str
    location: int | None
    service_s: int
    setup_s: int = 0
    setup_group: str | None = None
    windows: tuple[tuple[int, int], ...] = ()
    skills: frozenset[str] = frozenset()
    priority: int = 1
    district: str | None = None
    load: int = 0
    required: bool = False
    #: A promise to a tenant (a binding appointment). A re-plan never drops it when the crews'
    #: current routes with the new bookings inserted keep it (:mod:`sitecrew.routing.seed`).
    booked: bool = False
    #: The crews that may do it (``None``: any crew with the skills and the district); a
    #: campaign visit is held for the crew its sweep gave the day's area to.
    crews: frozenset[str] | None = None
    #: The people the work needs on site (an installation: two); only crews with as many
    #: members at work that day may take it.
    people: int = 1

    def __post_init__(self) -> None:
        _validate.validate_job(self)

    @property
    def site(self) -> str:
        """The key whose change between consecutive jobs costs a setup."""
        return self.setup_group if self.setup_group is not None else f"job:{self.id}"


@dataclass(frozen=True)
class FixedStop:
    """A stop a crew already made or is making; re-planning keeps it as it was.

    ``job_id`` is ``None`` for a break that was already taken.
    """

    location: int
    arrival_s: int
    start_s: int
    departure_s: int
    job_id: str | None = None

    def __post_init__(self) -> None:
        _validate.validate_fixed_stop(self)


@dataclass(frozen=True)
class CrewSpec:
    """A crew's day: depots, shift, lunch, skills and limits.

    ``break_window`` bounds the whole break (start and end); no window or a zero duration means
    no break. ``service_factor`` stretches service times (trainee-heavy crews work slower).
    ``allowed_districts`` restricts contractor crews; ``None`` means anywhere.
    ``excluded_districts`` keeps a crew out of districts another organisation serves alone (the
    housing company's own crews stay out of contractor districts); jobs without a district stay
    open to it. ``max_jobs`` and ``capacity`` (sum of job ``load``) count fixed stops too. When
    ``fixed_stops`` are given the crew continues from the last one's place, not before
    ``available_from_s``.
    """

    id: str
    start_location: int
    end_location: int
    shift_start_s: int
    shift_end_s: int
    break_window: tuple[int, int] | None = None
    break_duration_s: int = 0
    skills: frozenset[str] = frozenset()
    max_jobs: int | None = None
    capacity: int | None = None
    service_factor: float = 1.0
    allowed_districts: frozenset[str] | None = None
    excluded_districts: frozenset[str] = frozenset()
    fixed_stops: tuple[FixedStop, ...] = ()
    available_from_s: int | None = None
    #: How many people the crew has at work that day (``None``: not known, any job's needs).
    people: int | None = None

    def __post_init__(self) -> None:
        _validate.validate_crew(self)

    @property
    def has_break_to_plan(self) -> bool:
        """Whether the solver still has to place a break for this crew."""
        taken = any(s.job_id is None for s in self.fixed_stops)
        return self.break_window is not None and self.break_duration_s > 0 and not taken

    @property
    def ready_s(self) -> int:
        """The earliest time the crew can leave for its next planned stop."""
        times = [self.shift_start_s]
        if self.available_from_s is not None:
            times.append(self.available_from_s)
        times.extend(s.departure_s for s in self.fixed_stops)
        return max(times)

    @property
    def ready_location(self) -> int:
        """Where the crew leaves from for its next planned stop."""
        return self.fixed_stops[-1].location if self.fixed_stops else self.start_location


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """One day's routing question for one region.

    ``durations`` (seconds) and ``distances`` (metres) are square matrices over all locations;
    an entry that is negative, NaN or infinite means there is no street path. The objective is
    ``cost_per_metre * distance + cost_per_second * route duration`` plus the value of dropped
    jobs, which always outweighs any travel saved by dropping them.
    """

    durations: npt.NDArray[np.floating] | npt.NDArray[np.integer]
    distances: npt.NDArray[np.floating] | npt.NDArray[np.integer]
    jobs: tuple[JobSpec, ...]
    crews: tuple[CrewSpec, ...]
    cost_per_metre: int = 1
    cost_per_second: int = 0
    job_index: dict[str, JobSpec] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _validate.validate_problem(self)
        object.__setattr__(self, "job_index", {j.id: j for j in self.jobs})

    def start_site(self, crew: CrewSpec) -> str | None:
        """Return the site a crew stands at when planning resumes (no setup for more work there).

        That is the site of its last fixed job; a crew at its depot stands at no site.
        """
        done = [s.job_id for s in crew.fixed_stops if s.job_id is not None]
        return self.job_index[done[-1]].site if done else None

    @property
    def fixed_job_ids(self) -> frozenset[str]:
        """Jobs already done or in progress, which the solver does not place again."""
        return frozenset(s.job_id for c in self.crews for s in c.fixed_stops if s.job_id)


def service_for(job: JobSpec, crew: CrewSpec) -> int:
    """Return how long ``crew`` works at ``job``: the service time stretched by its factor."""
    return math.ceil(job.service_s * crew.service_factor - 1e-9)


def is_eligible(job: JobSpec, crew: CrewSpec) -> bool:
    """Return whether ``crew`` has the skills, people and district for ``job``, and may take it."""
    return (
        has_skills(job, crew)
        and has_people(job, crew)
        and in_district(job, crew)
        and (job.crews is None or crew.id in job.crews)
    )


def has_skills(job: JobSpec, crew: CrewSpec) -> bool:
    """Return whether ``crew`` has every skill ``job`` needs."""
    return job.skills <= crew.skills


def has_people(job: JobSpec, crew: CrewSpec) -> bool:
    """Return whether ``crew`` has the people ``job`` needs at work (unknown: it has)."""
    return crew.people is None or crew.people >= job.people


def in_district(job: JobSpec, crew: CrewSpec) -> bool:
    """Return whether ``crew`` may work in the district of ``job``.

    An excluded district is out whatever else holds; otherwise unrestricted crews go anywhere,
    including jobs without a district, and restricted crews only into their allowed districts.
    """
    if job.district is not None and job.district in crew.excluded_districts:
        return False
    if crew.allowed_districts is None:
        return True
    return job.district is not None and job.district in crew.allowed_districts
