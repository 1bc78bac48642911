"""Routes, their stops and planning runs, as crews and planners read them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.scalars import FeatureCollection, GeoJSON
from sitecrew.api.types.places import Apartment, Furniture, Site
from sitecrew.api.types.work import Job
from sitecrew.domain.plans import StopKind, UnassignedReason
from sitecrew.domain.routes import RouteState, RunState
from sitecrew.services.planning.exports import route_to_geojson, route_to_gpx
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from sitecrew.domain import plans, routes

Info = strawberry.Info[Context, None]
strawberry.enum(RouteState, name="RouteStatus")
strawberry.enum(RunState, name="PlanningRunStatus")
strawberry.enum(UnassignedReason, name="UnassignedReason")
strawberry.enum(StopKind, name="StopKind", description="What happens at a stop.")


@strawberry.type(description="A stop on a route, with the road leg that leads to it.")
class RouteStop:
    sequence: int
    kind: StopKind
    eta: dt.datetime = strawberry.field(description="Arrival (UTC).")
    etd: dt.datetime = strawberry.field(description="Departure (UTC).")
    travel_seconds: int = strawberry.field(description="Driving time of the leg to this stop.")
    distance_metres: int
    fixed: bool = strawberry.field(description="Done or in progress when the day was re-planned.")
    leg: GeoJSON | None = strawberry.field(description="The road-following LineString.")
    label: str | None = strawberry.field(description="What to do here, in words.")
    lon: float | None = strawberry.field(
        description="Where the crew was sent, stored when planned (moving the target later "
        "does not move the stop); the depot for start and end, where the crew is for a break."
    )
    lat: float | None
    job_id: strawberry.ID | None
    target: strawberry.Private[Any]

    @strawberry.field(description="The job done at this stop.")
    async def job(self, info: Info) -> Job | None:
        if self.job_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.JOB].load(int(self.job_id))
        return Job.from_domain(found) if found else None

    @strawberry.field(description="The apartment visited (access notes, tenant for today's crew).")
    async def apartment(self, info: Info) -> Apartment | None:
        if self.target is None or self.target.apartment_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.APARTMENT].load(self.target.apartment_id)
        return Apartment.from_domain(found) if found else None

    @strawberry.field(description="The furniture item serviced.")
    async def furniture(self, info: Info) -> Furniture | None:
        if self.target is None or self.target.furniture_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.FURNITURE].load(self.target.furniture_id)
        return Furniture.from_domain(found) if found else None

    @strawberry.field(description="The site worked at (access notes).")
    async def site(self, info: Info) -> Site | None:
        if self.target is None or self.target.site_id is None:
            return None
        found = await info.context.loaders.by_id[Entity.SITE].load(self.target.site_id)
        return Site.from_domain(found) if found else None

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
            leg=stop.leg,
            label=target.label if target else None,
            lon=location.x if location is not None else None,
            lat=location.y if location is not None else None,
            job_id=strawberry.ID(str(target.job_id)) if target else None,
            target=target,
        )


@strawberry.type(description="A crew's route for one day.")
class Route:
    id: strawberry.ID
    crew_id: strawberry.ID
    crew_name: str
    date: dt.date
    status: RouteState
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
    message: str | None = strawberry.field(description="Why the run failed, if it did.")
    routes: int | None
    visits: int | None
    unassigned_count: int | None
    created_at: dt.datetime | None
    finished_at: dt.datetime | None
    unassigned: list[UnassignedJob]

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
            created_at=run.created_at,
            finished_at=run.finished_at,
            unassigned=[UnassignedJob.from_domain(u) for u in unassigned],
        )
