"""Stored day plans as the API and CLI read them: runs, and routes with their stops.

:mod:`sitecrew.domain.plans` holds the solver's plan in solver units (seconds since midnight,
matrix indices); these types are what a crew was told, as stored: real timestamps in the
region's time zone (so 07:30 reads as 07:30+02:00 in an Oslo summer), each stop's point as it was
when planned, and the road legs, so a resolver or an export can show a crew's day without the
solver, the street graph or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from shapely.geometry import LineString, Point

from sitecrew.domain.plans import StopKind
from sitecrew.errors import InvalidInputError


class RunState(StrEnum):
    """Where a planning run is: waiting, working, or finished one way or the other."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: Stopped at a planner's request: before it started, or at its next progress check.
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the run will not change any more."""
        return self in {RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED}


class RunKind(StrEnum):
    """What a run plans: a day's routes, a campaign's sweep, or an expansion scenario."""

    DAY = "day"
    CAMPAIGN = "campaign"
    EXPANSION = "expansion"


class RouteState(StrEnum):
    """A route is drafted by the planner, published to the crew, or superseded by a newer one."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class PlanOptions:
    """How to plan a day: the solver's seed and stopping rule, and whether to publish at once.

    At least one of ``time_limit_s`` and ``max_iterations`` stops the solver (tests use
    iterations, which are deterministic). ``now`` re-plans during the day: stops already done or
    in progress stay fixed and the crews continue from there no earlier than ``now``.
    """

    seed: int = 1
    time_limit_s: float | None = 5.0
    max_iterations: int | None = None
    publish: bool = False
    now: datetime | None = None

    def __post_init__(self) -> None:
        if self.time_limit_s is None and self.max_iterations is None:
            raise InvalidInputError("give a time limit or an iteration limit: a plan must stop")
        if self.time_limit_s is not None and not 0 < self.time_limit_s <= 3600:  # noqa: PLR2004
            raise InvalidInputError(f"time limit must be in (0, 3600] s, got {self.time_limit_s}")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise InvalidInputError("max_iterations must be at least 1")
        if self.now is not None and self.now.tzinfo is None:
            raise InvalidInputError("now must be time-zone aware")

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> PlanOptions:
        """Return options stored by :meth:`to_json` (unknown keys are ignored)."""
        now = values.get("now")
        return cls(
            seed=int(values.get("seed", 1)),
            time_limit_s=values.get("time_limit_s"),
            max_iterations=values.get("max_iterations"),
            publish=bool(values.get("publish", False)),
            now=None if now is None else datetime.fromisoformat(now),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the options as JSON-safe values (stored with the run)."""
        return {
            "seed": self.seed,
            "time_limit_s": self.time_limit_s,
            "max_iterations": self.max_iterations,
            "publish": self.publish,
            "now": None if self.now is None else self.now.isoformat(),
        }


@dataclass(frozen=True)
class PlanningRunInfo:
    """A planning run as a client polls it: status, progress 0..1, current step, result summary.

    A run of kind ``campaign`` plans a campaign's sweep instead of a day's routes: same queue,
    states, progress, deadline and attempts; its summary holds the campaign plan's counts.

    ``summary`` holds counts (``routes``, ``visits``, ``unassigned``, ``by_reason``), the
    solver's ``objective``, per-stage ``timings_s`` and the crews off that day (``crews_off``);
    ``message`` says why a run failed, or why a succeeded one planned nobody (no crew works).
    """

    id: int
    #: None only for an expansion run of a region known only by its extract.
    region_id: int | None
    service_date: date
    state: RunState
    progress: float
    step: str | None
    message: str | None
    options: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    #: A campaign run sweeps ``campaign_id`` from ``service_date`` (its summary is the plan's).
    kind: RunKind = RunKind.DAY
    campaign_id: int | None = None
    #: An expansion run computes the scenario ``scenario_id`` (its result is on the scenario).
    scenario_id: int | None = None


@dataclass(frozen=True)
class StopTarget:
    """What a job stop is about: the job and its furniture item, apartment or site.

    ``site_id`` is the site worked at: the job's own site, or the site a furniture item stands
    in; ``building_id`` is the building of a visited apartment; ``address`` is the street
    address a crew looks for (the building's or the site's), when one is known.
    """

    job_id: int
    kind: str
    furniture_id: int | None
    apartment_id: int | None
    site_id: int | None
    label: str
    building_id: int | None = None
    address: str | None = None


@dataclass(frozen=True)
class RouteStop:
    """One stop of a stored route: where and when, and the road leg that leads to it.

    ``location`` is the point the crew was sent to, stored when the route was planned (the
    depot for ``START`` and ``END``, where the crew is for a ``BREAK``), so moving the target
    later does not move the stop. ``travel_s`` and ``distance_m`` are for the leg (the distance
    of the driven, fastest path); the ``START`` stop has no leg.
    """

    sequence: int
    kind: StopKind
    arrival_at: datetime
    departure_at: datetime
    travel_s: int
    distance_m: int
    fixed: bool
    location: Point | None
    leg: LineString | None
    target: StopTarget | None = None
    #: The street address: the target's for a job, the depot's for ``START`` and ``END``.
    address: str | None = None

    @property
    def job_id(self) -> int | None:
        """The job done here, if any."""
        return None if self.target is None else self.target.job_id


@dataclass(frozen=True)
class CrewDayRoute:
    """A crew's stored route for one day, stops in order (``START`` first, ``END`` last).

    ``timezone`` is the IANA zone of the crew's region, the zone every stop time is given in.
    """

    route_id: int
    crew_id: int
    crew_name: str
    service_date: date
    state: RouteState
    run_id: int | None
    travel_s: int
    distance_m: int
    stops: tuple[RouteStop, ...] = field(default=())
    timezone: str = "UTC"

    @property
    def job_ids(self) -> tuple[int, ...]:
        """The visited jobs in order."""
        return tuple(s.target.job_id for s in self.stops if s.target is not None)
