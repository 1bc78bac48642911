"""A campaign whose tenants book through self-service links, in the real-OSM offers world.

The offers world (``tests.services.offers_world``) plus one more building in the contractor's
east district with :data:`FLATS` flats, each with a named tenant; an active campaign over those
flats with only the contractor's crew (the one crew allowed there), whose day holds at most
``places`` visits; the first home is proposed for :data:`TUESDAY` 08:00-10:00. Nothing is
planned on Tuesday, so its places are the crew's ``places``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shapely.geometry import Point
from sqlalchemy import select
from tests.services.offers_world import MONDAY, TUESDAY, OffersWorld, build_offers_world, local

from sitecrew.config import TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.services import buildings
from sitecrew.services.campaigns import CreateCampaign, create_campaign

ADMIN = Principal(Role.ADMIN)
FLATS = 20
LINKS = TenantLinkSettings(secret="s" * 40, lifetime_days=30, base_url="https://visit.example")

__all__ = ["ADMIN", "FLATS", "LINKS", "MONDAY", "TUESDAY", "TenantWorld", "build_tenant_world"]


@dataclass(frozen=True)
class TenantWorld:
    """Ids of the tenant world."""

    offers: OffersWorld
    campaign_id: int
    flats: tuple[int, ...]
    homes: tuple[int, ...]  # the campaign home of each flat, in the same order
    crew_id: int  # the contractor's crew, the only one allowed in the east

    @property
    def planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.offers.region_id)


def build_tenant_world(session, *, places: int = 14) -> TenantWorld:
    """Create the world (rolled back with the caller's transaction unless it commits)."""
    offers = build_offers_world(session)
    east = session.scalar(select(m.District.id).where(m.District.name == "Offer east"))
    building = buildings.create_building(
        session,
        Building(
            offers.region_id, Point(10.761, 59.921), address="Östgata 7", levels=6, district_id=east
        ),
    )
    flats = []
    for n in range(FLATS):
        flat = buildings.create_apartment(session, Apartment(building.id or 0, f"U{n:02d}", 1))
        row = session.get(m.Apartment, flat.id)
        row.tenant_name = f"Tenant {n:02d}"
        flats.append(flat.id)
    session.flush()
    command = CreateCampaign(
        region_id=offers.region_id,
        name="Media boxes east",
        start_on=MONDAY,
        deadline_on=MONDAY + timedelta(days=27),
        crew_ids=(offers.contractor_crew_id,),
        apartment_ids=tuple(flats),
    )
    campaign = create_campaign(session, ADMIN, command)
    row = session.get(m.Campaign, campaign.id)
    row.status = CampaignStatus.ACTIVE.value
    session.get(m.Crew, offers.contractor_crew_id).max_jobs_per_day = places
    homes = {
        h.apartment_id: h
        for h in session.scalars(select(m.CampaignHome).where(m.CampaignHome.campaign_id == row.id))
    }
    first = homes[flats[0]]
    first.state, first.day, first.crew_id = (
        HomeState.PROPOSED.value,
        TUESDAY,
        offers.contractor_crew_id,
    )
    first.window_start, first.window_end = local(TUESDAY, 8), local(TUESDAY, 10)
    session.flush()
    return TenantWorld(
        offers=offers,
        campaign_id=row.id,
        flats=tuple(flats),
        homes=tuple(homes[f].id for f in flats),
        crew_id=offers.contractor_crew_id,
    )
