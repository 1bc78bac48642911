"""An independent check of a day's published routes, for the campaign replay.

It reads the stored routes and their stops straight from the tables and checks them against the
rows that state the rules (crews, members, districts, appointments), with rules written out here
again on purpose: nothing is imported from the planner, its validation or the calendar code, so
a bug there cannot hide itself. Swedish public holidays come from the ``holidays`` package.

Checked per published route of the day:

- **calendar**: the crew works that day (Monday to Friday, no public holiday, every member's
  training completed, within the crew's active dates);
- **shift**: the route leaves the depot at or after the shift's start and is back by its end;
- **timeline**: stops in sequence never overlap (arrival not before the previous departure);
- **break**: a route with work spanning the lunch window takes exactly one break of at least
  the crew's lunch minutes, starting between ``lunch_earliest`` and ``lunch_latest``;
- **windows**: every job stop of a job with a live appointment starts its work within the
  window: the crew arrives by the window's end, and does not finish the job's planned minutes
  before the window opens (so the work itself is not done before the tenant expects it);
- **districts**: a home in a district the contractor owns is visited only by that contractor's
  crews, and a contractor's crew visits only the districts it owns;
- **once**: no home (apartment) appears twice in the day's routes, no job twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Seconds of rounding allowed when comparing stored times.
SLACK_S = 1


@dataclass
class DayCheck:
    """What the check of one day found: routes and stops seen, and each broken rule."""

    day: date
    routes: int = 0
    stops: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        """Whether the day's routes break no rule."""
        return not self.problems

    def by_rule(self) -> dict[str, int]:
        """Count the problems per rule (the text before the first colon)."""
        return dict(Counter(p.split(":", 1)[0] for p in self.problems))


def _utc(value: Any) -> datetime:
    """Read a stored timestamp (SQLite gives text or naive datetimes in UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _clock(value: Any) -> tuple[int, int]:
    text_value = str(value)
    hours, minutes = text_value.split(":")[:2]
    return int(hours), int(minutes)


def check_day(session: Session, day: date, *, country: str = "SE") -> DayCheck:
    """Check the published routes of ``day`` (see the module docstring for the rules)."""
    result = DayCheck(day)
    tz = ZoneInfo(session.execute(text("SELECT timezone FROM regions LIMIT 1")).scalar_one())
    routes = session.execute(
        text(
            "SELECT r.id, r.crew_id, c.shift_start, c.shift_end, c.lunch_minutes,"
            " c.lunch_earliest, c.lunch_latest, c.organisation_id, o.kind,"
            " c.active_from, c.active_until"
            " FROM routes r JOIN crews c ON c.id = r.crew_id"
            " LEFT JOIN organisations o ON o.id = c.organisation_id"
            " WHERE r.service_date = :day AND r.status = 'published' ORDER BY r.id"
        ),
        {"day": day},
    ).all()
    owners = _district_owners(session)
    seen_homes: dict[int, int] = {}
    seen_jobs: set[int] = set()
    off = holidays.country_holidays(country, years=[day.year])
    for route in routes:
        result.routes += 1
        stops = _stops(session, route.id)
        result.stops += len(stops)
        crew = f"crew {route.crew_id}"
        _check_calendar(session, result, route, crew, day, off)
        local = {
            "start": datetime.combine(day, _time(route.shift_start), tz),
            "end": datetime.combine(day, _time(route.shift_end), tz),
        }
        _check_shift(result, stops, crew, local)
        _check_timeline(result, stops, crew)
        _check_break(result, stops, crew, route, day, tz)
        contractor = route.organisation_id if route.kind == "contractor" else None
        for stop in stops:
            if stop.kind != "job":
                continue
            if stop.job_id in seen_jobs:
                result.problems.append(f"once: job {stop.job_id} twice on {day}")
            seen_jobs.add(stop.job_id)
            apartment = stop.apartment_id
            if apartment is not None:
                if apartment in seen_homes:
                    result.problems.append(f"once: apartment {apartment} twice on {day}")
                seen_homes[apartment] = route.crew_id
            owner = owners.get(stop.district_id)
            if owner is not None and owner != contractor:
                result.problems.append(
                    f"districts: {crew} visits apartment {apartment} of contractor {owner}"
                )
            if contractor is not None and owner != contractor:
                result.problems.append(
                    f"districts: contractor {crew} outside its districts (apartment {apartment})"
                )
            _check_windows(session, result, stop, crew)
    return result


def _time(value: Any) -> time:
    hours, minutes = _clock(value)
    return time(hours, minutes)


def _district_owners(session: Session) -> dict[int, int]:
    rows = session.execute(
        text("SELECT id, contractor_id FROM districts WHERE contractor_id IS NOT NULL")
    )
    return dict(rows.tuples().all())


@dataclass(frozen=True)
class _Stop:
    sequence: int
    kind: str
    job_id: int | None
    arrival: datetime
    departure: datetime
    apartment_id: int | None
    district_id: int | None
    minutes: int


def _stops(session: Session, route_id: int) -> list[_Stop]:
    rows = session.execute(
        text(
            "SELECT s.sequence, s.kind, s.job_id, s.arrival_at, s.departure_at, j.apartment_id,"
            " COALESCE(a.district_id, b.district_id), j.duration_minutes"
            " FROM route_stops s LEFT JOIN jobs j ON j.id = s.job_id"
            " LEFT JOIN apartments a ON a.id = j.apartment_id"
            " LEFT JOIN buildings b ON b.id = a.building_id"
            " WHERE s.route_id = :route ORDER BY s.sequence"
        ),
        {"route": route_id},
    )
    return [
        _Stop(row[0], row[1], row[2], _utc(row[3]), _utc(row[4]), row[5], row[6], int(row[7] or 0))
        for row in rows
    ]


def _check_calendar(  # noqa: PLR0917 (the route's facts, all needed)
    session: Session, result: DayCheck, route: Any, crew: str, day: date, off: Any
) -> None:
    if day.weekday() >= 5:
        result.problems.append(f"calendar: {crew} works on a weekend day {day}")
    if day in off:
        result.problems.append(f"calendar: {crew} works on public holiday {off.get(day)}")
    first, last = _date(route.active_from), _date(route.active_until)
    if (first is not None and day < first) or (last is not None and day > last):
        result.problems.append(f"calendar: {crew} is not active on {day}")
    trained = session.execute(
        text("SELECT training_completed_on FROM crew_members WHERE crew_id = :crew"),
        {"crew": route.crew_id},
    ).scalars()
    for completed in trained:
        done = _date(completed)
        if done is not None and done > day:
            result.problems.append(f"calendar: {crew} has a member in training until {done}")


def _check_shift(
    result: DayCheck, stops: list[_Stop], crew: str, shift: dict[str, datetime]
) -> None:
    if not stops:
        return
    slack = timedelta(seconds=SLACK_S)
    if stops[0].departure < shift["start"] - slack:
        result.problems.append(f"shift: {crew} leaves at {stops[0].departure} before its shift")
    if stops[-1].arrival > shift["end"] + slack:
        result.problems.append(f"shift: {crew} is back at {stops[-1].arrival} after its shift")


def _check_timeline(result: DayCheck, stops: list[_Stop], crew: str) -> None:
    slack = timedelta(seconds=SLACK_S)
    for before, after in pairwise(stops):
        if after.arrival < before.departure - slack or after.departure < after.arrival - slack:
            result.problems.append(f"timeline: {crew} stop {after.sequence} overlaps")


def _check_break(  # noqa: PLR0917 (the route's facts, all needed)
    result: DayCheck, stops: list[_Stop], crew: str, route: Any, day: date, tz: ZoneInfo
) -> None:
    minutes = int(route.lunch_minutes or 0)
    if minutes <= 0 or not stops:
        return
    earliest = datetime.combine(day, _time(route.lunch_earliest), tz)
    latest = datetime.combine(day, _time(route.lunch_latest), tz)
    breaks = [s for s in stops if s.kind == "break"]
    jobs = [s for s in stops if s.kind == "job"]
    needs = bool(jobs) and stops[0].departure <= latest and stops[-1].arrival >= earliest
    if needs and len(breaks) != 1:
        result.problems.append(f"break: {crew} takes {len(breaks)} lunch breaks")
    slack = timedelta(seconds=SLACK_S)
    for stop in breaks:
        start = stop.departure - timedelta(minutes=minutes)
        if stop.departure - stop.arrival < timedelta(minutes=minutes) - slack:
            result.problems.append(f"break: {crew} lunch shorter than {minutes} min")
        if start < earliest - slack or start > latest + slack:
            result.problems.append(f"break: {crew} lunch at {start.astimezone(tz):%H:%M}")


def _check_windows(session: Session, result: DayCheck, stop: _Stop, crew: str) -> None:
    rows = session.execute(
        text(
            "SELECT window_start, window_end FROM appointments"
            " WHERE job_id = :job AND status IN ('proposed', 'confirmed', 'completed', 'no_show')"
        ),
        {"job": stop.job_id},
    ).all()
    if not rows:
        return
    slack = timedelta(seconds=SLACK_S)
    work = timedelta(minutes=stop.minutes)
    for start, end in rows:
        opens, closes = _utc(start), _utc(end)
        if stop.arrival <= closes + slack and stop.departure - work >= opens - slack:
            return
    result.problems.append(
        f"windows: {crew} at job {stop.job_id} arrives {stop.arrival:%H:%M}Z, leaves "
        f"{stop.departure:%H:%M}Z, outside its window"
    )
