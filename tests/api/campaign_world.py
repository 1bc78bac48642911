"""A small campaign world inside the API world's database (names of its own, so it fits beside
the demo data): two districts, the east one bound to a contractor; a crew of the housing company
(two members, the second trained from Wednesday) and one of the contractor; a crew in another
region; three buildings with 8, 6 and 6 flats. The same shape as the world of
``tests.services.test_campaign_create``, whose dates it shares.
"""

from __future__ import annotations

from datetime import date, time

import shapely
from shapely.geometry import Point
from tests.services.test_campaign_create import DEADLINE, START, TRAINED_ON, CampaignWorld

from sitecrew.db import models as m
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot, Skill
from sitecrew.domain.organisations import District, Organisation, OrganisationKind, Region
from sitecrew.services import buildings, crews, organisations

__all__ = ["DEADLINE", "START", "CampaignWorld", "build_api_campaign_world"]
INSTALL = frozenset({Skill.MEDIA_BOX, Skill.DRIVING})
WEST = shapely.box(10.72, 59.90, 10.75, 59.94)
EAST = shapely.box(10.75, 59.90, 10.78, 59.94)


def build_api_campaign_world(session, prefix: str = "Sweepville") -> CampaignWorld:
    """Create the world through the services (rolled back with the caller's transaction)."""
    housing = organisations.create_organisation(
        session, Organisation(f"{prefix} Bolig", OrganisationKind.OWNER)
    )
    contractor = organisations.create_organisation(
        session, Organisation(f"{prefix} Montasje", OrganisationKind.CONTRACTOR)
    )
    region = organisations.create_region(
        session, Region(prefix, shapely.box(10.72, 59.90, 10.78, 59.94))
    )
    other = organisations.create_region(
        session, Region(f"{prefix} Far", shapely.box(5.3, 60.3, 5.4, 60.4))
    )
    west = organisations.create_district(session, District(f"{prefix} West", region.id, WEST))
    east = organisations.create_district(
        session, District(f"{prefix} East", region.id, EAST, contractor_id=contractor.id)
    )
    empty = organisations.create_district(
        session,
        District(f"{prefix} Empty", region.id, shapely.box(10.72, 59.935, 10.73, 59.94)),
    )
    depot = crews.create_depot(
        session, Depot(f"{prefix} depot", region.id, Point(10.75, 59.92), "Gata 1")
    )
    far_depot = crews.create_depot(
        session, Depot(f"{prefix} far depot", other.id, Point(5.35, 60.35), "Vei 2")
    )
    own = _crew(session, f"{prefix} own", region.id, depot.id or 0, housing.id)
    hired = _crew(session, f"{prefix} hired", region.id, depot.id or 0, contractor.id)
    far = _crew(session, f"{prefix} far", other.id, far_depot.id or 0, housing.id)
    lead = crews.add_crew_member(
        session, CrewMember(own, "Kari", CrewRole.LEAD, INSTALL, date(2020, 1, 1))
    )
    crews.add_crew_member(session, CrewMember(own, "Per", CrewRole.MEMBER, INSTALL, TRAINED_ON))
    session.get(m.Crew, own).min_members = 2
    crews.add_crew_member(session, CrewMember(hired, "Ali", CrewRole.LEAD, INSTALL, None))
    session.flush()
    specs = [
        (west.id, Point(10.730, 59.920), f"{prefix}gata 1", 8, 2),
        (west.id, Point(10.731, 59.921), f"{prefix}gata 3", 6, 1),
        (east.id, Point(10.760, 59.920), f"{prefix}veien 5", 6, 1),
    ]
    building_ids, flats = [], {}
    for district_id, point, address, count, entrances in specs:
        building = buildings.create_building(
            session,
            Building(
                region.id,
                point,
                address=address,
                levels=4,
                entrances=tuple(Point(point.x + 0.0001 * n, point.y) for n in range(entrances)),
                district_id=district_id,
            ),
        )
        building_ids.append(building.id)
        flats[building.id] = tuple(
            buildings.create_apartment(
                session,
                Apartment(building.id or 0, f"H{n // 2 + 1:02d}{n % 2 + 1:02d}", n // 2 + 1),
            ).id
            for n in range(count)
        )
    return CampaignWorld(
        region_id=region.id or 0,
        other_region_id=other.id or 0,
        west_id=west.id or 0,
        east_id=east.id or 0,
        empty_district_id=empty.id or 0,
        contractor_id=contractor.id or 0,
        own_crew_id=own,
        contractor_crew_id=hired,
        other_crew_id=far,
        lead_id=lead.id or 0,
        buildings=tuple(b for b in building_ids if b is not None),
        apartments=flats,
    )


def _crew(session, name: str, region_id: int, depot_id: int, organisation_id: int | None) -> int:
    crew = crews.create_crew(
        session,
        Crew(
            name,
            region_id,
            depot_id,
            shift_start=time(8),
            shift_end=time(16),
            skills=INSTALL,
            organisation_id=organisation_id,
            max_jobs_per_day=14,
        ),
    )
    return crew.id or 0
