"""Load one region's day from the database: region, clock, jobs, crews and their places."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.errors import InvalidInputError
from sitecrew.services.appointments.current_days import routed_days
from sitecrew.services.planning.day import DayClock, DayInput, Points, RegionInfo
from sitecrew.services.planning.load_crews import day_crews
from sitecrew.services.planning.load_jobs import day_jobs
from sitecrew.services.planning.replan import add_fixed_stops
from sitecrew.services.regions import get_region_by_ref

if TYPE_CHECKING:
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from sitecrew.routing.problem import CrewSpec


def get_region_or_raise(session: Session, region: int | str) -> RegionInfo:
    """Return the region by id or slug (any case), checked to have a street graph to route on.

    Raises
    ------
    NotFoundError
        When no region has that id or slug (see ``services.regions.get_region_by_ref``).
    InvalidInputError
        When the region names no street-graph region (``street_region``).
    """
    row = get_region_by_ref(session, region)
    if row.id is None or not (row.street_region or row.extract_path):
        msg = (
            f"region {row.name!r} has no street graph region (street_region); set it to a "
            "region of data/osm/regions.toml before planning"
        )
        raise InvalidInputError(msg)
    return RegionInfo(
        row.id,
        row.name,
        row.street_region or row.slug,
        row.timezone or "Europe/Oslo",
        row.extract_path,
    )


def load_day(
    session: Session, *, region: int | str, day: date, now: datetime | None = None
) -> DayInput:
    """Return what planning ``day`` in ``region`` needs from the database.

    Parameters
    ----------
    session
        An open session (only read).
    region
        Region id or name.
    day
        The service date (local to the region).
    now
        When re-planning during the day: started work stays fixed, crews resume at ``now``.

    Returns
    -------
    DayInput
        Jobs and crews with place indices, the places, and the day's clock.

    Raises
    ------
    NotFoundError, InvalidInputError
        See :func:`get_region_or_raise`.
    """
    info = get_region_or_raise(session, region)
    clock = DayClock.of(day, info.timezone)
    points = Points()
    working = day_crews(session, region_id=info.id, clock=clock, points=points)
    crews = working.crews
    working_ids = frozenset(crew.id for crew in crews)
    jobs = day_jobs(session, region_id=info.id, clock=clock, points=points, working=working_ids)
    if now is not None:
        jobs, crews = add_fixed_stops(
            session,
            region_id=info.id,
            clock=clock,
            points=points,
            jobs=jobs,
            crews=crews,
            now_s=clock.seconds(now),
        )
    return DayInput(
        info,
        clock,
        jobs,
        crews,
        tuple(points.lonlat),
        working.names,
        crews_off=working.off,
        current=current_routes(session, crews, day),
    )


def current_routes(
    session: Session, crews: tuple[CrewSpec, ...], day: date
) -> dict[str, tuple[str | None, ...]]:
    """Return each crew's current route of ``day`` (published, else newest draft) as job ids.

    A re-plan keeps the bookings these routes (with new bookings inserted) keep.
    """
    found = routed_days(session, [int(c.id) for c in crews], [day])
    return {
        str(crew_id): tuple(None if j is None else str(j) for j in stops)
        for (crew_id, _day), stops in found.items()
    }
