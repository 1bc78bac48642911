"""The planning day as the service sees it: the region, its clock, and places before snapping.

Solver times are whole seconds since local midnight of the plan day in the region's time zone
(elapsed seconds, so a daylight-saving change is handled by the time-zone arithmetic here and
nowhere else). Places are deduplicated lon/lat points: the many apartments of one building share
one point, which keeps the travel matrix small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitecrew.errors import ConfigurationError
from sitecrew.routing.problem import CrewSpec, JobSpec


@dataclass(frozen=True)
class DayClock:
    """Converts between solver seconds and aware timestamps for one region and day."""

    day: date
    zone: ZoneInfo

    @classmethod
    def of(cls, day: date, timezone: str) -> DayClock:
        """Return the clock of ``day`` in the IANA zone ``timezone``.

        Raises
        ------
        ConfigurationError
            When the region's time zone is unknown.
        """
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"unknown time zone {timezone!r}") from None
        return cls(day, zone)

    @cached_property
    def midnight(self) -> datetime:
        """Local midnight that starts the day, as an aware UTC timestamp.

        Cached: every stop's window is converted through it (an offers answer converts tens of
        thousands).
        """
        return datetime.combine(self.day, time(0), self.zone).astimezone(UTC)

    def seconds(self, moment: datetime) -> int:
        """Return the seconds from local midnight to ``moment`` (aware or naive UTC)."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return round((aware - self.midnight).total_seconds())

    def seconds_of(self, clock_time: time) -> int:
        """Return the seconds from local midnight to a local wall-clock time of the day."""
        return self.seconds(datetime.combine(self.day, clock_time, self.zone))

    def moment(self, seconds: int) -> datetime:
        """Return the UTC timestamp ``seconds`` after local midnight."""
        return self.midnight + timedelta(seconds=seconds)

    def local_date(self, moment: datetime) -> date:
        """Return the local calendar date of a timestamp (aware or naive UTC)."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).date()


@dataclass
class Points:
    """Distinct lon/lat places, each with the index it will have in the travel matrices."""

    lonlat: list[tuple[float, float]] = field(default_factory=list)
    _index: dict[tuple[float, float], int] = field(default_factory=dict)

    def add(self, lon: float, lat: float) -> int:
        """Return the index of the place at ``(lon, lat)``, adding it when new."""
        key = (round(lon, 7), round(lat, 7))
        if key not in self._index:
            self._index[key] = len(self.lonlat)
            self.lonlat.append(key)
        return self._index[key]


@dataclass(frozen=True)
class RegionInfo:
    """The region being planned: database id, name, street-graph region and time zone.

    ``extract_path`` is set for a region added from its own extract (``sitecrew region add``):
    its street graph is built from that file rather than found in the OSM manifest.
    """

    id: int
    name: str
    street_region: str
    timezone: str
    extract_path: str | None = None


@dataclass(frozen=True)
class DayInput:
    """Everything loaded from the database for one day, before snapping and matrices.

    Job and crew locations are indices into ``points``; ``crew_names`` maps crew ids (as the
    solver spells them) to names, for messages and tables. ``crews_off`` names the crews that
    do not work the day and why (calendar, holiday, absences); they are not in ``crews``.
    """

    region: RegionInfo
    clock: DayClock
    jobs: tuple[JobSpec, ...]
    crews: tuple[CrewSpec, ...]
    points: tuple[tuple[float, float], ...]
    crew_names: dict[str, str]
    crews_off: dict[str, str] = field(default_factory=dict)
    #: Per crew id, its current route's job ids in order (``None``: the break): the plan whose
    #: bookings a re-plan keeps (``routing.solve.solve_problem``'s ``current``).
    current: dict[str, tuple[str | None, ...]] = field(default_factory=dict)

    @property
    def no_crew_note(self) -> str | None:
        """Say why nobody is planned when no crew works the day (``None`` when one does).

        One shared reason is quoted (``no crew works on 2026-05-17 (public holiday:
        Constitution Day)``); differing reasons are listed per crew.
        """
        if self.crews:
            return None
        if not self.crews_off:
            return f"no crew works on {self.clock.day} (the region has no crews)"
        reasons = sorted(set(self.crews_off.values()))
        if len(reasons) == 1:
            return f"no crew works on {self.clock.day} ({reasons[0]})"
        return f"no crew works on {self.clock.day} ({len(self.crews_off)} crews off: " + (
            "; ".join(f"{name}: {why}" for name, why in sorted(self.crews_off.items())) + ")"
        )
