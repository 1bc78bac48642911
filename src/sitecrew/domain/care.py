"""Care plans: what is done to a furniture model how often, in which season, by whom.

A plan belongs to one product model and one action (``oil``, ``inspect``, ``tighten_fixings``):
the furniture maker knows that a pine bench wants oil every year and its fixings tightened
every other year, and that outdoor oil only cures in dry months. The catalogue's plans are the
defaults of every region; a region may have its own plan for a model and action (which replaces
the default there) and its own season for an action (its dry months differ from Oslo's).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import JobKind, MaintenanceAction
from sitecrew.domain.rules import require_range
from sitecrew.errors import InvalidInputError

#: An action's name: a short lower-case word (``oil``, ``tighten_fixings``).
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,31}")
MAX_INTERVAL_MONTHS = 120
MAX_MINUTES = 8 * 60
MAX_PEOPLE = 10
MONTHS_PER_YEAR = 12


def require_action(action: str) -> None:
    """Raise unless ``action`` is a plan action's name.

    Raises
    ------
    InvalidInputError
        Saying what a name looks like.
    """
    if not isinstance(action, str) or ACTION_PATTERN.fullmatch(action) is None:
        msg = f"a care action is 2-32 lower-case letters, digits or _, got {action!r}"
        raise InvalidInputError(msg)


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by whole months, kept to the month's last day (Jan 31 + 1 = Feb 28)."""
    index = day.year * MONTHS_PER_YEAR + day.month - 1 + months
    year, month = divmod(index, MONTHS_PER_YEAR)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Season:
    """The months (both inclusive) an action may be done in; ``start > end`` wraps the new year."""

    start_month: int
    end_month: int

    def __post_init__(self) -> None:
        require_range(self.start_month, "season start month", low=1, high=12)
        require_range(self.end_month, "season end month", low=1, high=12)

    def contains(self, day: date) -> bool:
        """Tell whether ``day`` lies in the season."""
        if self.start_month <= self.end_month:
            return self.start_month <= day.month <= self.end_month
        return day.month >= self.start_month or day.month <= self.end_month

    def next_start(self, day: date) -> date:
        """Return ``day`` when it is in season, else the first day of the next season."""
        if self.contains(day):
            return day
        start = date(day.year, self.start_month, 1)
        return start if start >= day else date(day.year + 1, self.start_month, 1)

    def end_of(self, day: date) -> date:
        """Return the last day of the season ``day`` lies in (``day`` must be in season)."""
        year = day.year
        if self.start_month > self.end_month and day.month >= self.start_month:
            year += 1
        return date(year, self.end_month, monthrange(year, self.end_month)[1])


@dataclass(frozen=True)
class CarePlan:
    """What is done to every piece of a model: action, cycle, season, minutes, skills, people.

    ``minutes_per_piece`` is the work at each piece; ``setup_minutes`` is paid once per site
    visit (unloading, setting up, cleaning tools), which is why due work is grouped per site.
    ``counted_actions`` are the maintenance records that count as having done this action (an
    oiling visit also looks the piece over, so it counts for an inspection too).
    """

    model_id: int
    action: str
    job_kind: JobKind
    interval_months: int
    minutes_per_piece: int
    setup_minutes: int = 0
    required_skills: frozenset[Skill] = frozenset()
    people: int = 1
    season: Season | None = None
    counted_actions: frozenset[MaintenanceAction] = frozenset()
    region_id: int | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_action(self.action)
        require_range(self.interval_months, "interval (months)", low=1, high=MAX_INTERVAL_MONTHS)
        require_range(self.minutes_per_piece, "minutes per piece", low=1, high=MAX_MINUTES)
        require_range(self.setup_minutes, "setup minutes per site", low=0, high=MAX_MINUTES)
        require_range(self.people, "people", low=1, high=MAX_PEOPLE)

    @property
    def is_default(self) -> bool:
        """Whether this is the catalogue's plan (every region without its own)."""
        return self.region_id is None


@dataclass(frozen=True)
class RegionSeason:
    """A region's own season for an action, replacing the plans' season there."""

    region_id: int
    action: str
    season: Season
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_action(self.action)


#: How long a due window stays open when no season closes it sooner (days).
DUE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class DueWindow:
    """When an item's next action should be done: from ``start`` to ``end``, and how late."""

    start: date
    end: date
    days_overdue: int


def next_action_on(last_done: date | None, installed: date | None, interval_months: int) -> date:
    """Return when an action is next due: after the last time it was done, or installation.

    An item with neither date (an old register row) is due at once: ``date.min`` is before
    any horizon, and :func:`due_window` makes it due today.
    """
    since = last_done or installed
    return date.min if since is None else add_months(since, interval_months)


def due_window(next_on: date, *, today: date, season: Season | None) -> DueWindow:
    """Return the window for work due on ``next_on`` seen on ``today``.

    Overdue work is due now. Seasonal work whose day falls outside the season moves to the
    season's next start (outdoor oil does not cure in wet months), and its window closes with
    the season at the latest.
    """
    overdue = max(0, (today - next_on).days) if next_on > date.min else 0
    start = max(next_on, today)
    if season is not None:
        start = season.next_start(start)
    end = start + timedelta(days=DUE_WINDOW_DAYS)
    if season is not None:
        end = min(end, season.end_of(start))
    return DueWindow(start, end, overdue)


_HORIZON = re.compile(r"\s*(\d{1,3})\s*([dwm]?)\s*")
_UNIT_DAYS = {"d": 1, "": 1, "w": 7, "m": 30}
MAX_HORIZON_DAYS = 366


def parse_horizon(text: str) -> int:
    """Return a horizon's days from ``8w``, ``30d``, ``3m`` (30-day months) or plain days.

    Raises
    ------
    InvalidInputError
        For any other text, or a horizon beyond a year.
    """
    match = _HORIZON.fullmatch(text or "")
    if match is None:
        msg = f"a horizon is a number of days (d), weeks (w) or months (m), e.g. 8w; got {text!r}"
        raise InvalidInputError(msg)
    days = int(match.group(1)) * _UNIT_DAYS[match.group(2)]
    require_horizon(days)
    return days


def require_horizon(days: int) -> None:
    """Raise unless ``days`` is a horizon from 0 days to a year.

    Raises
    ------
    InvalidInputError
        Naming the accepted range.
    """
    require_range(days, "horizon (days)", low=0, high=MAX_HORIZON_DAYS)


_SEASON_TEXT = re.compile(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*")


def parse_season(text: str) -> Season:
    """Return the season ``4-9`` names (April to September; ``11-2`` wraps the new year).

    Raises
    ------
    InvalidInputError
        For any other text, or months outside 1-12.
    """
    match = _SEASON_TEXT.fullmatch(text or "")
    if match is None:
        msg = f"a season is two month numbers, e.g. 4-9 for April to September; got {text!r}"
        raise InvalidInputError(msg)
    return Season(int(match.group(1)), int(match.group(2)))
