"""Appointment offers (issue 16): the two-hour windows a crew can really make for an apartment.

For every day asked about, every crew allowed in the apartment's district that works the day
(the planner's own crews of the day: :func:`~sitecrew.services.planning.load_crews.day_crews`)
and every window of the crew's shift (the campaign sweep's grid), the visit is inserted into the
crew's current day (:mod:`~sitecrew.services.appointments.current_days`) at its cheapest place
(:mod:`sitecrew.routing.insertion`). A routed day is its route plus the visits held for the
crew and booked since the route was made, inserted first (cheapest first, each in its own
windows); a day where one of those does not fit is full and offers nothing. Stops, service
times, setups, windows and travel seconds are the ones the day planner would be given (its job
loader and street matrices), so a window offered here is one the planner keeps when the
booking is added. Each day's window is offered once, by its cheapest crew; answers are sorted
same building first, then by extra working time.

A booking can also be on no route of its day and held for no crew that works it (a planner
booked a plain job after the day was planned; a tenant booked a visit whose sweep crew is off
that day). The planner's seed plan puts such bookings at their cheapest place among the crews
that may do them (:func:`sitecrew.routing.seed.place_bookings`), so the offers do the same with
the same function, before offering: among *every* crew working the day, since a crew that may
not take the visit may still take a booking off another crew's day. The visit is then offered
only by crews that may take it. A booking that fits on no crew-day is left out, as the planner
leaves it out; it makes no day full (the day is no fuller with it than the plan will be).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.jobs import JobStatus
from sitecrew.domain.offers import AppointmentOffer, OfferQuery
from sitecrew.routing.insertion import (
    Insertion,
    insertions_into_day,
    window_grid,
    with_break,
    with_jobs,
)
from sitecrew.routing.problem import CrewSpec, JobSpec, is_eligible
from sitecrew.routing.seed import place_bookings
from sitecrew.services.appointments.booked_days import booked_spec, unplaced_bookings
from sitecrew.services.appointments.current_days import current_days
from sitecrew.services.appointments.travel import PlaceTravel
from sitecrew.services.appointments.visit import OfferedVisit, visit_for_apartment
from sitecrew.services.graphs import get_network
from sitecrew.services.planning.day import DayClock, Points
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.planning.load_crews import days_crews
from sitecrew.services.planning.load_jobs import JobRow, binding_windows, job_rows, job_spec
from sitecrew.services.scoping import get_visible, require_changer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.services.planning.day import RegionInfo

#: Length of an offered window (what tenants are told, as the campaigns' letters do).
WINDOW_S = 2 * 3600
_OPEN = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)
_NEW = "new visit"


@dataclass(frozen=True)
class _CrewDay:
    """One crew on one day, with its current stops as the planner would read them.

    ``unrouted``: jobs the crew must do that day that its route does not hold yet. ``offers``:
    whether the crew may take the visit (else its day only takes bookings off the others').
    """

    day: date
    clock: DayClock
    crew: CrewSpec
    name: str
    stops: tuple[JobSpec | None, ...]
    unrouted: tuple[JobSpec, ...] = ()
    offers: bool = True


def appointment_offers(
    session: Session,
    principal: Principal,
    query: OfferQuery,
    *,
    osm: OsmSettings,
    now: datetime | None = None,
) -> list[AppointmentOffer]:
    """Return the windows in which a crew can add a visit of the apartment, cheapest first.

    Parameters
    ----------
    session
        An open session (only read).
    principal
        The caller: admins, the region's planners, and contractors for apartments in their
        districts (those who may book appointments).
    query
        The apartment, the days (both included) and how many offers at most.
    osm
        Where the street graphs are.
    now
        Windows starting before this moment are not offered (default: the current time).

    Returns
    -------
    list of AppointmentOffer
        At most ``query.limit``; one per day and window, by the crew it costs least.

    Raises
    ------
    PermissionDeniedError
        When the caller's role may not book appointments (crews).
    NotFoundError
        When the apartment does not exist or is outside the caller's scope.
    InvalidInputError
        When the apartment's region has no street graph.
    """
    require_changer(principal, m.Appointment, action="ask for appointment offers")
    apartment = get_visible(session, principal, m.Apartment, query.apartment_id)
    region_id = session.scalar(
        select(m.Building.region_id).where(m.Building.id == apartment.building_id)
    )
    region = get_region_or_raise(session, region_id or 0)
    visit = visit_for_apartment(session, apartment, region.id)
    return offers_for_visit(session, region, visit, query.days, osm=osm, limit=query.limit, now=now)


def offers_for_visit(
    session: Session,
    region: RegionInfo,
    visit: OfferedVisit,
    days: list[date],
    *,
    osm: OsmSettings,
    limit: int,
    now: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> list[AppointmentOffer]:
    """Return the windows in which a crew can add ``visit`` on ``days``, cheapest first.

    The answer of :func:`appointment_offers` once the caller's access is checked: for the
    tenant's apartment, or for a planner's own job (whose current stop is left out, since the
    booking moves it). ``window`` asks about that one window instead of the tenant grid (a
    planner books any window, not only the grid's).

    Raises
    ------
    InvalidInputError
        When the region has no street graph.
    """
    if visit.row.point is None:
        return []
    points = Points()
    new_place = points.add(*visit.row.point)
    crew_days = _crew_days(
        session, region.id, region.timezone, days, visit=visit.row, points=points
    )
    crew_days, unplaced = _add_current_stops(
        session, region.id, crew_days, points, skip=visit.job_id
    )
    network = get_network(region.street_region, settings=osm, extract=region.extract_path)
    travel = PlaceTravel(network, points.lonlat, new_place)
    if new_place in travel.far:
        return []
    bookings = {
        day: [b for b in found if b.location is not None and b.location not in travel.far]
        for day, found in unplaced.items()
    }
    planned_days = [
        _reachable(day, travel.far)
        for day in crew_days
        if day.offers or _takes_any(day.crew, bookings.get(day.day, ()))
    ]
    travel.prepare(pair for day in planned_days for pair in _legs(day, bookings.get(day.day, ())))
    moment = now or datetime.now(UTC)
    best: dict[tuple[date, int], tuple[Insertion, _CrewDay]] = {}
    for day in _with_bookings(planned_days, bookings, travel):
        if not day.offers:
            continue
        spec = replace(job_spec(visit.row, clock=day.clock, points=points), id=_NEW)
        windows = [w for w in _windows_of(day, window) if day.clock.moment(w[0]) >= moment]
        for option in insertions_into_day(day.crew, day.stops, spec, windows, travel):
            key = (day.day, option.window[0])
            if key not in best or option.cost < best[key][0].cost:
                best[key] = (option, day)
    ranked = sorted(best.values(), key=lambda found: (found[0].cost, found[1].day, found[0].window))
    return [_offer(option, day) for option, day in ranked[:limit]]


def _windows_of(day: _CrewDay, window: tuple[datetime, datetime] | None) -> list[tuple[int, int]]:
    """Return the windows to try on a crew-day: the shift's grid, or the one window asked."""
    if window is None:
        return window_grid((day.crew.shift_start_s, day.crew.shift_end_s), WINDOW_S)
    return [(day.clock.seconds(window[0]), day.clock.seconds(window[1]))]


def _crew_days(
    session: Session,
    region_id: int,
    timezone: str,
    days: list[date],
    *,
    visit: JobRow,
    points: Points,
) -> list[_CrewDay]:
    """Return every crew-day of the days: each crew that works, ``offers`` if it may take the visit.

    Crews that may not take the visit (skills, district) are there for the day's bookings.
    """
    clocks = [DayClock.of(day, timezone) for day in days]
    working = days_crews(session, region_id=region_id, clocks=clocks, points=points)
    found: list[_CrewDay] = []
    for clock in clocks:
        today = working[clock.day]
        spec = job_spec(visit, clock=clock, points=points)
        found.extend(
            _CrewDay(
                clock.day,
                clock,
                crew,
                today.names.get(crew.id, crew.id),
                (),
                offers=is_eligible(spec, crew),
            )
            for crew in today.crews
        )
    return found


def _add_current_stops(
    session: Session, region_id: int, crew_days: list[_CrewDay], points: Points, *, skip: int | None
) -> tuple[list[_CrewDay], dict[date, list[JobSpec]]]:
    """Fill the crew-days with the jobs of their current plan; return them and the bookings on none.

    A routed day keeps its route's stops, and the jobs held for the crew that bind the day but
    are not on the route (booked after it was made) are its ``unrouted`` jobs, to be inserted
    before the offer (:func:`_with_unrouted`). A day without a route is its held jobs by window,
    with the break where its window opens. A job counts on one crew-day only: held for a crew
    that works the day, on that crew's; else where it is routed. A job the planner would not
    route that day (done, cancelled, booked for another day, or the job being offered) is left
    out.

    Also returned, per day: the bookings that bind it and that no crew-day counts (on no route
    of a crew working the day, held for no such crew), to be placed before the offer. Only the
    crew-days that may take the visit or one of their day's bookings are filled and returned.
    """
    if not crew_days:
        return [], {}
    asked_days = sorted({d.day for d in crew_days})
    found = current_days(session, sorted({int(d.crew.id) for d in crew_days}), asked_days)
    plans, held = found.routes, found.held
    working = {(int(d.crew.id), d.day) for d in crew_days}
    clocks = {d.day: d.clock for d in crew_days}
    bookings = unplaced_bookings(
        session, region_id, clocks, _counted(plans, held, working), points, skip=skip
    )
    kept = [d for d in crew_days if d.offers or _takes_any(d.crew, bookings.get(d.day, ()))]
    kept_days = {(int(d.crew.id), d.day) for d in kept}
    kept_crews = {crew for crew, _ in kept_days}
    job_ids = {j for key in kept_days for j in plans.get(key, ()) if j is not None}
    job_ids |= {j for j, crew in held.items() if crew in kept_crews}
    job_ids.discard(skip or 0)
    rows = {
        r.id: r for r in job_rows(session, region_id=region_id, statuses=_OPEN, ids=sorted(job_ids))
    }
    windows = binding_windows(session, list(rows))
    due = _due_dates(session, list(rows))
    held_on = _held_by_day(
        {j: c for j, c in held.items() if j in rows}, windows, crew_days[0].clock
    )

    def spec_of(job_id: int, crew_day: _CrewDay) -> JobSpec | None:
        args = (windows.get(job_id), due.get(job_id), crew_day.clock, points)
        return _routed_job(rows.get(job_id), *args)

    for index, crew_day in enumerate(kept):
        crew_id = int(crew_day.crew.id)
        plan = plans.get((crew_id, crew_day.day))
        stops: list[JobSpec | None] = []
        for stop in plan or ():
            holder = crew_id if stop is None else held.get(stop, crew_id)
            if holder != crew_id and (holder, crew_day.day) in working:
                continue  # the crew holding it counts it
            spec = None if stop is None else spec_of(stop, crew_day)
            if stop is None or spec is not None:
                stops.append(spec)
        on_route = set(plan or ())
        bound = sorted(
            (
                spec
                for job_id in [*held_on[crew_id, crew_day.day], *held_on[crew_id, None]]
                if job_id not in on_route and (spec := spec_of(job_id, crew_day)) is not None
            ),
            key=_by_window,
        )
        if plan is None:
            stops, bound = with_break(crew_day.crew, bound), []
        elif None not in plan:
            stops = with_break(crew_day.crew, [s for s in stops if s is not None])
        kept[index] = replace(crew_day, stops=tuple(stops), unrouted=tuple(bound))
    return kept, bookings


def _counted(
    plans: dict[tuple[int, date], tuple[int | None, ...]],
    held: dict[int, int],
    working: set[tuple[int, date]],
) -> dict[date, set[int]]:
    """Return per day the jobs some crew-day counts: routed or held for a crew working it."""
    found: dict[date, set[int]] = defaultdict(set)
    for (crew_id, day), stops in plans.items():
        if (crew_id, day) in working:
            found[day].update(j for j in stops if j is not None)
    holders: dict[int, list[date]] = defaultdict(list)
    for crew_id, day in working:
        holders[crew_id].append(day)
    for job_id, crew_id in held.items():
        for day in holders.get(crew_id, ()):
            found[day].add(job_id)
    return found


def _held_by_day(
    held: dict[int, int], windows: dict[int, list[tuple[datetime, datetime]]], clock: DayClock
) -> dict[tuple[int, date | None], list[int]]:
    """Index held jobs by crew and the local days of their windows (``None``: no window).

    Only an index: whether a job binds a crew-day is still :func:`_routed_job`'s answer.
    """
    found: dict[tuple[int, date | None], list[int]] = defaultdict(list)
    for job_id, crew_id in held.items():
        booked = windows.get(job_id)
        for day in {clock.local_date(a) for a, _ in booked} if booked else {None}:
            found[crew_id, day].append(job_id)
    return found


def _by_window(job: JobSpec) -> tuple[int, int]:
    return (min((o for o, _ in job.windows), default=0), int(job.id))


def _takes_any(crew: CrewSpec, bookings: Sequence[JobSpec]) -> bool:
    """Return whether the crew may take one of the day's bookings."""
    return any(is_eligible(job, crew) for job in bookings)


def _with_bookings(
    crew_days: list[_CrewDay], bookings: dict[date, list[JobSpec]], travel: PlaceTravel
) -> list[_CrewDay]:
    """Return the crew-days that make their current plan, with the day's bookings placed.

    Each crew-day first takes its unrouted jobs (:func:`_with_unrouted`); one that cannot is
    full and left out. Then the day's bookings on no crew-day go in as the seed plan puts them
    (cheapest first, else by window; a booking that fits nowhere stays out).
    """
    by_day: dict[date, list[_CrewDay]] = defaultdict(list)
    for crew_day in crew_days:
        ready = _with_unrouted(crew_day, travel)
        if ready is not None:  # the crew-day cannot even make what it is booked for
            by_day[ready.day].append(ready)
    found: list[_CrewDay] = []
    for day, ready_days in by_day.items():
        jobs = bookings.get(day)
        if not jobs:
            found.extend(ready_days)
            continue
        stops = {d.crew.id: list(d.stops) for d in ready_days}
        place_bookings([d.crew for d in ready_days], stops, jobs, travel, job_index={})
        found.extend(replace(d, stops=tuple(stops[d.crew.id])) for d in ready_days)
    return found


def _with_unrouted(day: _CrewDay, travel: PlaceTravel) -> _CrewDay | None:
    """Return the crew-day with its unrouted jobs inserted; ``None`` when one cannot be."""
    if not day.unrouted:
        return day
    stops = with_jobs(day.crew, day.stops, day.unrouted, travel)
    return None if stops is None else replace(day, stops=tuple(stops), unrouted=())


def _routed_job(
    row: JobRow | None,
    windows: list[tuple[datetime, datetime]] | None,
    due_on: date | None,
    clock: DayClock,
    points: Points,
) -> JobSpec | None:
    """Return the job as the planner would route it on the clock's day, or None if it would not."""
    if row is None:
        return None
    if windows is None:
        if due_on is None or due_on > clock.day:
            return None
        return job_spec(row, clock=clock, points=points)
    return booked_spec(row, windows, clock, points)


def _due_dates(session: Session, job_ids: list[int]) -> dict[int, date | None]:
    found: dict[int, date | None] = {}
    for start in range(0, len(job_ids), 500):
        query = select(m.Job.id, m.Job.due_on).where(m.Job.id.in_(job_ids[start : start + 500]))
        found.update((job_id, due_on) for job_id, due_on in session.execute(query))
    return found


def _reachable(day: _CrewDay, far: frozenset[int]) -> _CrewDay:
    """Leave out stops the planner cannot route (their place is beyond the snap limit)."""
    if not far:
        return day
    stops = tuple(s for s in day.stops if s is None or s.location not in far)
    unrouted = tuple(s for s in day.unrouted if s.location not in far)
    return replace(day, stops=stops, unrouted=unrouted)


def _legs(day: _CrewDay, bookings: Sequence[JobSpec] = ()) -> list[tuple[int, int]]:
    """Return the legs the crew drives on its current day (a break adds none).

    With unrouted jobs or bookings it may take to insert, every leg between the day's places
    (and theirs) may be driven.
    """
    places = [day.crew.start_location]
    places += [s.location for s in day.stops if s is not None and s.location is not None]
    places.append(day.crew.end_location)
    takes = [b for b in bookings if is_eligible(b, day.crew)]
    if not day.unrouted and not takes:
        return list(pairwise(places))
    places += [s.location for s in (*day.unrouted, *takes) if s.location is not None]
    distinct = sorted(set(places))
    return [(a, b) for a in distinct for b in distinct]


def _offer(option: Insertion, day: _CrewDay) -> AppointmentOffer:
    return AppointmentOffer(
        day=day.day,
        window_start=day.clock.moment(option.window[0]),
        window_end=day.clock.moment(option.window[1]),
        crew_id=int(day.crew.id),
        crew_name=day.name,
        extra_travel_s=option.extra_travel_s,
        extra_time_s=option.extra_time_s,
        same_building=option.same_building,
    )
