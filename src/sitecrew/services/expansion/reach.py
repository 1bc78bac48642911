"""Isochrones and depot reach (issue 18 item 1): what lies within T minutes of driving from here.

Both answers come from the region's street graph, not from straight lines: the isochrone is the
streets reached within the budget, buffered and merged (:mod:`sitecrew.streets.isochrones`);
the reach snaps every site and building of the region to its nearest street and runs one exact
Dijkstra from the point with the budget as its limit, so a site across a river or up a one-way
street is counted by the minutes a van really needs, not by falling inside a polygon.

The street graph is free-flow (speed limits, no traffic): a departure time is accepted and
echoed so clients can say which moment they asked about, but it does not change the answer.
Travel is counted in whole seconds, as the day planner counts it (``StreetNetwork.matrices``),
so a site is reached exactly when the planner's matrix says at most ``minutes * 60`` seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import Geod
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain.geo import check_lon_lat
from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.graphs import get_network
from sitecrew.services.regions import RegionRef, get_region_by_ref
from sitecrew.services.scoping import require_expansion_planner, visible
from sitecrew.streets import nearest_edges_for
from sitecrew.streets.arrays import MS_PER_S
from sitecrew.streets.matrix import anchors_from_points

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.domain.organisations import Region
    from sitecrew.streets import SnappedPoints, StreetNetwork

#: The driving-time budgets asked about, minutes (both included).
MIN_MINUTES = 1.0
MAX_MINUTES = 120.0
#: The most reached sites listed (nearest first); the counts always cover every one.
MAX_REACH_SITES = 500
#: Isochrone outlines are simplified to about this many degrees (~2 m): a polygon of a
#: two-hour budget otherwise carries hundreds of thousands of vertices of buffered streets.
SIMPLIFY_DEGREES = 2e-5
_GEOD = Geod(ellps="WGS84")
_SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class ReachQuery:
    """A point, a driving-time budget and optionally the region whose streets to use.

    Attributes
    ----------
    lon, lat
        The depot or start, WGS 84 degrees.
    minutes
        The budget, 1 to 120 minutes.
    departure
        When the drive would start; echoed only (the street graph is free-flow).
    region
        A region's slug or id; ``None``: the region (one the caller may see) containing the point.
    """

    lon: float
    lat: float
    minutes: float
    departure: datetime | None = None
    region: RegionRef | None = None


@dataclass(frozen=True)
class IsochroneArea:
    """The area within ``minutes`` of free-flow driving from a point, with its region."""

    region_id: int
    region_slug: str
    lon: float
    lat: float
    minutes: float
    departure: datetime | None
    area: shapely.Polygon | shapely.MultiPolygon
    area_km2: float


@dataclass(frozen=True)
class ReachedSite:
    """A site within the budget: its point, its travel time from the depot and its pieces."""

    id: int
    name: str
    kind: str
    minutes: float
    pieces: int
    lon: float
    lat: float


@dataclass(frozen=True)
class DepotReach:
    """What lies within ``minutes`` of driving from a point (depot) in one region.

    ``sites`` lists the nearest :data:`MAX_REACH_SITES` reached sites (by minutes, then id);
    the counts cover every reached site, piece, building and apartment. ``unroutable_sites``
    and ``unroutable_buildings`` are those too far from any street to be judged (bad points).
    """

    region_id: int
    region_slug: str
    lon: float
    lat: float
    minutes: float
    departure: datetime | None
    site_count: int
    piece_count: int
    building_count: int
    apartment_count: int
    sites: tuple[ReachedSite, ...]
    unroutable_sites: int = 0
    unroutable_buildings: int = 0


def isochrone_area(
    session: Session, principal: Principal, query: ReachQuery, *, osm: OsmSettings
) -> IsochroneArea:
    """Return the area reachable within ``query.minutes`` of free-flow driving from the point.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants (expansion planning is the planners').
    InvalidInputError
        For minutes outside 1-120, a point that is not lon/lat, a point outside every region
        the caller may see, a region without a street graph, or a point farther from its
        streets than the snap limit.
    NotFoundError
        When the named region is unknown to the caller.
    """
    region, network, origin = _prepare(session, principal, query, osm=osm, action="draw isochrones")
    area = network.isochrone(origin, minutes=query.minutes)
    simplified = shapely.simplify(area, SIMPLIFY_DEGREES, preserve_topology=True)
    outline = simplified if isinstance(simplified, shapely.Polygon | shapely.MultiPolygon) else area
    km2 = abs(_GEOD.geometry_area_perimeter(outline)[0]) / 1e6
    return IsochroneArea(
        _id(region),
        region.slug,
        query.lon,
        query.lat,
        query.minutes,
        query.departure,
        outline,
        round(km2, 4),
    )


def depot_reach(
    session: Session, principal: Principal, query: ReachQuery, *, osm: OsmSettings
) -> DepotReach:
    """Return the sites, pieces, buildings and apartments within ``query.minutes`` of the point.

    Every site and building of the region the caller sees is snapped to its nearest street and
    timed from the point by one Dijkstra bounded by the budget (whole seconds, as the planner).

    Raises
    ------
    PermissionDeniedError, InvalidInputError, NotFoundError
        As :func:`isochrone_area`.
    """
    region, network, origin = _prepare(session, principal, query, osm=osm, action="ask depot reach")
    region_id = _id(region)
    budget_s = query.minutes * _SECONDS_PER_MINUTE
    sites = _site_rows(session, principal, region_id)
    site_s = seconds_from(network, origin, [(row[3], row[4]) for row in sites], budget_s)
    pieces = _pieces_per_site(session, principal, region_id)
    reached = sorted(
        (
            ReachedSite(
                row[0], row[1], row[2], round(float(s) / 60, 2), pieces.get(row[0], 0), *row[3:]
            )
            for row, s in zip(sites, site_s, strict=True)
            if s <= budget_s
        ),
        key=lambda site: (site.minutes, site.id),
    )
    buildings = _building_rows(session, principal, region_id)
    building_s = seconds_from(network, origin, [(row[1], row[2]) for row in buildings], budget_s)
    reached_buildings = [
        row[0] for row, s in zip(buildings, building_s, strict=True) if s <= budget_s
    ]
    flats = _apartments_per_building(session, principal, region_id)
    return DepotReach(
        region_id,
        region.slug,
        query.lon,
        query.lat,
        query.minutes,
        query.departure,
        site_count=len(reached),
        piece_count=sum(site.pieces for site in reached),
        building_count=len(reached_buildings),
        apartment_count=sum(flats.get(b, 0) for b in reached_buildings),
        sites=tuple(reached[:MAX_REACH_SITES]),
        unroutable_sites=int(np.isnan(site_s).sum()),
        unroutable_buildings=int(np.isnan(building_s).sum()),
    )


def seconds_from(
    network: StreetNetwork,
    origin: SnappedPoints,
    points: list[tuple[float, float]],
    budget_s: float,
) -> NDArray[np.float64]:
    """Return whole seconds of driving from ``origin`` to each point; ``inf`` beyond the budget.

    One exact Dijkstra from the origin's street anchors with a limit just above the budget,
    then each point's cheapest way in (either end of its edge, or straight along the origin's
    own edge): the same sums as ``StreetNetwork.matrices``, rounded to seconds the same way.
    Points farther from every street than the snap limit are ``nan`` (not judged).
    """
    if not points:
        return np.empty(0, dtype=np.float64)
    arrays = network.arrays
    weights = arrays.travel_time_ms
    targets = nearest_edges_for(network.edge_index, points, max_distance_m=math.inf)
    limit_ms = (budget_s + 1) * MS_PER_S  # rounding to seconds may bring 0.5 s more in
    leave = anchors_from_points(arrays, origin, weights, leaving=True)
    reach = network.exact_time_engine.reach(leave.nodes[0], limit=limit_ms)
    node_ms = np.min(reach + leave.cost[0][:, None], axis=0)
    enter = anchors_from_points(arrays, targets, weights, leaving=False)
    best = np.min(node_ms[enter.nodes] + enter.cost, axis=1)
    best = np.minimum(best, _along_origin_edge(network, origin, targets))
    seconds: NDArray[np.float64] = np.rint(best / MS_PER_S).astype(np.float64)
    seconds[targets.distance_m > network.max_snap_distance_m] = np.nan
    return seconds


def _along_origin_edge(
    network: StreetNetwork, origin: SnappedPoints, targets: SnappedPoints
) -> NDArray[np.float64]:
    """Return the cost of driving straight along the origin's edge (or its twin) to a target."""
    arrays, weights = network.arrays, network.arrays.travel_time_ms
    edge, t = int(origin.edge[0]), float(origin.fraction[0])
    twin = int(arrays.edge_twin[edge])
    ahead = targets.fraction - t
    result = np.full(len(targets), np.inf)
    forward = (targets.edge == edge) & (ahead >= 0)
    result[forward] = ahead[forward] * float(weights[edge])
    if twin >= 0:
        backward = (targets.edge == edge) & (ahead < 0)
        result[backward] = -ahead[backward] * float(weights[twin])
    return result


def _prepare(
    session: Session, principal: Principal, query: ReachQuery, *, osm: OsmSettings, action: str
) -> tuple[Region, StreetNetwork, SnappedPoints]:
    """Check the caller and the input, find the region and its network, and snap the point."""
    require_expansion_planner(principal, None, action=action)
    check_lon_lat(query.lon, query.lat)
    if not (math.isfinite(query.minutes) and MIN_MINUTES <= query.minutes <= MAX_MINUTES):
        msg = f"minutes must be between {MIN_MINUTES:g} and {MAX_MINUTES:g}, got {query.minutes!r}"
        raise InvalidInputError(msg)
    region = _region_for(session, principal, query)
    require_expansion_planner(principal, region.id, action=action)
    if not (region.street_region or region.extract_path):
        msg = f"region {region.slug!r} has no street graph; isochrones and reach need one"
        raise InvalidInputError(msg)
    network = get_network(
        region.street_region or region.slug, settings=osm, extract=region.extract_path
    )
    origin = nearest_edges_for(
        network.edge_index, [(query.lon, query.lat)], max_distance_m=math.inf
    )
    if origin.distance_m[0] > network.max_snap_distance_m:
        msg = (
            f"the point ({query.lon}, {query.lat}) is {origin.distance_m[0]:,.0f} m from the "
            f"nearest street of region {region.slug!r} (at most "
            f"{network.max_snap_distance_m:,.0f} m): it lies outside the region's street graph"
        )
        raise InvalidInputError(msg)
    return region, network, origin


def _region_for(session: Session, principal: Principal, query: ReachQuery) -> Region:
    """Return the named region, else the one the caller sees that contains the point.

    Of several regions containing the point, one with a street graph wins, then the smallest
    (a district's own region inside a city's), then the lowest id.
    """
    if query.region is not None:
        return get_region_by_ref(session, query.region, principal=principal)
    rows = session.scalars(
        select(m.Region).where(visible(m.Region, principal)).order_by(m.Region.id)
    )
    point = shapely.Point(query.lon, query.lat)
    containing = [r for r in (row.to_domain() for row in rows) if r.area.covers(point)]
    if not containing:
        msg = (
            f"the point ({query.lon}, {query.lat}) lies outside every region you may see; "
            "name a region or choose a point inside one"
        )
        raise InvalidInputError(msg)
    return min(
        containing,
        key=lambda r: (not (r.street_region or r.extract_path), r.area.area, r.id or 0),
    )


def _id(region: Region) -> int:
    if region.id is None:  # pragma: no cover (stored regions have ids)
        raise NotFoundError(f"unknown region {region.slug!r}")
    return region.id


def _site_rows(
    session: Session, principal: Principal, region_id: int
) -> list[tuple[int, str, str, float, float]]:
    """Return (id, name, kind, lon, lat) of every located site of the region the caller sees."""
    site = m.Site
    query = (
        select(site.id, site.name, site.kind, func.ST_X(site.location), func.ST_Y(site.location))
        .where(site.region_id == region_id, site.location.is_not(None), visible(site, principal))
        .order_by(site.id)
    )
    return [
        (int(a), str(b), str(c), float(x), float(y)) for a, b, c, x, y in session.execute(query)
    ]


def _pieces_per_site(session: Session, principal: Principal, region_id: int) -> dict[int, int]:
    """Return the number of furniture pieces per site of the region."""
    query = (
        select(m.Furniture.site_id, func.count())
        .join(m.Site, m.Site.id == m.Furniture.site_id)
        .where(m.Site.region_id == region_id, visible(m.Furniture, principal))
        .group_by(m.Furniture.site_id)
    )
    return {int(site_id): int(count) for site_id, count in session.execute(query)}


def _building_rows(
    session: Session, principal: Principal, region_id: int
) -> list[tuple[int, float, float]]:
    """Return (id, lon, lat) of every located building of the region the caller sees."""
    building = m.Building
    query = (
        select(building.id, func.ST_X(building.location), func.ST_Y(building.location))
        .where(
            building.region_id == region_id,
            building.location.is_not(None),
            visible(building, principal),
        )
        .order_by(building.id)
    )
    return [(int(a), float(x), float(y)) for a, x, y in session.execute(query)]


def _apartments_per_building(
    session: Session, principal: Principal, region_id: int
) -> dict[int, int]:
    """Return the number of apartments per building of the region."""
    query = (
        select(m.Apartment.building_id, func.count())
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .where(m.Building.region_id == region_id, visible(m.Apartment, principal))
        .group_by(m.Apartment.building_id)
    )
    return {int(building_id): int(count) for building_id, count in session.execute(query)}
