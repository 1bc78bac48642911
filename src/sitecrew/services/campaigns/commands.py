"""What the campaign use cases take and return (plain values, checked when made).

Commands check what they can alone (a name, dates in order, one kind of scope); the use cases
check what needs the database (ids exist, lie in the campaign's region, homes are free).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sitecrew.domain.campaigns import MAX_CONFIDENCE, CampaignStatus, HomeState, VisitOutcome
from sitecrew.domain.jobs import JobKind
from sitecrew.domain.rules import optional_notes, require_plausible_date, require_range
from sitecrew.errors import InvalidInputError

#: The most failed attempts a campaign may allow a home before escalating it.
MAX_FAILED_ATTEMPTS = 20
#: A campaign names at most this many ids of one kind (the demo region has 22,010 flats).
MAX_SCOPE_IDS = 50_000
#: Days a failed visit waits by default before its re-visit. The tenant is told at once (the
#: missed-visit message lists new times), and the crew is still in the neighbourhood two days
#: on, while a week later it has moved on; at the campaign's end a week's wait per failed
#: attempt would keep crews out for weeks for a handful of homes.
REVISIT_AFTER_DAYS = 2
#: A campaign is re-planned at least this often: a plan's first days take only the re-visits
#: known when it is made (the next re-plan places the rest), so they keep no re-visit share.
REPLAN_WITHIN_DAYS = 7


@dataclass(frozen=True)
class CreateCampaign:
    """A new campaign of a region over exactly one kind of scope: districts, buildings or flats."""

    region_id: int
    name: str
    start_on: date
    deadline_on: date
    crew_ids: tuple[int, ...] = ()
    district_ids: tuple[int, ...] = ()
    building_ids: tuple[int, ...] = ()
    apartment_ids: tuple[int, ...] = ()
    job_kind: JobKind = JobKind.INSTALL_MEDIA_BOX
    minutes_per_home: float = 30.0
    setup_minutes_per_entrance: float = 10.0
    visits_per_crew_day: int = 14
    revisit_share: float = 0.1
    max_failed_attempts: int = 3
    window_minutes: int = 120
    #: Share of crew-days that should end within the shift (0.5: plan the mean attempt).
    on_time_confidence: float = 0.8

    def __post_init__(self) -> None:
        name = self.name.strip()
        if not name or len(name) > 200:  # noqa: PLR2004 (the column's length)
            raise InvalidInputError("a campaign needs a name of 1 to 200 characters")
        require_plausible_date(self.start_on, "campaign start")
        require_plausible_date(self.deadline_on, "campaign deadline")
        if self.deadline_on < self.start_on:
            msg = f"the deadline ({self.deadline_on}) lies before the start ({self.start_on})"
            raise InvalidInputError(msg)
        kinds = [k for k in (self.district_ids, self.building_ids, self.apartment_ids) if k]
        if len(kinds) != 1:
            msg = "name exactly one kind of scope: districts, buildings or apartments"
            raise InvalidInputError(msg)
        if len(kinds[0]) > MAX_SCOPE_IDS:
            raise InvalidInputError(f"a scope names at most {MAX_SCOPE_IDS} ids")
        require_range(self.minutes_per_home, "minutes per home", low=1, high=8 * 60)
        require_range(self.setup_minutes_per_entrance, "setup minutes", low=0, high=4 * 60)
        require_range(self.visits_per_crew_day, "visits per crew-day", low=1, high=200)
        require_range(self.revisit_share, "re-visit share", low=0, high=0.9)
        require_range(
            self.max_failed_attempts, "max failed attempts", low=1, high=MAX_FAILED_ATTEMPTS
        )
        require_range(self.window_minutes, "window minutes", low=15, high=12 * 60)
        require_range(self.on_time_confidence, "on-time confidence", low=0.5, high=MAX_CONFIDENCE)


@dataclass(frozen=True)
class PlanCampaign:
    """Plan (or re-plan) the sweep from ``from_day``; confirmed windows move only if told."""

    campaign_id: int
    from_day: date
    move_confirmed: bool = False

    def __post_init__(self) -> None:
        require_plausible_date(self.from_day, "plan from")


@dataclass(frozen=True)
class MaterialiseDay:
    """Turn one day's proposed and confirmed visits of a campaign into jobs with appointments."""

    campaign_id: int
    day: date

    def __post_init__(self) -> None:
        require_plausible_date(self.day, "day")


@dataclass(frozen=True)
class ReturnUnfitted:
    """Give back to the sweep the campaign visits a day plan left out.

    ``run_id``: every job the planning run recorded as unassigned; ``job_ids``: these jobs
    (both may be given). Jobs that belong to no open campaign visit are ignored.
    """

    run_id: int | None = None
    job_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.run_id is None and not self.job_ids:
            raise InvalidInputError("name a planning run or the jobs the day plan left out")


@dataclass(frozen=True)
class RecordVisitOutcome:
    """How a visit ended, with the actual start and end (timezone-aware).

    ``version``: the visit's version as read (optional: a crew recording from the field may not
    have one); ``revisit_after_days``: how long a failed visit waits for its re-visit.
    """

    visit_id: int
    outcome: VisitOutcome
    started_at: datetime
    ended_at: datetime
    notes: str | None = None
    version: int | None = None
    revisit_after_days: int = REVISIT_AFTER_DAYS

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None or self.ended_at.tzinfo is None:
            raise InvalidInputError("a visit's start and end must carry a timezone")
        require_plausible_date(self.started_at, "visit start")
        require_plausible_date(self.ended_at, "visit end")
        if self.ended_at < self.started_at:
            raise InvalidInputError("a visit must not end before it starts")
        optional_notes(self.notes, "visit notes")
        require_range(self.revisit_after_days, "days before a re-visit", low=1, high=90)


@dataclass(frozen=True)
class ConfirmVisitWindow:
    """The tenant knows the home's proposed window: re-planning leaves it alone from now on."""

    home_id: int
    version: int | None = None


@dataclass(frozen=True)
class CampaignInfo:
    """A stored campaign: its settings, crews and how many homes it holds."""

    id: int
    region_id: int
    name: str
    job_kind: JobKind
    minutes_per_home: float
    setup_minutes_per_entrance: float
    start_on: date
    deadline_on: date
    visits_per_crew_day: int
    revisit_share: float
    max_failed_attempts: int
    window_minutes: int
    status: CampaignStatus
    version: int
    crew_ids: tuple[int, ...]
    homes: int
    door_share: float = 0.0
    door_minutes: float = 5.0
    visit_minutes_sd: float = 0.0
    on_time_confidence: float = 0.8


@dataclass(frozen=True)
class HomeInfo:
    """One home of a campaign as stored (window in UTC)."""

    id: int
    campaign_id: int
    apartment_id: int
    state: HomeState
    attempts: int
    failed_attempts: int
    day: date | None
    crew_id: int | None
    window_start: datetime | None
    window_end: datetime | None
    visit_order: int | None
    earliest_on: date | None
    last_outcome: VisitOutcome | None
    version: int


@dataclass(frozen=True)
class PlanSummary:
    """What a (re-)plan did: homes placed (kept ones among them), unplaced by reason, days used.

    ``minutes_per_home`` and ``setup_minutes_per_entrance`` are the service time model the plan
    used (learned from ``timed_visits`` recorded durations when there were enough);
    ``minutes_off_per_day`` and ``minutes_between_buildings`` the day budget it packed crew-days
    by (learned from ``routed_legs`` legs of the campaign's published routes, else defaults);
    ``planned_minutes_per_visit`` what it gave each attempt (door share and reserve included).
    """

    campaign_id: int
    placed: int
    kept: int
    unplaced: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    minutes_per_home: float | None = None
    setup_minutes_per_entrance: float | None = None
    timed_visits: int = 0
    minutes_off_per_day: float | None = None
    minutes_between_buildings: float | None = None
    routed_legs: int = 0
    #: Share of attempts ending at the door, and the minutes the plan gave each attempt.
    door_share: float | None = None
    planned_minutes_per_visit: float | None = None

    @property
    def unplaced_total(self) -> int:
        """How many homes the sweep could not place."""
        return sum(self.unplaced.values())


@dataclass(frozen=True)
class MaterialisedDay:
    """The jobs, appointments and visits a day's materialisation created (none the 2nd time)."""

    campaign_id: int
    day: date
    visit_ids: tuple[int, ...]
    job_ids: tuple[int, ...]


@dataclass(frozen=True)
class VisitInfo:
    """One campaign visit as stored."""

    id: int
    campaign_home_id: int
    job_id: int | None
    day: date
    crew_id: int
    window_start: datetime
    window_end: datetime
    attempt: int
    outcome: VisitOutcome | None
    started_at: datetime | None
    ended_at: datetime | None
    notes: str | None
    version: int
