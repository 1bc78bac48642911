"""Creating a campaign: the scope is checked against the region and listed home by home.

Also holds the small campaign world the other campaign tests build on (two districts, one bound
to a contractor; a crew of the housing company and one of the contractor; three buildings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.crews import Crew, CrewMember, CrewRole, Depot, Skill
from sitecrew.domain.jobs import JobKind
from sitecrew.domain.organisations import District, Organisation, OrganisationKind, Region
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services import buildings, crews, organisations
from sitecrew.services.campaigns import CreateCampaign, create_campaign

ADMIN = Principal(Role.ADMIN)
#: A Monday; Ascension Day (Thursday 14 May) is a Norwegian public holiday.
START = date(2026, 5, 11)
DEADLINE = date(2026, 5, 29)
ASCENSION = date(2026, 5, 14)
#: The housing crew's second member finishes training on this day (the crew needs both).
TRAINED_ON = date(2026, 5, 13)
WEST = shapely.box(10.72, 59.90, 10.75, 59.94)
EAST = shapely.box(10.75, 59.90, 10.78, 59.94)
INSTALL = frozenset({Skill.MEDIA_BOX, Skill.DRIVING})


@dataclass(frozen=True)
class CampaignWorld:
    """Ids of the campaign world."""

    region_id: int
    other_region_id: int
    west_id: int
    east_id: int
    empty_district_id: int
    contractor_id: int
    own_crew_id: int
    contractor_crew_id: int
    other_crew_id: int
    lead_id: int
    buildings: tuple[int, ...]  # two in the west, one in the east
    apartments: dict[int, tuple[int, ...]]  # by building


@dataclass(frozen=True)
class WorldNames:
    """The names the campaign world gives its rows (the API tests' copy uses names of its own)."""

    housing: str = "Bolig AS"
    contractor: str = "Montasje AS"
    region: str = "Campaign town"
    other_region: str = "Elsewhere"
    west: str = "West"
    east: str = "East"
    empty: str = "Empty"
    depot: str = "Depot"
    far_depot: str = "Far"
    own_crew: str = "Own installers"
    hired_crew: str = "Contractor installers"
    far_crew: str = "Far installers"
    addresses: tuple[str, str, str] = ("Testgata 1", "Testgata 3", "Østgata 5")


def build_campaign_world(session, names: WorldNames = WorldNames()) -> CampaignWorld:
    """Create the campaign world through the services (rolled back with the test's session)."""
    housing = organisations.create_organisation(
        session, Organisation(names.housing, OrganisationKind.OWNER)
    )
    contractor = organisations.create_organisation(
        session, Organisation(names.contractor, OrganisationKind.CONTRACTOR)
    )
    region = organisations.create_region(
        session, Region(names.region, shapely.box(10.72, 59.90, 10.78, 59.94))
    )
    other = organisations.create_region(
        session, Region(names.other_region, shapely.box(5.3, 60.3, 5.4, 60.4))
    )
    west = organisations.create_district(session, District(names.west, region.id, WEST))
    east = organisations.create_district(
        session, District(names.east, region.id, EAST, contractor_id=contractor.id)
    )
    empty = organisations.create_district(
        session, District(names.empty, region.id, shapely.box(10.72, 59.935, 10.73, 59.94))
    )
    depot = crews.create_depot(session, Depot(names.depot, region.id, Point(10.75, 59.92), "Gata 1"))
    far_depot = crews.create_depot(session, Depot(names.far_depot, other.id, Point(5.35, 60.35), "Vei 2"))
    own = _crew(session, names.own_crew, region.id, depot.id or 0, housing.id)
    hired = _crew(session, names.hired_crew, region.id, depot.id or 0, contractor.id)
    far = _crew(session, names.far_crew, other.id, far_depot.id or 0, housing.id)
    lead = crews.add_crew_member(
        session, CrewMember(own, "Kari", CrewRole.LEAD, INSTALL, date(2020, 1, 1))
    )
    crews.add_crew_member(session, CrewMember(own, "Per", CrewRole.MEMBER, INSTALL, TRAINED_ON))
    session.get(m.Crew, own).min_members = 2
    crews.add_crew_member(session, CrewMember(hired, "Ali", CrewRole.LEAD, INSTALL, None))
    session.flush()
    first, second, third = names.addresses
    specs = [
        (west.id, Point(10.730, 59.920), first, 8, 2),
        (west.id, Point(10.731, 59.921), second, 6, 1),
        (east.id, Point(10.760, 59.920), third, 6, 1),
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


def new_campaign(world: CampaignWorld, **changes) -> CreateCampaign:
    """A campaign over both districts with both crews of the region, six visits a crew-day."""
    values = {
        "region_id": world.region_id,
        "name": "Media boxes 2026",
        "start_on": START,
        "deadline_on": DEADLINE,
        "crew_ids": (world.own_crew_id, world.contractor_crew_id),
        "district_ids": (world.west_id, world.east_id),
        "visits_per_crew_day": 6,
        "minutes_per_home": 30.0,
        "setup_minutes_per_entrance": 10.0,
    }
    values.update(changes)
    return CreateCampaign(**values)


def counts(session) -> tuple[int, ...]:
    """How many campaign rows, jobs and appointments exist: a refused command changes none."""
    models = (m.Campaign, m.CampaignCrew, m.CampaignHome, m.CampaignVisit, m.Job, m.Appointment)
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in models)


def home_states(session, campaign_id: int) -> dict[int, tuple]:
    """Every home's (state, day, crew, window start, attempts, failed attempts) by apartment."""
    query = select(m.CampaignHome).where(m.CampaignHome.campaign_id == campaign_id)
    return {
        home.apartment_id: (
            home.state,
            home.day,
            home.crew_id,
            home.window_start,
            home.attempts,
            home.failed_attempts,
        )
        for home in session.scalars(query.execution_options(populate_existing=True))
    }


@pytest.fixture
def world(session) -> CampaignWorld:
    return build_campaign_world(session)


def test_a_campaign_lists_every_apartment_of_its_districts_as_a_pending_home(session, world):
    """Both districts' 20 flats become pending homes of a draft campaign with its two crews."""
    campaign = create_campaign(session, ADMIN, new_campaign(world))

    assert campaign.status is CampaignStatus.DRAFT
    assert campaign.homes == 20
    assert campaign.crew_ids == tuple(sorted((world.own_crew_id, world.contractor_crew_id)))
    assert campaign.job_kind is JobKind.INSTALL_MEDIA_BOX
    assert campaign.max_failed_attempts == 3
    assert campaign.window_minutes == 120
    states = home_states(session, campaign.id)
    assert {state for state, *_ in states.values()} == {HomeState.PENDING.value}
    assert set(states) == {a for flats in world.apartments.values() for a in flats}


def test_a_scope_of_buildings_or_apartments_takes_just_those(session, world):
    """Buildings bring all their flats; an apartment list brings exactly the flats named."""
    first, second, _ = world.buildings
    by_building = create_campaign(
        session, ADMIN, new_campaign(world, district_ids=(), building_ids=(first,))
    )
    assert by_building.homes == len(world.apartments[first])
    flats = world.apartments[second][:2]
    by_flat = create_campaign(
        session, ADMIN, new_campaign(world, name="Two flats", district_ids=(), apartment_ids=flats)
    )
    assert set(home_states(session, by_flat.id)) == set(flats)


def test_a_planner_of_the_region_may_create_and_one_of_another_may_not(session, world):
    """Region planners create; planners of other regions, contractors and crews are refused."""
    planner = Principal(Role.PLANNER, region_id=world.region_id)
    assert create_campaign(session, planner, new_campaign(world)).homes == 20
    before = counts(session)
    refused = [
        Principal(Role.PLANNER, region_id=world.other_region_id),
        Principal(Role.CONTRACTOR, organisation_id=world.contractor_id),
        Principal(Role.CREW, crew_id=world.own_crew_id),
    ]
    for principal in refused:
        with pytest.raises(PermissionDeniedError):
            create_campaign(session, principal, new_campaign(world, name="Again"))
    assert counts(session) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline_on": date(2026, 5, 1)}, "before the start"),
        ({"building_ids": (1,)}, "exactly one kind of scope"),
        ({"district_ids": ()}, "exactly one kind of scope"),
        ({"name": "  "}, "name"),
        ({"revisit_share": 0.95}, "re-visit share"),
    ],
)
def test_a_command_that_breaks_a_rule_alone_is_refused_when_made(world, changes, message):
    """Dates out of order, no scope or two kinds of scope, a blank name: invalid input."""
    with pytest.raises(InvalidInputError, match=message):
        new_campaign(world, **changes)


def test_refusals_that_need_the_database_write_nothing(session, world):
    """Empty scope, another region's crew, unknown ids: typed errors, and no row written."""
    before = counts(session)
    cases = [
        (
            new_campaign(world, district_ids=(world.empty_district_id,)),
            InvalidInputError,
            "no apartments",
        ),
        (new_campaign(world, crew_ids=(world.other_crew_id,)), InvalidInputError, "another region"),
        (new_campaign(world, district_ids=(), building_ids=(10**9,)), NotFoundError, "no building"),
        (new_campaign(world, district_ids=(), apartment_ids=(10**9,)), NotFoundError, "apartment"),
        (new_campaign(world, crew_ids=(10**9,)), NotFoundError, "no crew"),
        (new_campaign(world, region_id=10**9), NotFoundError, "region"),
    ]
    for command, error, message in cases:
        with pytest.raises(error, match=message):
            create_campaign(session, ADMIN, command)
    assert counts(session) == before


def test_a_planner_cannot_name_another_regions_rows(session, world):
    """Another region's crew is NotFound to a region planner (its ids cannot be probed)."""
    planner = Principal(Role.PLANNER, region_id=world.region_id)
    with pytest.raises(NotFoundError):
        create_campaign(session, planner, new_campaign(world, crew_ids=(world.other_crew_id,)))


def test_homes_in_another_open_campaign_of_the_same_kind_are_refused(session, world):
    """A flat is in one open campaign per job kind; another kind, or a new name, is no excuse."""
    create_campaign(session, ADMIN, new_campaign(world))
    before = counts(session)
    first = world.buildings[0]
    overlapping = new_campaign(world, name="Overlap", district_ids=(), building_ids=(first,))
    with pytest.raises(ConflictError, match="already in open campaign 'Media boxes 2026'"):
        create_campaign(session, ADMIN, overlapping)
    with pytest.raises(ConflictError, match="already has a campaign"):
        create_campaign(session, ADMIN, new_campaign(world))
    assert counts(session) == before
    other_kind = new_campaign(world, name="Inspection", job_kind=JobKind.INSPECT)
    assert create_campaign(session, ADMIN, other_kind).homes == 20


def test_a_cancelled_campaign_frees_its_homes(session, world):
    """Only draft and active campaigns hold their homes."""
    first = create_campaign(session, ADMIN, new_campaign(world))
    session.get(m.Campaign, first.id).status = CampaignStatus.CANCELLED.value
    session.flush()
    assert create_campaign(session, ADMIN, new_campaign(world, name="Second try")).homes == 20
