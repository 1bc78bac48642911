"""Isochrone and depot reach queries (admins; planners: their region; others: FORBIDDEN)."""

from __future__ import annotations

import datetime as dt

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.expansion.types import DepotReach, Isochrone
from sitecrew.services.expansion.reach import ReachQuery, depot_reach, isochrone_area

Info = strawberry.Info[Context, None]


@strawberry.type
class ExpansionQueries:
    @strawberry.field(
        description="The area within `minutes` (1-120) of driving from (lon, lat), from the "
        "street graph of `regionId` (a slug or id) or of the region holding the point. The "
        "graph is free-flow (speed limits, no traffic): `departure` is accepted and echoed "
        "but does not change the area. INVALID_INPUT for minutes out of range, a point that "
        "is not lon/lat or lies off the region's streets, or a region without a street graph; "
        "NOT_FOUND for an unknown region; FORBIDDEN for crews, contractors and tenants."
    )
    async def isochrone(
        self,
        info: Info,
        *,
        lon: float,
        lat: float,
        minutes: float,
        departure: dt.datetime | None = None,
        region_id: strawberry.ID | None = None,
    ) -> Isochrone:
        context = info.context
        query = ReachQuery(lon, lat, minutes, departure=departure, region=region_id)
        area = await context.read(isochrone_area, context.user, query, osm=context.settings.osm)
        return Isochrone.from_domain(area)

    @strawberry.field(
        description="The sites, furniture pieces, buildings and apartments within `minutes` "
        "(1-120) of free-flow driving from (lon, lat), timed over the streets of `regionId` "
        "(a slug or id) or of the region holding the point. Errors as for isochrone."
    )
    async def depot_reach(
        self,
        info: Info,
        *,
        lon: float,
        lat: float,
        minutes: float,
        region_id: strawberry.ID | None = None,
    ) -> DepotReach:
        context = info.context
        query = ReachQuery(lon, lat, minutes, region=region_id)
        found = await context.read(depot_reach, context.user, query, osm=context.settings.osm)
        return DepotReach.from_domain(found)
