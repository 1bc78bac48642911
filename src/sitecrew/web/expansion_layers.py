"""Map layers of expansion planning (issue 18): ``GET /layers/isochrone`` and ``/layers/reach``.

Map clients (Leaflet, MapLibre, QGIS) load GeoJSON from a URL rather than from a GraphQL
answer, so the isochrone and the depot's reach are also served as RFC 7946 FeatureCollections:

- ``/layers/isochrone?lon=&lat=&minutes=[&region=][&departure=]``: one Feature, the polygon,
  with ``region``, ``minutes``, ``departure`` and ``areaKm2`` as properties;
- ``/layers/reach?lon=&lat=&minutes=[&region=]``: one point Feature per reached site (the
  nearest 500) with ``id``, ``name``, ``kind``, ``minutes`` and ``pieces``; the collection's
  ``properties`` member carries the counts.

Same bearer token and access rule as the ``isochrone`` and ``depotReach`` queries; the street
graph is free-flow, so ``departure`` is only echoed. Bad input answers 400, a missing token
401, a crew, contractor or tenant 403, an unknown region 404, each as ``{"error": {"code",
"message", "requestId"}}``, like the route downloads.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import orjson
from starlette.responses import Response
from starlette.routing import Route

from sitecrew.domain.geo import geometry_to_geojson
from sitecrew.errors import InvalidInputError, SitecrewError
from sitecrew.services.expansion.reach import ReachQuery, depot_reach, isochrone_area
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.file_errors import busy_answer, refusal_answer

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.services.expansion.reach import DepotReach, IsochroneArea
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

MEDIA_TYPE = "application/geo+json"
#: Longest text taken for a query parameter (a region slug or an ISO time is far shorter).
PARAMETER_MAX = 100


class ExpansionLayers:
    """The endpoints behind ``/layers/isochrone`` and ``/layers/reach`` (see :meth:`routes`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        authenticator: BearerAuthenticator,
        admission: Admission,
        osm: OsmSettings,
    ) -> None:
        self._sessions = sessions
        self._authenticator = authenticator
        self._admission = admission
        self._osm = osm

    def routes(self) -> list[Route]:
        """Return the two GET routes."""
        return [
            Route("/layers/isochrone", self.isochrone, methods=["GET"]),
            Route("/layers/reach", self.reach, methods=["GET"]),
        ]

    async def isochrone(self, request: Request) -> Response:
        """Answer one isochrone layer request."""
        return await self._answer(request, "isochrone layer", self._isochrone)

    async def reach(self, request: Request) -> Response:
        """Answer one depot reach layer request."""
        return await self._answer(request, "reach layer", self._reach)

    async def _answer(self, request: Request, what: str, build: Any) -> Response:
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                query = parse_query(request.query_params)
                body = await anyio.to_thread.run_sync(build, principal, query)
        except SitecrewError as error:
            return refusal_answer(error, principal, what=what)
        except ServerBusyError as busy:
            return busy_answer(busy)
        return Response(body, media_type=MEDIA_TYPE)

    def _isochrone(self, principal: Principal, query: ReachQuery) -> bytes:
        with self._sessions() as session:
            area = isochrone_area(session, principal, query, osm=self._osm)
        return orjson.dumps(isochrone_collection(area))

    def _reach(self, principal: Principal, query: ReachQuery) -> bytes:
        with self._sessions() as session:
            found = depot_reach(session, principal, query, osm=self._osm)
        return orjson.dumps(reach_collection(found))


def parse_query(params: Mapping[str, str]) -> ReachQuery:
    """Return the query of ``?lon=&lat=&minutes=&region=&departure=``, or raise naming the bad part.

    Raises
    ------
    InvalidInputError
        For a missing or non-numeric lon, lat or minutes, or a departure that is not ISO 8601.
    """
    lon, lat, minutes = (_number(params, name) for name in ("lon", "lat", "minutes"))
    region = _text(params, "region")
    departure_text = _text(params, "departure")
    departure = None
    if departure_text is not None:
        try:
            departure = datetime.fromisoformat(departure_text)
        except ValueError:
            msg = f"departure {departure_text!r} is not an ISO 8601 time (2026-06-02T07:30:00Z)"
            raise InvalidInputError(msg) from None
    return ReachQuery(lon, lat, minutes, departure=departure, region=region)


def isochrone_collection(area: IsochroneArea) -> dict[str, Any]:
    """Return the isochrone as a FeatureCollection of one polygon Feature."""
    properties = {
        "regionId": area.region_id,
        "region": area.region_slug,
        "lon": area.lon,
        "lat": area.lat,
        "minutes": area.minutes,
        "departure": None if area.departure is None else area.departure.isoformat(),
        "areaKm2": area.area_km2,
    }
    feature = {
        "type": "Feature",
        "geometry": geometry_to_geojson(area.area),
        "properties": properties,
    }
    return {"type": "FeatureCollection", "features": [feature]}


def reach_collection(reach: DepotReach) -> dict[str, Any]:
    """Return the reached sites as point Features; the counts in the collection's properties."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
            "properties": {
                "id": site.id,
                "name": site.name,
                "kind": site.kind,
                "minutes": site.minutes,
                "pieces": site.pieces,
            },
        }
        for site in reach.sites
    ]
    counts = {
        "regionId": reach.region_id,
        "region": reach.region_slug,
        "lon": reach.lon,
        "lat": reach.lat,
        "minutes": reach.minutes,
        "siteCount": reach.site_count,
        "pieceCount": reach.piece_count,
        "buildingCount": reach.building_count,
        "apartmentCount": reach.apartment_count,
        "unroutableSites": reach.unroutable_sites,
        "unroutableBuildings": reach.unroutable_buildings,
    }
    return {"type": "FeatureCollection", "features": features, "properties": counts}


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > PARAMETER_MAX:
        msg = f"{name} is longer than {PARAMETER_MAX} characters"
        raise InvalidInputError(msg)
    return value.strip()


def _number(params: Mapping[str, str], name: str) -> float:
    text = _text(params, name)
    if text is None:
        msg = f"{name} is required: /layers/...?lon=10.76&lat=59.92&minutes=10"
        raise InvalidInputError(msg)
    try:
        value = float(text)
    except ValueError:
        msg = f"{name} must be a number, got {text[:40]!r}"
        raise InvalidInputError(msg) from None
    if not math.isfinite(value):
        msg = f"{name} must be a finite number, got {text[:40]!r}"
        raise InvalidInputError(msg)
    return value
