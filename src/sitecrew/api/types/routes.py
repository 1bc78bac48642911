"""Routes, their stops and planning runs, as crews and planners read them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import shapely
import strawberry

from sitecrew.api.context import Context
from sitecrew.api.loaders import now_or_later
from sitecrew.api.scalars import FeatureCollection, GeoJSON
from sitecrew.api.types.places import Apartment, Building, Furniture, Site
from sitecrew.api.types.work import Job
from sitecrew.domain.geo import geometry_to_geojson
from sitecrew.domain.plans import StopKind, UnassignedReason
from sitecrew.domain.routes import RouteState, RunState
from sitecrew.services.planning.exports import route_to_geojson, route_to_gpx
from sitecrew.services.planning.read import zone_of
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from shapely.geometry import LineString

    from sitecrew.domain import plans, routes

Info = strawberry.Info[Context, None]
strawberry.enum(RouteState, name="RouteStatus")
strawberry.enum(RunState, name="PlanningRunStatus")
strawberry.enum(UnassignedReason, name="UnassignedReason")
strawberry.enum(StopKind, name="StopKind", description="What happens at a stop.")


@strawberry.type(
    description="A stop on a route, with the road leg that leads to it. Times are local to the "
    "route's region, with their UTC offset (07:30:00+02:00 in an Oslo summer)."
)
class RouteStop:
    sequence: int
    kind: StopKind
    eta: dt.datetime = strawberry.field(description="Arrival, in the region's time zone.")
    etd: dt.datetime = strawberry.field(description="Departure, in the region's time zone.")
    travel_seconds: int = strawberry.field(description="Driving time of the leg to this stop.")
    distance_metres: int
    fixed: bool = strawberry.field(description="Done or in progress when the day was re-planned.")
    leg: GeoJSON | None = strawberry.field(description="The road-following LineString.")
    label: str | None = strawberry.field(description="What to do here, in words.")
    address: str | None = strawberry.field(
        description="The street address: the building's, the site's, or the depot's for start "
        "and end (none for a break)."
    )
    lon: float | None = strawberry.field(
        description="Where the crew was sent, stored when planned (moving the target later "
        "does not move the stop); the depot for start and end, where the crew is for a break."
    )
    lat: float | None
    job_id: strawberry.ID | None
    target: strawberry.Private[Any]

    # The relations of a stop answer at once when the route's resolver read them ahead (see
    # ``api.planning``), and through their DataLoader otherwise (a route of a subscription).
    @strawberry.field(description="The job done at this stop.", graphql_type=Job | None)
    def job(self, info: Info) -> Any:
        return self._related(info, Entity.JOB, self.target and self.target.job_id, Job)

    @strawberry.field(
        description="The apartment visited (access notes, tenant for today's crew).",
        graphql_type=Apartment | None,
    )
    def apartment(self, info: Info) -> Any:
        apartment_id = self.target and self.target.apartment_id
        return self._related(info, Entity.APARTMENT, apartment_id, Apartment)

    @strawberry.field(description="The furniture item serviced.", graphql_type=Furniture | None)
    def furniture(self, info: Info) -> Any:
        furniture_id = self.target and self.target.furniture_id
        return self._related(info, Entity.FURNITURE, furniture_id, Furniture)

    @strawberry.field(
        description="The building of the apartment visited.", graphql_type=Building | None
    )
    def building(self, info: Info) -> Any:
        building_id = self.target and self.target.building_id
        return self._related(info, Entity.BUILDING, building_id, Building)

    @strawberry.field(
        description="The site worked at, or the site a serviced furniture item stands in "
        "(access notes).",
        graphql_type=Site | None,
    )
    def site(self, info: Info) -> Any:
        return self._related(info, Entity.SITE, self.target and self.target.site_id, Site)

    @staticmethod
    def _related(info: Info, entity: Entity, related_id: int | None, kind: Any) -> Any:
        if related_id is None:
            return None
        return now_or_later(info.context.loaders.by_id[entity], related_id, kind.from_domain)

    @classmethod
    def from_domain(cls, stop: routes.RouteStop) -> RouteStop:
        """Build from the stored stop."""
        target = stop.target
        location = stop.location
        return cls(
            sequence=stop.sequence,
            kind=stop.kind,
            eta=stop.arrival_at,
            etd=stop.departure_at,
            travel_seconds=stop.travel_s,
            distance_metres=stop.distance_m,
            fixed=stop.fixed,
            leg=_leg_geojson(stop.leg),
            label=target.label if target else None,
            address=stop.address,
            lon=location.x if location is not None else None,
            lat=location.y if location is not None else None,
            job_id=strawberry.ID(str(target.job_id)) if target else None,
            target=target,
        )


def _leg_geojson(leg: LineString | None) -> GeoJSON | None:
    """Return a leg as its GeoJSON object, its coordinates read in one call.

    A day's legs hold hundreds of points; reading them one by one (shapely's ``mapping``) was
    a visible share of a crew's route. Anything but a flat LineString goes the general way.
    """
    if leg is None:
        return None
    if leg.geom_type != "LineString" or leg.has_z:
        return GeoJSON(geometry_to_geojson(leg))
    return GeoJSON({"type": "LineString", "coordinates": shapely.get_coordinates(leg).tolist()})


@strawberry.type(description="A crew's route for one day.")
class Route:
    id: strawberry.ID
    crew_id: strawberry.ID
    crew_name: str
    date: dt.date
    status: RouteState
    time_zone: str = strawberry.field(
        description="The IANA time zone of the crew's region, which every time here is in."
    )
    starts_at: dt.datetime | None = strawberry.field(description="When the crew leaves the depot.")
    ends_at: dt.datetime | None = strawberry.field(description="When the crew is back.")
    travel_seconds: int
    distance_metres: int
    stops: list[RouteStop]
    route: strawberry.Private[Any]

    @strawberry.field(description="The route as a GeoJSON FeatureCollection (legs and stops).")
    def geojson(self) -> FeatureCollection:
        return FeatureCollection(route_to_geojson(self.route))

    @strawberry.field(description="The route as a GPX 1.1 document (for navigation apps).")
    def gpx(self) -> str:
        return route_to_gpx(self.route)

    @classmethod
    def from_domain(cls, route: routes.CrewDayRoute) -> Route:
        """Build from the stored route."""
        return cls(
            id=strawberry.ID(str(route.route_id)),
            crew_id=strawberry.ID(str(route.crew_id)),
            crew_name=route.crew_name,
            date=route.service_date,
            status=route.state,
            time_zone=route.timezone,
            starts_at=route.stops[0].departure_at if route.stops else None,
            ends_at=route.stops[-1].arrival_at if route.stops else None,
            travel_seconds=route.travel_s,
            distance_metres=route.distance_m,
            stops=[RouteStop.from_domain(stop) for stop in route.stops],
            route=route,
        )


@strawberry.type(description="A job a planning run left out, and why.")
class UnassignedJob:
    job_id: strawberry.ID
    reason: UnassignedReason
    detail: str

    @strawberry.field
    async def job(self, info: Info) -> Job | None:
        found = await info.context.loaders.by_id[Entity.JOB].load(int(self.job_id))
        return Job.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, job: plans.UnassignedJob) -> UnassignedJob:
        """Build from a left-out job."""
        return cls(job_id=strawberry.ID(job.job_id), reason=job.reason, detail=job.detail)


@strawberry.type(description="A background planning run: poll it for progress and the result.")
class PlanningRun:
    id: strawberry.ID
    region_id: strawberry.ID
    date: dt.date
    status: RunState
    progress: float = strawberry.field(description="0 to 1.")
    step: str | None
    message: str | None = strawberry.field(
        description="Why the run failed, or why it planned nobody (no crew works that day)."
    )
    routes: int | None
    visits: int | None
    unassigned_count: int | None
    unassigned: list[UnassignedJob]
    created: strawberry.Private[dt.datetime | None]
    finished: strawberry.Private[dt.datetime | None]

    @strawberry.field(description="When the run was asked for, in the region's time zone.")
    async def created_at(self, info: Info) -> dt.datetime | None:
        return await _in_region_zone(info, int(self.region_id), self.created)

    @strawberry.field(description="When the run ended, in the region's time zone.")
    async def finished_at(self, info: Info) -> dt.datetime | None:
        return await _in_region_zone(info, int(self.region_id), self.finished)

    @classmethod
    def from_domain(cls, run: Any, unassigned: Any = ()) -> PlanningRun:
        """Build from ``domain.routes.PlanningRunInfo`` and its unassigned jobs."""
        summary = run.summary or {}
        return cls(
            id=strawberry.ID(str(run.id)),
            region_id=strawberry.ID(str(run.region_id)),
            date=run.service_date,
            status=run.state,
            progress=run.progress,
            step=run.step,
            message=run.message,
            routes=summary.get("routes"),
            visits=summary.get("visits"),
            unassigned_count=summary.get("unassigned"),
            created=run.created_at,
            finished=run.finished_at,
            unassigned=[UnassignedJob.from_domain(u) for u in unassigned],
        )


async def _in_region_zone(
    info: Info, region_id: int, moment: dt.datetime | None
) -> dt.datetime | None:
    """Return ``moment`` on the clock of the region (as stored, UTC, if the region is unseen).

    A run plans a local day, so its times read best beside that day's route times.
    """
    if moment is None:
        return None
    region = await info.context.loaders.by_id[Entity.REGION].load(region_id)
    return moment if region is None else moment.astimezone(zone_of(region.timezone))
