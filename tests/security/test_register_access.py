"""Attacks on the registers' mutations, on both backends.

A second region (Bergen) with its own district, depot, crew, member, building and apartment is
added on a rolled-back session; each test is an attack a planner of Oslo, a contractor or a crew
might try through variables, literal inputs, aliases or fragments, and asserts it is refused
without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
import shapely
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Principal, Role

PAYLOAD = "__typename ... on Problem { code message }"
UPDATE_APARTMENT = f"""mutation U($input: UpdateApartmentInput!) {{ updateApartment(input: $input)
  {{ {PAYLOAD} ... on Apartment {{ id buildingId tenant {{ name }} }} }} }}"""
CREATE_CREW = f"""mutation C($input: CreateCrewInput!) {{ createCrew(input: $input) {{ {PAYLOAD}
  ... on Crew {{ id }} }} }}"""
CREATE_BUILDING = f"""mutation B($input: CreateBuildingInput!) {{ createBuilding(input: $input)
  {{ {PAYLOAD} ... on Building {{ id districtId }} }} }}"""
APARTMENT_TENANT = "query A($id: ID!) { apartment(id: $id) { tenant { name phone } } }"


@dataclass(frozen=True)
class Bergen:
    """Ids (and versions, all 1) of the second region's rows."""

    region_id: int
    district_id: int
    depot_id: int
    crew_id: int
    member_id: int
    building_id: int
    apartment_id: int


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


def _add(session, row):
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def bergen(call) -> Bergen:
    """A second region with one row of each register kind (rolled back with ``call``)."""
    with call.sessions.begin() as session:
        region = _add(
            session,
            m.Region(name="Bergen", area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5))),
        )
        district = _add(
            session,
            m.District(
                region_id=region,
                name="Bryggen",
                area=to_db_geometry(shapely.box(5.3, 60.38, 5.34, 60.41)),
            ),
        )
        point = to_db_geometry(shapely.Point(5.32, 60.395))
        depot = _add(session, m.Depot(region_id=region, name="Bergen depot", location=point))
        crew = _add(
            session,
            m.Crew(
                region_id=region,
                depot_id=depot,
                name="Bergen crew",
                shift_start=time(7, 30),
                shift_end=time(15, 30),
                lunch_earliest=time(11),
                lunch_latest=time(13),
                skills=[],
            ),
        )
        member = _add(session, m.CrewMember(crew_id=crew, name="Per", role="member", skills=[]))
        building = _add(session, m.Building(region_id=region, district_id=district, location=point))
        apartment = _add(
            session,
            m.Apartment(
                building_id=building,
                district_id=district,
                unit="H0101",
                tenant_name="Bergen Tenant",
                tenant_phone="+47 55 00 00 00",
                location=point,
            ),
        )
    return Bergen(region, district, depot, crew, member, building, apartment)


@pytest.fixture
def oslo_planner(api_world) -> Principal:
    """A planner of the world's (Oslo) region."""
    return Principal(Role.PLANNER, region_id=api_world.region_id)


def _versions(call, model, row_id) -> tuple[int, dict]:
    with call.sessions() as session:
        row = session.get(model, row_id)
        return row.version, {c.key: getattr(row, c.key) for c in model.__table__.columns}


def test_a_planner_cannot_change_or_delete_another_regions_rows_through_aliases(
    call, bergen, oslo_planner
):
    """One operation, aliased fields, literal inputs and a named fragment: all NotFound."""
    operation = """mutation Sweep($apartment: ID!, $building: ID!, $district: ID!, $depot: ID!,
        $crew: ID!, $member: ID!) {
      a: updateApartment(input: {id: $apartment, version: 1, tenant: {name: "Mallory"}}) { ...P }
      b: deleteApartment(input: {id: $apartment, version: 1}) { ...P }
      c: updateBuilding(input: {id: $building, version: 1, levels: 9}) { ...P }
      d: deleteBuilding(input: {id: $building, version: 1}) { ...P }
      e: updateDistrict(input: {id: $district, version: 1, contractorId: null}) { ...P }
      f: deleteDistrict(input: {id: $district, version: 1}) { ...P }
      g: updateDepot(input: {id: $depot, version: 1, name: "Mine"}) { ...P }
      h: deleteDepot(input: {id: $depot, version: 1}) { ...P }
      i: updateCrew(input: {id: $crew, version: 1, maxJobsPerDay: 1}) { ...P }
      j: deleteCrew(input: {id: $crew, version: 1}) { ...P }
      k: updateCrewMember(input: {id: $member, version: 1, name: "Mallory"}) { ...P }
      l: deleteCrewMember(input: {id: $member, version: 1}) { ...P }
      m: createApartment(input: {buildingId: $building, unit: "X1"}) { ...P }
      n: createCrewMember(input: {crewId: $crew, name: "Mallory"}) { ...P }
    }
    fragment P on Problem { code }"""
    before = _versions(call, m.Apartment, bergen.apartment_id)
    found = call.data(
        oslo_planner,
        operation,
        apartment=bergen.apartment_id,
        building=bergen.building_id,
        district=bergen.district_id,
        depot=bergen.depot_id,
        crew=bergen.crew_id,
        member=bergen.member_id,
    )
    assert {alias: payload["code"] for alias, payload in found.items()} == dict.fromkeys(
        "abcdefghijklmn", "NOT_FOUND"
    )
    assert _versions(call, m.Apartment, bergen.apartment_id) == before


def test_a_planner_cannot_create_in_another_region_by_slug_or_id(call, bergen, oslo_planner):
    """Naming Bergen by id or slug is as unknown as a misspelt region."""
    for region in (str(bergen.region_id), "bergen", "BERGEN"):
        building = {"region": region, "lon": 5.32, "lat": 60.39}
        created = call.data(oslo_planner, CREATE_BUILDING, input=building)
        assert created["createBuilding"]["code"] == "NOT_FOUND"
        crew = {"region": region, "name": "Sneaky", "depotId": bergen.depot_id}
        assert call.data(oslo_planner, CREATE_CREW, input=crew)["createCrew"]["code"] == (
            "NOT_FOUND"
        )
    district = """mutation D($input: CreateDistrictInput!) { createDistrict(input: $input) {
      __typename ... on Problem { code } } }"""
    area = {
        "type": "Polygon",
        "coordinates": [[[5.3, 60.4], [5.31, 60.4], [5.31, 60.41], [5.3, 60.4]]],
    }
    refused = call.data(
        oslo_planner, district, input={"region": "bergen", "name": "Mine", "area": area}
    )
    assert refused["createDistrict"]["code"] == "NOT_FOUND"


def test_a_planner_cannot_reference_another_regions_depot_or_district(
    call, api_world, bergen, oslo_planner
):
    """A crew at Bergen's depot or a building in Bergen's district: NotFound for the planner,
    InvalidInput for an admin (who sees both regions but may not join them)."""
    region = str(api_world.region_id)
    crew = {"region": region, "name": "Borrowed depot", "depotId": bergen.depot_id}
    assert call.data(oslo_planner, CREATE_CREW, input=crew)["createCrew"]["code"] == "NOT_FOUND"
    admin = call.data(Principal(Role.ADMIN), CREATE_CREW, input=crew)["createCrew"]
    assert admin["code"] == "INVALID_INPUT"
    assert "another region" in admin["message"]
    building = {"region": region, "lon": 10.75, "lat": 59.915, "districtId": bergen.district_id}
    assert call.data(oslo_planner, CREATE_BUILDING, input=building)["createBuilding"]["code"] == (
        "NOT_FOUND"
    )
    with call.sessions() as session:
        crew_row = session.get(m.Crew, api_world.crew_id)
        ref = {"id": crew_row.id, "version": crew_row.version}
    moved = """mutation M($input: UpdateCrewInput!) { updateCrew(input: $input) {
      __typename ... on Problem { code } } }"""
    result = call.data(oslo_planner, moved, input={**ref, "depotId": bergen.depot_id})
    assert result["updateCrew"]["code"] == "NOT_FOUND"


def test_an_apartment_cannot_move_to_a_building_of_another_region(
    call, api_world, bergen, oslo_planner
):
    """Moving a flat into Bergen's building would hand it (and its tenant) to Bergen."""
    apartment_id = api_world.unvisited_apartment_id
    version, _ = _versions(call, m.Apartment, apartment_id)
    moved = call.data(
        oslo_planner,
        UPDATE_APARTMENT,
        input={"id": apartment_id, "version": version, "buildingId": bergen.building_id},
    )
    assert moved["updateApartment"]["code"] == "NOT_FOUND"
    member = """mutation M($input: UpdateCrewMemberInput!) { updateCrewMember(input: $input) {
      __typename ... on Problem { code } } }"""
    with call.sessions() as session:
        own = session.scalar(
            select(m.CrewMember).where(m.CrewMember.crew_id == api_world.crew_id).limit(1)
        )
        ref = {"id": own.id, "version": own.version}
    result = call.data(oslo_planner, member, input={**ref, "crewId": bergen.crew_id})
    assert result["updateCrewMember"]["code"] == "NOT_FOUND"


def test_rows_cannot_be_moved_out_of_their_region_by_coordinates(call, api_world, oslo_planner):
    """A building or depot dragged to Bergen by lon/lat is refused: it would leave Oslo."""
    with call.sessions() as session:
        building = session.scalar(select(m.Building).order_by(m.Building.id).limit(1))
        depot = session.scalar(select(m.Depot).where(m.Depot.region_id == api_world.region_id))
        refs = {
            "Building": {"id": building.id, "version": building.version},
            "Depot": {"id": depot.id, "version": depot.version},
        }
    for entity, ref in refs.items():
        operation = f"""mutation M($input: Update{entity}Input!) {{ update{entity}(input: $input)
          {{ __typename ... on Problem {{ code message }} }} }}"""
        result = call.data(oslo_planner, operation, input={**ref, "lon": 5.32, "lat": 60.39})
        assert result[f"update{entity}"]["code"] == "INVALID_INPUT"
        assert "outside region" in result[f"update{entity}"]["message"]


def _principals(world) -> dict[str, Principal]:
    return {
        "contractor": Principal(Role.CONTRACTOR, organisation_id=world.contractor_id),
        "crew": Principal(Role.CREW, crew_id=world.crew_id, timezone="Europe/Oslo"),
    }


@pytest.mark.parametrize("role", ["contractor", "crew"])
def test_contractors_and_crews_change_no_register(call, api_world, role):
    """Every register mutation is Forbidden (or, for what they cannot see, NotFound)."""
    who = _principals(api_world)[role]
    with call.sessions() as session:
        building_id = session.scalar(select(m.Apartment.building_id).limit(1))
    region = str(api_world.region_id)
    operation = """mutation All($region: String!, $building: ID!, $apartment: ID!,
        $crew: ID!, $org: ID!) {
      a: createBuilding(input: {region: $region, lon: 10.75, lat: 59.915}) { ...P }
      b: createApartment(input: {buildingId: $building, unit: "X9"}) { ...P }
      c: updateApartment(input: {id: $apartment, version: 1, tenant: {name: "Eve"}}) { ...P }
      d: createCrewMember(input: {crewId: $crew, name: "Eve"}) { ...P }
      e: updateCrew(input: {id: $crew, version: 1, maxJobsPerDay: 500}) { ...P }
      f: createOrganisation(input: {name: "Eve AS", kind: CONTRACTOR}) { ...P }
      g: updateOrganisation(input: {id: $org, version: 1, name: "Eve AS"}) { ...P }
      h: createFurnitureModel(input: {name: "Eve", category: BENCH, material: "x",
          maintenanceIntervalDays: 10}) { ...P }
      i: createDepot(input: {region: $region, name: "Eve", lon: 10.75, lat: 59.915}) { ...P }
      j: deleteOrganisation(input: {id: $org, version: 1}) { ...P }
    }
    fragment P on Problem { code }"""
    found = call.data(
        who,
        operation,
        region=region,
        building=building_id,
        apartment=api_world.visited_apartment_id,
        crew=api_world.crew_id,
        org=api_world.contractor_id,
    )
    assert {payload["code"] for payload in found.values()} == {"FORBIDDEN"}, found


def test_planners_read_but_do_not_change_shared_reference_data(call, api_world, oslo_planner):
    """Organisations and the catalogue are the admins'; planners get Forbidden."""
    with call.sessions() as session:
        model = session.scalar(select(m.FurnitureModel).limit(1))
        model_ref = {"id": model.id, "version": model.version}
    operation = """mutation R($org: ID!, $model: ID!, $v: Int!) {
      a: createOrganisation(input: {name: "Planner AS", kind: OWNER}) { ...P }
      b: updateOrganisation(input: {id: $org, version: 1, name: "Planner AS"}) { ...P }
      c: updateFurnitureModel(input: {id: $model, version: $v, maintenanceIntervalDays: 1}) {
        ...P }
      d: deleteFurnitureModel(input: {id: $model, version: $v}) { ...P }
    }
    fragment P on Problem { code }"""
    found = call.data(
        oslo_planner,
        operation,
        org=api_world.contractor_id,
        model=model_ref["id"],
        v=model_ref["version"],
    )
    assert {payload["code"] for payload in found.values()} == {"FORBIDDEN"}
    listed = call.data(oslo_planner, "{ organisations { nodes { id } } }")
    assert listed["organisations"]["nodes"]


def test_a_stale_version_loses_and_changes_nothing(call, api_world, oslo_planner):
    """Two planners read version n; the second writer gets Conflict, the first one's change
    stands."""
    with call.sessions() as session:
        crew = session.get(m.Crew, api_world.crew_id)
        ref = {"id": crew.id, "version": crew.version}
    update = """mutation U($input: UpdateCrewInput!) { updateCrew(input: $input) {
      __typename ... on Crew { maxJobsPerDay version } ... on Problem { code } } }"""
    first = call.data(oslo_planner, update, input={**ref, "maxJobsPerDay": 11})["updateCrew"]
    second = call.data(oslo_planner, update, input={**ref, "maxJobsPerDay": 99})["updateCrew"]
    assert first == {"__typename": "Crew", "maxJobsPerDay": 11, "version": ref["version"] + 1}
    assert second == {"__typename": "Conflict", "code": "CONFLICT"}
    with call.sessions() as session:
        assert session.get(m.Crew, api_world.crew_id).max_jobs_per_day == 11


def test_duplicate_names_across_regions_are_conflicts_not_errors(
    call, api_world, bergen, oslo_planner
):
    """Crew names are unique everywhere: Bergen's name is taken for Oslo too (a Conflict that
    does not say where)."""
    with call.sessions() as session:
        depot_id = session.scalar(
            select(m.Depot.id).where(m.Depot.region_id == api_world.region_id)
        )
    crew = {"region": str(api_world.region_id), "name": "Bergen crew", "depotId": depot_id}
    result = call(oslo_planner, CREATE_CREW, input=crew)
    assert result.errors is None
    payload = result.data["createCrew"]
    assert payload["code"] == "CONFLICT"
    assert "Bergen crew" in payload["message"]
    assert str(bergen.crew_id) not in payload["message"]


def test_tenant_data_stays_unreadable_for_those_who_could_not_read_it(
    call, api_world, bergen, oslo_planner
):
    """A planner writes a tenant; the contractor and the crew not visiting still read null,
    and Oslo's planner cannot read Bergen's tenant at all."""
    apartment_id = api_world.unvisited_apartment_id
    version, _ = _versions(call, m.Apartment, apartment_id)
    tenant = {"name": "Siri Secret", "phone": "+47 411 11 111"}
    written = call.data(
        oslo_planner,
        UPDATE_APARTMENT,
        input={"id": apartment_id, "version": version, "tenant": tenant},
    )
    assert written["updateApartment"]["tenant"] == {"name": "Siri Secret"}
    for role in ("contractor", "crew"):
        result = call(_principals(api_world)[role], APARTMENT_TENANT, id=apartment_id)
        assert result.data is None or result.data["apartment"]["tenant"] is None, role
    assert (
        call.data(Principal(Role.ADMIN), APARTMENT_TENANT, id=apartment_id)["apartment"]["tenant"]
        == tenant
    )
    stranger = call(oslo_planner, APARTMENT_TENANT, id=bergen.apartment_id)
    assert stranger.data is None
    assert "Bergen Tenant" not in str(stranger.errors)


HOSTILE_TEXT = ("x" * 5000, "nul\x00byte", "line\nbreak", "   ", "\ud800")


def _hostile_inputs(api_world, depot_id: int, building_id: int) -> list[tuple[str, str, dict]]:
    region = str(api_world.region_id)
    cases = []
    for text in HOSTILE_TEXT:
        cases += [
            ("createOrganisation", "CreateOrganisationInput", {"name": text, "kind": "OWNER"}),
            (
                "createFurnitureModel",
                "CreateFurnitureModelInput",
                {"name": "M", "category": "BENCH", "material": text, "maintenanceIntervalDays": 9},
            ),
            (
                "createDepot",
                "CreateDepotInput",
                {"region": region, "name": "D", "lon": 10.75, "lat": 59.915, "address": text},
            ),
            (
                "createCrew",
                "CreateCrewInput",
                {"region": region, "name": text, "depotId": depot_id},
            ),
            (
                "createApartment",
                "CreateApartmentInput",
                {"buildingId": building_id, "unit": "U1", "externalRef": text},
            ),
            (
                "createApartment",
                "CreateApartmentInput",
                {"buildingId": building_id, "unit": "U1", "tenant": {"name": "T", "email": text}},
            ),
        ]
    for number in (-(2**31), 2**31 - 1):
        cases += [
            (
                "createCrew",
                "CreateCrewInput",
                {"region": region, "name": "N", "depotId": depot_id, "lunchMinutes": number},
            ),
            (
                "createApartment",
                "CreateApartmentInput",
                {"buildingId": building_id, "unit": "U", "floor": number},
            ),
            (
                "createBuilding",
                "CreateBuildingInput",
                {"region": region, "lon": 10.75, "lat": 59.915, "levels": number},
            ),
        ]
    line = {"type": "LineString", "coordinates": [[10.75, 59.915], [10.76, 59.916]]}
    cases += [
        (
            "createBuilding",
            "CreateBuildingInput",
            {"region": region, "lon": 10.75, "lat": 59.915, "entrances": [line]},
        ),
        (
            "createBuilding",
            "CreateBuildingInput",
            {"region": region, "lon": 10.75, "lat": 59.915, "footprint": line},
        ),
        ("createDistrict", "CreateDistrictInput", {"region": region, "name": "D", "area": line}),
        (
            "createApartment",
            "CreateApartmentInput",
            {"buildingId": building_id, "unit": "U", "lon": 10.75},
        ),
        ("createCrewMember", "CreateCrewMemberInput", {"crewId": "0", "name": "N"}),
        ("createCrewMember", "CreateCrewMemberInput", {"crewId": "99999999999", "name": "N"}),
        ("createCrewMember", "CreateCrewMemberInput", {"crewId": "-1", "name": "N"}),
    ]
    return cases


def test_hostile_values_are_payload_problems_never_internal_errors(call, api_world):
    """Over-long and unstorable text, extreme numbers, wrong geometries and impossible ids
    come back as InvalidInput or NotFound (or a GraphQL validation error), never INTERNAL."""
    with call.sessions() as session:
        depot_id = session.scalar(
            select(m.Depot.id).where(m.Depot.region_id == api_world.region_id)
        )
        building_id = session.scalar(select(m.Building.id).limit(1))
    admin = Principal(Role.ADMIN)
    for field, input_type, value in _hostile_inputs(api_world, depot_id, building_id):
        operation = f"""mutation H($input: {input_type}!) {{ {field}(input: $input) {{
          __typename ... on Problem {{ code }} }} }}"""
        result = call(admin, operation, input=value)
        codes = [(error.extensions or {}).get("code") for error in result.errors or []]
        assert "INTERNAL" not in codes, (field, value, result.errors)
        if result.errors is None:
            payload = result.data[field]
            assert payload["__typename"] in {"InvalidInput", "NotFound"}, (field, value, payload)
