"""Where one more visit fits into a crew's day: cheapest insertion per tenant window.

A tenant is offered a two-hour window only where a crew can add the visit to the day it already
has without breaking anything: every planned stop keeps its time windows, the lunch break stays
inside its window and the crew is home by its shift end. The day is the crew's current plan as
a sequence of stops; the new visit goes between two of them (or first, or last), nothing else
moves in the order. That is the classic insertion test of vehicle routing, done in closed form
from two passes over the day (earliest departures forward, latest ready times backward), so a
whole fortnight of crew-days is graded in milliseconds instead of one solve per window. Jobs
a crew must do but its route does not hold yet (booked after the route was made) are put in
first by the same test, cheapest first (:func:`with_jobs`).

The schedule rules are the route solver's, as :mod:`sitecrew.routing.problem` states them:

- the crew leaves its depot (or where its fixed stops end) no earlier than it is ready;
- arriving at a job of another site than the previous job's (or from the depot, or after the
  break), it first spends the job's setup, then waits for a window and works
  :func:`~sitecrew.routing.problem.service_for` seconds;
- the break starts and ends inside its window; it is taken where the crew is (so it adds no
  travel) and, as in the solver's model, the next job always pays its setup;
- the crew is back at its end place by its shift end; ``max_jobs`` counts the new visit.

A window ``(open, close)`` told to a tenant binds the *start* of the work to
``[open, max(open, close - service_s)]`` (:func:`start_bounds`), as the day planner reads a
confirmed appointment, so an offered window is exactly the booking the planner will be given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sitecrew.routing.problem import JobSpec, is_eligible, service_for

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sitecrew.routing.problem import CrewSpec

_NEVER = -math.inf
_BREAK_SITE = "\x00break"
"""The site a crew stands at after its break: differs from every job's, so setups are paid."""


@dataclass(frozen=True)
class Insertion:
    """The cheapest way to add the visit to one crew-day inside one tenant window.

    ``position`` is the index in the day's stops before which the visit goes (``len(stops)``:
    last). ``extra_travel_s`` is the detour; ``extra_time_s`` the working time the day grows by
    (detour, setups gained or lost, and the visit's own work; waiting is not counted).
    ``same_building`` says the visit sits next to a planned visit of the same site, which saves
    a setup and almost all travel.
    """

    window: tuple[int, int]
    position: int
    extra_travel_s: int
    extra_time_s: int
    same_building: bool

    @property
    def cost(self) -> tuple[int, int, int]:
        """Sort key: same-building offers first, then extra time, then extra travel."""
        return (0 if self.same_building else 1, self.extra_time_s, self.extra_travel_s)


def start_bounds(window: tuple[int, int], service_s: int) -> tuple[int, int]:
    """Return the bounds on the start of the work for a visit booked in ``window``.

    The same rule the day planner applies to a confirmed appointment
    (``services.planning.load_jobs.job_spec``): the work should end inside the window, unless
    the window is shorter than the work, when it must at least start at the window's opening.
    """
    open_s, close_s = window
    return open_s, max(open_s, close_s - service_s)


@dataclass(frozen=True)
class _Stop:
    """A stop of the day with where the crew stands during it (a break: where it already is)."""

    job: JobSpec | None
    place: int
    site: str
    work_s: int


def window_grid(shift: tuple[int, int], window_s: int) -> list[tuple[int, int]]:
    """Return the tenant windows of a shift: ``window_s`` long, every half window from its start.

    The campaign sweep's grid (:func:`sitecrew.campaigns.windows.window_for`): 08-10, 09-11, ...
    and, where the grid's last window would end after the shift, the window ending with it. A
    shift no longer than one window is one window.
    """
    start, end = shift
    if end - start <= window_s:
        return [(start, end)]
    step = max(window_s // 2, 1)
    windows = [(s, s + window_s) for s in range(start, end - window_s + 1, step)]
    if windows[-1][1] != end:
        windows.append((end - window_s, end))
    return windows


def insertions_into_day(
    crew: CrewSpec,
    stops: Sequence[JobSpec | None],
    visit: JobSpec,
    windows: Sequence[tuple[int, int]],
    travel: Callable[[int, int], int],
) -> list[Insertion]:
    """Return, per tenant window where the visit fits the crew's day, its cheapest insertion.

    Parameters
    ----------
    crew
        The crew and its day (shift, break, skills, districts, job limit).
    stops
        The day's current plan in order: jobs, and ``None`` for the break.
    visit
        The new visit (its location, service and setup; its own windows are ignored).
    windows
        Tenant windows (solver seconds) to try.
    travel
        Street seconds between matrix places; negative means no path.

    Returns
    -------
    list of Insertion
        At most one per window, in the order of ``windows``; empty when the crew may not do
        the visit, its current day already breaks a rule, or the visit fits nowhere.
    """
    day = _day_of(crew, stops)
    if (
        visit.location is None
        or not is_eligible(visit, crew)
        or crew.fixed_stops
        or (crew.max_jobs is not None and sum(s.job is not None for s in day) >= crew.max_jobs)
    ):
        return []
    slots = _slots(crew, day, visit, travel)
    if slots is None:
        return []
    found = []
    for window in windows:
        opens, closes = start_bounds(window, visit.service_s)
        fitting = [
            (cost, position, option)
            for earliest, latest_start, cost, position, option in slots
            if max(earliest, opens) <= min(closes, latest_start)
        ]
        if fitting:
            option = min(fitting, key=lambda f: (f[0], f[1]))[2]
            found.append(replace(option, window=window))
    return found


def with_jobs(
    crew: CrewSpec,
    stops: Sequence[JobSpec | None],
    jobs: Sequence[JobSpec],
    travel: Callable[[int, int], int],
) -> list[JobSpec | None] | None:
    """Return the day with ``jobs`` added, cheapest first, each inside its own windows.

    For the jobs a crew must do that day but its route does not hold yet (booked after the
    route was made): each round every job left is placed where it costs least (the same
    closed-form insertion test as a tenant's window, with the job's own start windows), and
    the cheapest of them goes in. ``None`` when the day already breaks a rule or one of the
    jobs fits nowhere: the crew-day is full, and nothing more may be offered on it. Eligibility
    and the job limit are not asked (the jobs are held for this crew already; the limit is
    checked for the visit offered, with these jobs counted).
    """
    day = list(stops)
    left = list(jobs)
    while left:
        best: tuple[tuple[int, int, int], int, int] | None = None
        for index, job in enumerate(left):
            found = cheapest_place(crew, day, job, travel)
            if found is None:
                return None
            if best is None or found < best[:2]:
                best = (*found, index)
        assert best is not None  # noqa: S101 (left is not empty)
        day.insert(best[1], left.pop(best[2]))
    return day


def cheapest_place(
    crew: CrewSpec,
    stops: Sequence[JobSpec | None],
    job: JobSpec,
    travel: Callable[[int, int], int],
) -> tuple[tuple[int, int, int], int] | None:
    """Return ``(cost, position)`` of the cheapest place for ``job`` inside its own windows.

    ``None`` when the day already breaks a rule or the job fits nowhere. Eligibility and the
    crew's limits are the caller's to ask.
    """
    placed = _day_of(crew, stops)
    departures = _departures(crew, placed, travel)
    if departures is None:
        return None
    latest = _latest_ready(crew, placed, travel)
    fitting = [
        (slot[2], position)
        for position in range(len(placed) + 1)
        if (slot := _slot(crew, placed, job, position, departures, latest, travel))
        and _meets(job.windows, slot[0], slot[1])
    ]
    return min(fitting) if fitting else None


def start_times(
    crew: CrewSpec, stops: Sequence[JobSpec | None], travel: Callable[[int, int], int]
) -> list[int] | None:
    """Return when each stop's work (or the break) starts when the crew goes as early as it can.

    ``None`` when the day breaks a rule (a window missed, home after the shift end).
    """
    day = _day_of(crew, stops)
    departures = _departures(crew, day, travel)
    if departures is None:
        return None
    return [round(leave) - stop.work_s for leave, stop in zip(departures, day, strict=True)]


def break_place(crew: CrewSpec, stops: Sequence[JobSpec | None]) -> int | None:
    """Return the place where the day's break is taken (where the crew is); ``None``: no break."""
    for stop in _day_of(crew, stops):
        if stop.job is None:
            return stop.place
    return None


def _meets(windows: tuple[tuple[int, int], ...], earliest: float, latest: float) -> bool:
    """Return whether a start in ``[earliest, latest]`` lies in one of ``windows`` (none: any)."""
    if not windows:
        return earliest <= latest
    return any(max(earliest, o) <= min(c, latest) for o, c in windows)


def _slots(
    crew: CrewSpec, day: list[_Stop], visit: JobSpec, travel: Callable[[int, int], int]
) -> list[tuple[float, float, tuple[int, int, int], int, Insertion]] | None:
    """Return every place ``visit`` may go in ``day`` (see :func:`_slot`); ``None``: day fails."""
    departures = _departures(crew, day, travel)
    if departures is None:
        return None
    latest = _latest_ready(crew, day, travel)
    return [
        slot
        for position in range(len(day) + 1)
        if (slot := _slot(crew, day, visit, position, departures, latest, travel)) is not None
    ]


def _day_of(crew: CrewSpec, stops: Sequence[JobSpec | None]) -> list[_Stop]:
    """Place each stop: jobs at their location, the break where the crew is at that moment."""
    here = crew.ready_location
    day = []
    for job in stops:
        if job is None:
            day.append(_Stop(None, here, _BREAK_SITE, crew.break_duration_s))
            continue
        here = job.location if job.location is not None else here
        day.append(_Stop(job, here, job.site, service_for(job, crew)))
    return day


def _setup(stop: _Stop, previous_site: str | None) -> int:
    if stop.job is None or stop.site == previous_site:
        return 0
    return stop.job.setup_s


def _start_windows(crew: CrewSpec, stop: _Stop) -> tuple[tuple[int, int], ...]:
    if stop.job is None:
        if crew.break_window is None:
            return ()
        return ((crew.break_window[0], crew.break_window[1] - crew.break_duration_s),)
    return stop.job.windows


def _earliest_start(ready: float, windows: tuple[tuple[int, int], ...]) -> float | None:
    if not windows:
        return ready
    starts = [max(ready, o) for o, c in windows if max(ready, o) <= c]
    return min(starts) if starts else None


def _latest_start(limit: float, windows: tuple[tuple[int, int], ...]) -> float:
    if not windows:
        return limit
    starts = [min(c, limit) for o, c in windows if o <= limit]
    return max(starts) if starts else _NEVER


def _leg(travel: Callable[[int, int], int], frm: int, to: int) -> float:
    seconds = travel(frm, to)
    return math.inf if seconds < 0 else float(seconds)


def _departures(
    crew: CrewSpec, day: list[_Stop], travel: Callable[[int, int], int]
) -> list[float] | None:
    """Return the earliest departure from each stop; ``None`` when the day already fails."""
    here, leave, site = crew.ready_location, float(crew.ready_s), None
    result = []
    for stop in day:
        ready = leave + _leg(travel, here, stop.place) + _setup(stop, site)
        start = _earliest_start(ready, _start_windows(crew, stop))
        if start is None:
            return None
        leave, here, site = start + stop.work_s, stop.place, stop.site
        result.append(leave)
    if leave + _leg(travel, here, crew.end_location) > crew.shift_end_s:
        return None
    return result


def _latest_ready(
    crew: CrewSpec, day: list[_Stop], travel: Callable[[int, int], int]
) -> list[float]:
    """Return, per stop and for home (last entry), the latest ready time that keeps the rest.

    Ready means arrived and set up; home's entry is the latest arrival (the shift end).
    """
    latest = [_NEVER] * len(day) + [float(crew.shift_end_s)]
    for index in range(len(day) - 1, -1, -1):
        stop = day[index]
        nxt = day[index + 1] if index + 1 < len(day) else None
        setup = 0 if nxt is None else _setup(nxt, stop.site)
        place = crew.end_location if nxt is None else nxt.place
        limit = latest[index + 1] - setup - _leg(travel, stop.place, place) - stop.work_s
        latest[index] = _latest_start(limit, _start_windows(crew, stop))
    return latest


def _slot(  # noqa: PLR0917 (one insertion's inputs, all needed)
    crew: CrewSpec,
    day: list[_Stop],
    visit: JobSpec,
    position: int,
    departures: list[float],
    latest: list[float],
    travel: Callable[[int, int], int],
) -> tuple[float, float, tuple[int, int, int], int, Insertion] | None:
    """Return when the visit may start before ``day[position]`` and what that costs.

    The answer is ``(earliest start, latest start, cost, position, insertion)``; a tenant
    window fits when its start bounds meet ``[earliest, latest]``. ``None``: never fits there.
    """
    previous = day[position - 1] if position else None
    here = previous.place if previous else crew.ready_location
    site = previous.site if previous else None
    leave = departures[position - 1] if position else float(crew.ready_s)
    place = visit.location if visit.location is not None else here
    setup = visit.setup_s if visit.site != site else 0
    ready = leave + _leg(travel, here, place) + setup
    work = service_for(visit, crew)
    latest_start = _latest_visit_start(crew, day, visit, place, position, latest, work, travel)
    if ready > latest_start:
        return None
    option = _graded(crew, day, visit, position, here, site, setup + work, travel)
    return ready, latest_start, option.cost, position, option


def _latest_visit_start(  # noqa: PLR0917
    crew: CrewSpec,
    day: list[_Stop],
    visit: JobSpec,
    place: int,
    position: int,
    latest: list[float],
    work: int,
    travel: Callable[[int, int], int],
) -> float:
    """Return the latest start of the visit that keeps every stop after it (and home) on time."""
    if position == len(day):
        return crew.shift_end_s - _leg(travel, place, crew.end_location) - work
    following = day[position]
    if following.job is not None:
        setup = _setup(following, visit.site)
        return latest[position] - setup - _leg(travel, place, following.place) - work
    # The break follows: it is now taken at the visit's place, and the stop after it is
    # reached from there.
    after = day[position + 1] if position + 1 < len(day) else None
    after_place = crew.end_location if after is None else after.place
    after_setup = 0 if after is None else _setup(after, _BREAK_SITE)
    window = _start_windows(crew, following)
    limit = latest[position + 1] - after_setup - _leg(travel, place, after_place) - following.work_s
    break_latest = _latest_start(limit, window)
    if not window or window[0][0] > break_latest:
        return _NEVER
    return break_latest - work


def _graded(  # noqa: PLR0917
    crew: CrewSpec,
    day: list[_Stop],
    visit: JobSpec,
    position: int,
    here: int,
    site: str | None,
    own_time: int,
    travel: Callable[[int, int], int],
) -> Insertion:
    """Return the extra travel and time of inserting ``visit`` at ``position``."""
    place = visit.location if visit.location is not None else here
    following = next((s for s in day[position:] if s.job is not None), None)
    direct_next = day[position] if position < len(day) else None
    to_place = crew.end_location if following is None else following.place
    detour = travel(here, place) + travel(place, to_place) - max(travel(here, to_place), 0)
    setup_change = 0
    if direct_next is not None and direct_next.job is not None:
        setup_change = _setup(direct_next, visit.site) - _setup(direct_next, site)
    same = site == visit.site or (direct_next is not None and direct_next.site == visit.site)
    return Insertion(
        window=(0, 0),
        position=position,
        extra_travel_s=detour,
        extra_time_s=detour + own_time + setup_change,
        same_building=same,
    )


def with_break(crew: CrewSpec, jobs: Sequence[JobSpec]) -> list[JobSpec | None]:
    """Return ``jobs`` in order with the crew's break placed where its window opens.

    For a day that has bookings but no route yet: the break goes before the first job that
    cannot start before the break window opens (jobs without windows count as open all day),
    else last. A crew without a break gets none.
    """
    if crew.break_window is None or crew.break_duration_s <= 0:
        return list(jobs)
    opens = crew.break_window[0]
    for index, job in enumerate(jobs):
        if job.windows and min(o for o, _ in job.windows) >= opens:
            return [*jobs[:index], None, *jobs[index:]]
    return [*jobs, None]
