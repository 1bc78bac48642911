"""GraphQL types of isochrones and depot reach (issue 18 item 1)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from sitecrew.api.scalars import GeoJSON

if TYPE_CHECKING:
    from sitecrew.services.expansion import reach as r


@strawberry.type(
    description="The area within `minutes` of free-flow driving from a point, drawn from the "
    "region's streets (reached streets buffered 40 m and merged, enclosed blocks filled)."
)
class Isochrone:
    geojson: GeoJSON = strawberry.field(
        description="A GeoJSON Polygon, or MultiPolygon where reached streets part (WGS 84)."
    )
    region_id: strawberry.ID
    region: str = strawberry.field(description="The region's slug.")
    lon: float
    lat: float
    minutes: float
    departure: dt.datetime | None = strawberry.field(
        description="As asked, echoed: the street graph is free-flow, so it changes nothing."
    )
    area_km2: float

    @classmethod
    def from_domain(cls, area: r.IsochroneArea) -> Isochrone:
        """Build from ``reach.IsochroneArea``."""
        return cls(
            geojson=GeoJSON(area.area),
            region_id=strawberry.ID(str(area.region_id)),
            region=area.region_slug,
            lon=area.lon,
            lat=area.lat,
            minutes=area.minutes,
            departure=area.departure,
            area_km2=area.area_km2,
        )


@strawberry.type(description="A site within the budget, by street travel time from the point.")
class ReachedSite:
    id: strawberry.ID
    name: str
    kind: str
    minutes: float = strawberry.field(description="Driving minutes from the point (free-flow).")
    pieces: int = strawberry.field(description="Furniture pieces at the site.")
    lon: float
    lat: float


@strawberry.type(
    description="What lies within `minutes` of free-flow driving from a point (a depot): "
    "sites, pieces, buildings and apartments, timed over the streets, not by a polygon."
)
class DepotReach:
    region_id: strawberry.ID
    region: str = strawberry.field(description="The region's slug.")
    lon: float
    lat: float
    minutes: float
    site_count: int = strawberry.field(description="Every reached site (sites lists the nearest).")
    piece_count: int = strawberry.field(description="Furniture pieces at the reached sites.")
    building_count: int
    apartment_count: int = strawberry.field(description="Apartments of the reached buildings.")
    unroutable_sites: int = strawberry.field(
        description="Sites too far from any street to be timed (check their points)."
    )
    unroutable_buildings: int
    sites: list[ReachedSite] = strawberry.field(
        description="The nearest reached sites, by minutes then id (at most 500)."
    )

    @classmethod
    def from_domain(cls, reach: r.DepotReach) -> DepotReach:
        """Build from ``reach.DepotReach``."""
        return cls(
            region_id=strawberry.ID(str(reach.region_id)),
            region=reach.region_slug,
            lon=reach.lon,
            lat=reach.lat,
            minutes=reach.minutes,
            site_count=reach.site_count,
            piece_count=reach.piece_count,
            building_count=reach.building_count,
            apartment_count=reach.apartment_count,
            unroutable_sites=reach.unroutable_sites,
            unroutable_buildings=reach.unroutable_buildings,
            sites=[
                ReachedSite(
                    id=strawberry.ID(str(site.id)),
                    name=site.name,
                    kind=site.kind,
                    minutes=site.minutes,
                    pieces=site.pieces,
                    lon=site.lon,
                    lat=site.lat,
                )
                for site in reach.sites
            ],
        )
