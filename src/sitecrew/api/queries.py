"""The Query root: thin resolvers over the read services."""

from __future__ import annotations

from typing import Any

import strawberry

from sitecrew.api.appointments import AppointmentQueries
from sitecrew.api.campaigns.queries import CampaignQueries
from sitecrew.api.care.queries import CareQueries
from sitecrew.api.care_inspections.queries import CareInspectionQueries
from sitecrew.api.context import Context
from sitecrew.api.expansion.queries import ExpansionQueries
from sitecrew.api.expansion.scenarios import ExpansionScenarioQueries
from sitecrew.api.inputs import ApartmentFilter, BBoxInput, FurnitureFilter, JobFilter, SiteFilter
from sitecrew.api.installations.queries import InstallationQueries
from sitecrew.api.mutations.tenants import TenantQueries
from sitecrew.api.notifications.queries import NotificationQueries
from sitecrew.api.pagination import Connection, check_page_size, connection_of, decode_cursor
from sitecrew.api.planning import PlanningQueries
from sitecrew.api.register_queries import RegisterQueries
from sitecrew.api.scalars import FeatureCollection
from sitecrew.api.tenant_visits import TenantVisitQueries
from sitecrew.api.types.places import Apartment, Building, District, Furniture, Region, Site
from sitecrew.api.types.work import Crew, Job
from sitecrew.api.viewer import ViewerQueries
from sitecrew.api.wear_report.queries import WearReportQueries
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError
from sitecrew.services import regions as region_service
from sitecrew.services.reading import entities
from sitecrew.services.reading.entities import Entity
from sitecrew.services.reading.listing import ListFilter
from sitecrew.services.reading.viewport import Layer, viewport_collection

Info = strawberry.Info[Context, None]
strawberry.enum(Layer, name="ViewportLayer")
DEFAULT_PAGE = 50


async def _page(
    info: Info, entity: Entity, filters: ListFilter, *, first: int, after: str | None, convert: Any
) -> Any:
    context = info.context
    limit = check_page_size(first, context.settings.server.max_page_size)
    after_id = decode_cursor(after)
    items, has_next = await context.read(
        entities.list_entities, entity, context.user, filters, after_id=after_id, limit=limit
    )
    return connection_of(
        [convert(item) for item in items], [item.id for item in items], has_next=has_next
    )


async def _one(info: Info, entity: Entity, entity_id: strawberry.ID, convert: Any) -> Any:
    found = await info.context.read(
        entities.get_visible, entity, info.context.user, parse_id(entity_id)
    )
    return convert(found)


@strawberry.type
class Query(
    PlanningQueries,
    TenantQueries,
    RegisterQueries,
    CampaignQueries,
    AppointmentQueries,
    NotificationQueries,
    TenantVisitQueries,  # tenants' self-service (issue 16)
    CareInspectionQueries,  # inspections, condition, wear codes (issue 17)
    CareQueries,  # care plans and seasons (issue 17)
    WearReportQueries,  # the wear report (issue 17)
    InstallationQueries,  # new furniture to install (issue 17)
    ExpansionQueries,  # isochrones and depot reach (issue 18)
    ExpansionScenarioQueries,  # expansion scenarios (issue 18)
    ViewerQueries,  # who the token is, for a map console (issue 19)
):
    @strawberry.field(description="Regions the caller may see.")
    async def regions(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Region]:
        return await _page(
            info, Entity.REGION, ListFilter(), first=first, after=after, convert=Region.from_domain
        )

    @strawberry.field(
        description="One region, by its slug (any case: `oslo`) or its id; give exactly one. "
        "A region the caller may not see is NOT_FOUND, like one that does not exist."
    )
    async def region(
        self, info: Info, slug: str | None = None, id: strawberry.ID | None = None
    ) -> Region:
        if (slug is None) == (id is None):
            raise InvalidInputError("give the region's slug or its id (exactly one)")
        ref = slug if slug is not None else parse_id(id, "region")
        user = info.context.user
        found = await info.context.read(region_service.get_region_by_ref, ref, principal=user)
        return Region.from_domain(found)

    @strawberry.field(description="Districts the caller may see.")
    async def districts(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[District]:
        return await _page(
            info,
            Entity.DISTRICT,
            ListFilter(),
            first=first,
            after=after,
            convert=District.from_domain,
        )

    @strawberry.field(description="One site.")
    async def site(self, info: Info, id: strawberry.ID) -> Site:
        return await _one(info, Entity.SITE, id, Site.from_domain)

    @strawberry.field(description="Sites, filtered and paginated.")
    async def sites(
        self,
        info: Info,
        filter: SiteFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Site]:
        filters = filter.to_list_filter() if filter else ListFilter()
        return await _page(
            info, Entity.SITE, filters, first=first, after=after, convert=Site.from_domain
        )

    @strawberry.field(description="One furniture item.")
    async def furniture_item(self, info: Info, id: strawberry.ID) -> Furniture:
        return await _one(info, Entity.FURNITURE, id, Furniture.from_domain)

    @strawberry.field(description="Furniture items, filtered and paginated.")
    async def furniture(
        self,
        info: Info,
        filter: FurnitureFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Furniture]:
        filters = filter.to_list_filter() if filter else ListFilter()
        return await _page(
            info, Entity.FURNITURE, filters, first=first, after=after, convert=Furniture.from_domain
        )

    @strawberry.field(description="One building.")
    async def building(self, info: Info, id: strawberry.ID) -> Building:
        return await _one(info, Entity.BUILDING, id, Building.from_domain)

    @strawberry.field(description="Apartment buildings, filtered and paginated.")
    async def buildings(
        self,
        info: Info,
        filter: ApartmentFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Building]:
        filters = filter.to_list_filter() if filter else ListFilter()
        filters = ListFilter(
            **{
                **filters.__dict__,
                "equals": {k: v for k, v in filters.equals.items() if k == "district_id"},
            }
        )
        return await _page(
            info, Entity.BUILDING, filters, first=first, after=after, convert=Building.from_domain
        )

    @strawberry.field(description="One apartment.")
    async def apartment(self, info: Info, id: strawberry.ID) -> Apartment:
        return await _one(info, Entity.APARTMENT, id, Apartment.from_domain)

    @strawberry.field(description="Apartments, filtered and paginated.")
    async def apartments(
        self,
        info: Info,
        filter: ApartmentFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Apartment]:
        filters = filter.to_list_filter() if filter else ListFilter()
        return await _page(
            info, Entity.APARTMENT, filters, first=first, after=after, convert=Apartment.from_domain
        )

    @strawberry.field(description="One job.")
    async def job(self, info: Info, id: strawberry.ID) -> Job:
        return await _one(info, Entity.JOB, id, Job.from_domain)

    @strawberry.field(description="Jobs, filtered and paginated.")
    async def jobs(
        self,
        info: Info,
        filter: JobFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Job]:
        filters = filter.to_list_filter() if filter else ListFilter()
        return await _page(
            info, Entity.JOB, filters, first=first, after=after, convert=Job.from_domain
        )

    @strawberry.field(description="One crew.")
    async def crew(self, info: Info, id: strawberry.ID) -> Crew:
        return await _one(info, Entity.CREW, id, Crew.from_domain)

    @strawberry.field(description="Crews the caller may see.")
    async def crews(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Crew]:
        return await _page(
            info, Entity.CREW, ListFilter(), first=first, after=after, convert=Crew.from_domain
        )

    @strawberry.field(
        description="A map layer inside a box, as one GeoJSON FeatureCollection (capped)."
    )
    async def viewport(self, info: Info, layer: Layer, bbox: BBoxInput) -> FeatureCollection:
        context = info.context
        cap = context.settings.server.max_viewport_features
        collection: str = await context.read(
            viewport_collection,
            context.user,
            layer,
            bbox.to_domain(),
            max_features=cap,
        )
        return FeatureCollection(collection)
