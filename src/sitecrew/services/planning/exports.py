"""A stored route as files: GeoJSON for maps, GPX 1.1 for drivers' navigation apps.

Both are written from what was stored with the route (its stops' points and its road legs), so an
export shows what the crew was told and needs only shapely: no street graph, osmnx or networkx
is imported to download a route. Times are the region's local times with their offset
(``07:30:00+02:00``); GPX ``<time>`` elements are UTC, as GPX 1.1 requires, while a waypoint's
name carries the local clock time a driver reads.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from shapely.geometry import mapping

from sitecrew.domain.plans import StopKind

if TYPE_CHECKING:
    from shapely.geometry import Point

    from sitecrew.domain.routes import CrewDayRoute, RouteStop

_PLACE_NAMES = {StopKind.START: "leave the depot", StopKind.END: "back at the depot"}


def route_to_geojson(route: CrewDayRoute) -> dict[str, Any]:
    """Return the route as a GeoJSON FeatureCollection: its legs, then its stops as points.

    Leg features carry ``origin`` and ``destination`` (the sequence numbers of the stops they
    join, 0 = leaving the depot), ``duration_s`` and ``distance_m``; stop features carry the
    sequence, kind, job, label, address, the ids of what the stop links (site, furniture item,
    apartment, building) and local times. Collection properties name the crew, day, status and
    the time zone of those times.
    """
    features = [_leg_feature(stop) for stop in route.stops if stop.leg is not None]
    features += [_stop_feature(stop) for stop in route.stops if stop.location is not None]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "crew": route.crew_name,
            "date": route.service_date.isoformat(),
            "status": route.state.value,
            "timezone": route.timezone,
        },
    }


def _leg_feature(stop: RouteStop) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": mapping(stop.leg),
        "properties": {
            "origin": stop.sequence - 1,
            "destination": stop.sequence,
            "duration_s": stop.travel_s,
            "distance_m": stop.distance_m,
        },
    }


def _stop_feature(stop: RouteStop) -> dict[str, Any]:
    target = stop.target
    return {
        "type": "Feature",
        "geometry": mapping(stop.location),
        "properties": {
            "sequence": stop.sequence,
            "kind": stop.kind.value,
            "job_id": stop.job_id,
            "label": _stop_name(stop),
            "address": stop.address,
            "site_id": target.site_id if target else None,
            "furniture_id": target.furniture_id if target else None,
            "apartment_id": target.apartment_id if target else None,
            "building_id": target.building_id if target else None,
            "arrival_at": stop.arrival_at.isoformat(),
            "departure_at": stop.departure_at.isoformat(),
        },
    }


def route_to_gpx(route: CrewDayRoute) -> str:
    """Return the route as a GPX 1.1 document: stops as waypoints, one track segment per leg.

    GPX is what drivers' navigation apps import, so a planned day can be followed on a phone.
    A navigation app lists waypoints by name alone, so each name says it all: sequence, local
    arrival time, what to do and where (``3. 09:15 install media box: Storgata 1, flat H0101``).
    """
    name = f"{route.crew_name} {route.service_date.isoformat()}"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="sitecrew" xmlns="http://www.topografix.com/GPX/1/1">',
    ]
    lines += [_waypoint(stop, stop.location) for stop in route.stops if stop.location is not None]
    lines.append(f"  <trk><name>{escape(name)}</name>")
    for stop in route.stops:
        if stop.leg is None:
            continue
        lines.append("    <trkseg>")
        lines += [f"      <trkpt {_lat_lon(lon, lat)}/>" for lon, lat, *_ in stop.leg.coords]
        lines.append("    </trkseg>")
    lines += ["  </trk>", "</gpx>"]
    return "\n".join(lines) + "\n"


def _waypoint(stop: RouteStop, point: Point) -> str:
    """Return a stop as a ``<wpt>``: UTC ``<time>``, a full ``<name>``, address in ``<desc>``.

    Child elements follow the order the GPX 1.1 schema requires (time, name, desc, type).
    """
    arrival = stop.arrival_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [
        f"<time>{arrival}</time>",
        f"<name>{escape(waypoint_name(stop))}</name>",
        f"<desc>{escape(stop.address)}</desc>" if stop.address else "",
        f"<type>{stop.kind.value}</type>",
    ]
    return f"  <wpt {_lat_lon(point.x, point.y)}>{''.join(parts)}</wpt>"


def waypoint_name(stop: RouteStop) -> str:
    """Return what a driver reads for a stop: sequence, local time, what to do, and where.

    The address is left out when the label already holds it (an apartment's label is its
    building's address and flat).
    """
    name = f"{stop.sequence}. {stop.arrival_at:%H:%M} {_stop_name(stop)}"
    if stop.address and stop.address not in name:
        name += f", {stop.address}"
    return name


def _lat_lon(lon: float, lat: float) -> str:
    return f'lat="{lat:.7f}" lon="{lon:.7f}"'


def _stop_name(stop: RouteStop) -> str:
    """Return what a driver reads at a stop: the job's label, else the kind of stop."""
    if stop.target is not None:
        return stop.target.label
    return _PLACE_NAMES.get(stop.kind, stop.kind.value)
