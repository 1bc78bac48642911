"""Registers through GraphQL: create, update and delete every entity an operation brings.

Each test executes the schema on a rolled-back session of the API world (both backends), so
the world stays as it was. Updates and deletes send the version read; a stale one, a duplicate
name or a row still in use is a Conflict that says why.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.domain.access import Principal, Role

PROBLEM = "... on Problem { code message }"
DELETED = "... on Deleted { id }"
ADMIN = Principal(Role.ADMIN)


def _mutation(name: str, input_type: str, fields: str) -> str:
    return (
        f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ __typename {fields} "
        f"{PROBLEM} }} }}"
    )


def _ops(entity: str, fields: str) -> dict[str, str]:
    """The create, update and delete operations of an entity (``Building``)."""
    lower = entity[0].lower() + entity[1:]
    return {
        "create": _mutation(f"create{entity}", f"Create{entity}Input", f"... on {entity} {fields}"),
        "update": _mutation(f"update{entity}", f"Update{entity}Input", f"... on {entity} {fields}"),
        "delete": _mutation(f"delete{entity}", "VersionedDeleteInput", DELETED),
        "name": lower,
    }


ORGANISATION = _ops("Organisation", "{ id version name kind }")
MODEL = _ops(
    "FurnitureModel",
    "{ id version name category material maintenanceIntervalDays maker { name } }",
)
DISTRICT = _ops("District", "{ id version name regionId contractor { id } area }")
BUILDING = _ops("Building", "{ id version address levels lon lat districtId regionId }")
APARTMENT = _ops(
    "Apartment",
    "{ id version unit floor externalRef lon lat buildingId installationStatus accessNotes "
    "tenant { name phone email } }",
)
DEPOT = _ops("Depot", "{ id version name address lon lat regionId }")
CREW = _ops(
    "Crew",
    "{ id version name regionId shiftStart shiftEnd lunchMinutes lunchEarliest lunchLatest "
    "maxJobsPerDay skills depot { id } organisation { id } }",
)
MEMBER = _ops("CrewMember", "{ id version name role skills trainingCompletedOn crewId }")


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def planner(api_world) -> Principal:
    """A planner of the world's region."""
    return Principal(Role.PLANNER, region_id=api_world.region_id)


def run(call, principal, ops: dict[str, str], verb: str, **input_fields) -> dict:
    """Run one operation and return its payload."""
    field = f"{verb}{ops['name'][0].upper()}{ops['name'][1:]}"
    return call.data(principal, ops[verb], input=input_fields)[field]


def _district_point(call, region_id: int) -> tuple[int, float, float]:
    with call.sessions() as session:
        district = session.scalar(
            select(m.District).where(m.District.region_id == region_id).order_by(m.District.id)
        )
        point = from_db_geometry(district.area).representative_point()
        return district.id, point.x, point.y


def test_an_admin_creates_renames_and_deletes_an_organisation(call):
    """Organisations: create, rename with the version read, stale version, duplicate, delete."""
    created = run(call, ADMIN, ORGANISATION, "create", name="Vedlikehold AS", kind="CONTRACTOR")
    assert (created["__typename"], created["version"]) == ("Organisation", 1)
    renamed = run(
        call, ADMIN, ORGANISATION, "update", id=created["id"], version=1, name="Vedlikehold AS Øst"
    )
    assert (renamed["name"], renamed["version"], renamed["kind"]) == (
        "Vedlikehold AS Øst",
        2,
        "CONTRACTOR",
    )
    stale = run(call, ADMIN, ORGANISATION, "update", id=created["id"], version=1, name="X")
    assert stale["__typename"] == "Conflict"
    assert "version 2" in stale["message"]
    twin = run(call, ADMIN, ORGANISATION, "create", name="Vedlikehold AS Øst", kind="OWNER")
    assert twin["__typename"] == "Conflict"
    assert "already taken" in twin["message"]
    stale_delete = run(call, ADMIN, ORGANISATION, "delete", id=created["id"], version=1)
    assert stale_delete["__typename"] == "Conflict"
    gone = run(call, ADMIN, ORGANISATION, "delete", id=created["id"], version=2)
    assert gone == {"__typename": "Deleted", "id": created["id"]}


def test_an_organisation_in_use_is_neither_deleted_nor_stops_being_a_contractor(call, api_world):
    """The demo contractor is bound to districts and named by a token: both refusals say so."""
    with call.sessions() as session:
        version = session.get(m.Organisation, api_world.contractor_id).version
    ref = {"id": api_world.contractor_id, "version": version}
    refused = run(call, ADMIN, ORGANISATION, "delete", **ref)
    assert refused["__typename"] == "Conflict"
    assert "districts" in refused["message"]
    assert "tokens" in refused["message"]
    demoted = run(call, ADMIN, ORGANISATION, "update", **ref, kind="OWNER")
    assert demoted["__typename"] == "Conflict"
    assert "districts" in demoted["message"]


def test_an_admin_keeps_the_furniture_catalogue(call):
    """Furniture models: with a maker, a new interval, refused while furniture uses them."""
    with call.sessions() as session:
        maker = session.scalar(
            select(m.Organisation).where(m.Organisation.kind == "furniture_maker")
        )
        used = session.scalar(select(m.Furniture.model_id).limit(1))
        used_version = session.get(m.FurnitureModel, used).version
        maker_id, maker_name = maker.id, maker.name
    model = {"name": "Bench 2030", "category": "BENCH", "material": "oak"}
    created = run(
        call, ADMIN, MODEL, "create", **model, maintenanceIntervalDays=365, makerId=maker_id
    )
    assert created["maker"] == {"name": maker_name}
    changed = run(
        call, ADMIN, MODEL, "update", id=created["id"], version=1, maintenanceIntervalDays=180
    )
    assert (changed["maintenanceIntervalDays"], changed["version"]) == (180, 2)
    unmade = run(call, ADMIN, MODEL, "update", id=created["id"], version=2, makerId=None)
    assert unmade["maker"] is None
    assert run(call, ADMIN, MODEL, "delete", id=created["id"], version=3)["__typename"] == (
        "Deleted"
    )
    in_use = run(call, ADMIN, MODEL, "delete", id=used, version=used_version)
    assert in_use["__typename"] == "Conflict"
    assert "furniture items" in in_use["message"]


def test_a_model_needs_a_sane_interval_and_a_maker_that_makes_furniture(call, api_world):
    """Validation names the field; a contractor is no furniture maker."""
    model = {"name": "Bench X", "category": "BENCH", "material": "oak"}
    zero = run(call, ADMIN, MODEL, "create", **model, maintenanceIntervalDays=0)
    assert zero["__typename"] == "InvalidInput"
    assert "maintenance interval" in zero["message"]
    wrong_maker = run(
        call,
        ADMIN,
        MODEL,
        "create",
        **model,
        maintenanceIntervalDays=30,
        makerId=api_world.contractor_id,
    )
    assert wrong_maker["__typename"] == "InvalidInput"
    assert "not a furniture maker" in wrong_maker["message"]


def test_a_planner_draws_binds_unbinds_and_deletes_a_district(call, api_world, planner):
    """Districts: a GeoJSON area, a contractor binding that can be removed with null."""
    area = {
        "type": "Polygon",
        "coordinates": [[[10.73, 59.91], [10.74, 59.91], [10.74, 59.92], [10.73, 59.91]]],
    }
    created = run(
        call,
        planner,
        DISTRICT,
        "create",
        region=str(api_world.region_id),
        name="Vika",
        area=area,
        contractorId=api_world.contractor_id,
    )
    assert created.get("contractor") == {"id": str(api_world.contractor_id)}, created
    assert created["regionId"] == str(api_world.region_id)
    unbound = run(call, planner, DISTRICT, "update", id=created["id"], version=1, contractorId=None)
    assert (unbound["contractor"], unbound["version"]) == (None, 2)
    deleted = run(call, planner, DISTRICT, "delete", id=created["id"], version=2)
    assert deleted["__typename"] == "Deleted"


def test_a_district_with_places_in_it_is_not_deleted(call, api_world, planner):
    """Deleting a district under buildings would silently change what contractors see."""
    district_id, _, _ = _district_point(call, api_world.region_id)
    with call.sessions() as session:
        version = session.get(m.District, district_id).version
    refused = run(call, planner, DISTRICT, "delete", id=district_id, version=version)
    assert refused["__typename"] == "Conflict"
    assert "buildings" in refused["message"]


def test_a_planner_registers_a_building_and_its_district_follows_its_point(
    call, api_world, planner
):
    """A building without a district gets the one its point lies in; it moves, then goes."""
    district_id, lon, lat = _district_point(call, api_world.region_id)
    region = str(api_world.region_id)
    created = run(
        call, planner, BUILDING, "create", region=region, lon=lon, lat=lat, address="Testgata 1"
    )
    assert (created["districtId"], created["version"]) == (str(district_id), 1)
    moved = run(
        call, planner, BUILDING, "update", id=created["id"], version=1, levels=5, address=None
    )
    assert (moved["levels"], moved["address"], moved["version"]) == (5, None, 2)
    assert run(call, planner, BUILDING, "delete", id=created["id"], version=2)["__typename"] == (
        "Deleted"
    )


def test_a_building_with_apartments_is_not_deleted(call, planner):
    """The refusal counts the apartments."""
    with call.sessions() as session:
        building = session.scalar(select(m.Building).order_by(m.Building.id).limit(1))
        ref = {"id": building.id, "version": building.version}
    refused = run(call, planner, BUILDING, "delete", **ref)
    assert refused["__typename"] == "Conflict"
    assert "apartments" in refused["message"]


def _building(call) -> tuple[int, float, float]:
    with call.sessions() as session:
        building = session.scalar(select(m.Building).order_by(m.Building.id).limit(1))
        point = from_db_geometry(building.location)
        return building.id, point.x, point.y


def test_a_planner_registers_an_apartment_with_its_tenant_and_external_ref(call, planner):
    """Point from the building, tenant readable by the planner, changed and removed again."""
    building_id, lon, lat = _building(call)
    created = run(
        call,
        planner,
        APARTMENT,
        "create",
        buildingId=building_id,
        unit="U0901",
        floor=9,
        externalRef="OBOS-123456",
        tenant={"name": "Kari Nordmann", "phone": "+47 900 00 001"},
    )
    assert created["__typename"] == "Apartment", created
    assert (created["lon"], created["lat"], created["externalRef"]) == (lon, lat, "OBOS-123456")
    assert created["tenant"] == {"name": "Kari Nordmann", "phone": "+47 900 00 001", "email": None}
    moved_in = {"name": "Ola Nordmann", "email": "ola@example.no"}
    changed = run(
        call, planner, APARTMENT, "update", id=created["id"], version=1, tenant=moved_in, floor=8
    )
    assert changed["tenant"] == {**moved_in, "phone": None}
    assert (changed["floor"], changed["version"], changed["unit"]) == (8, 2, "U0901")
    moved_out = run(call, planner, APARTMENT, "update", id=created["id"], version=2, tenant=None)
    assert moved_out["tenant"] is None
    assert run(call, planner, APARTMENT, "delete", id=created["id"], version=3)["__typename"] == (
        "Deleted"
    )


def test_an_apartment_at_its_own_entrance_and_installation_status(call, planner):
    """Given lon/lat, the apartment stands there, not at the building's point."""
    building_id, lon, lat = _building(call)
    created = run(
        call,
        planner,
        APARTMENT,
        "create",
        buildingId=building_id,
        unit="U0902",
        lon=lon + 0.0001,
        lat=lat,
        installationStatus="BOOKED",
        accessNotes="Code 1234",
    )
    assert (created["lon"], created["installationStatus"]) == (lon + 0.0001, "BOOKED")
    assert created["accessNotes"] == "Code 1234"
    half = run(call, planner, APARTMENT, "update", id=created["id"], version=1, lon=lon)
    assert half["__typename"] == "InvalidInput"
    assert "lon and lat" in half["message"]


def test_duplicate_units_and_external_refs_are_conflicts(call, planner):
    """Building + unit and the external ref are unique: Conflict, never an internal error."""
    with call.sessions() as session:
        existing = session.scalar(select(m.Apartment).order_by(m.Apartment.id).limit(1))
        building_id, unit = existing.building_id, existing.unit
    twin = run(call, planner, APARTMENT, "create", buildingId=building_id, unit=unit)
    assert twin["__typename"] == "Conflict"
    assert unit in twin["message"]
    first = run(
        call, planner, APARTMENT, "create", buildingId=building_id, unit="Z1", externalRef="R-1"
    )
    assert first["__typename"] == "Apartment"
    second = run(
        call, planner, APARTMENT, "create", buildingId=building_id, unit="Z2", externalRef="R-1"
    )
    assert second["__typename"] == "Conflict"
    assert "external ref" in second["message"]
    renamed = run(call, planner, APARTMENT, "update", id=first["id"], version=1, unit=unit)
    assert renamed["__typename"] == "Conflict"


def test_an_apartment_with_jobs_is_not_deleted(call, planner, api_world):
    """Its work history refers to it."""
    with call.sessions() as session:
        version = session.get(m.Apartment, api_world.visited_apartment_id).version
    refused = run(
        call, planner, APARTMENT, "delete", id=api_world.visited_apartment_id, version=version
    )
    assert refused["__typename"] == "Conflict"
    assert "jobs" in refused["message"]


def test_null_for_a_required_field_names_the_field(call, planner):
    """``unit: null`` is not 'leave it': it is refused, naming the field."""
    with call.sessions() as session:
        apartment = session.scalar(select(m.Apartment).order_by(m.Apartment.id).limit(1))
        ref = {"id": apartment.id, "version": apartment.version}
    refused = run(call, planner, APARTMENT, "update", **ref, unit=None)
    assert refused["__typename"] == "InvalidInput"
    assert "unit cannot be null" in refused["message"]


def test_a_planner_registers_a_depot_and_a_crew_with_a_trainee(call, api_world, planner):
    """Depot, crew at it, a trainee member; each changed with its version, then deleted."""
    region = str(api_world.region_id)
    depot = run(
        call, planner, DEPOT, "create", region=region, name="Depot Vest", lon=10.72, lat=59.92
    )
    assert (depot["regionId"], depot["version"]) == (region, 1)
    moved = run(call, planner, DEPOT, "update", id=depot["id"], version=1, lon=10.721, lat=59.921)
    assert (moved["lon"], moved["version"]) == (10.721, 2)
    crew = run(
        call,
        planner,
        CREW,
        "create",
        region=region,
        name="Installers Vest",
        depotId=depot["id"],
        organisationId=api_world.contractor_id,
        shiftStart="08:00:00",
        shiftEnd="16:00:00",
        skills=["MEDIA_BOX", "DRIVING"],
    )
    assert crew["__typename"] == "Crew", crew
    assert (crew["shiftStart"], crew["skills"]) == ("08:00:00", ["DRIVING", "MEDIA_BOX"])
    assert crew["organisation"] == {"id": str(api_world.contractor_id)}
    member = run(
        call, planner, MEMBER, "create", crewId=crew["id"], name="Nils Trainee", role="TRAINEE"
    )
    assert (member["role"], member["crewId"], member["version"]) == ("TRAINEE", crew["id"], 1)
    trained = run(
        call,
        planner,
        MEMBER,
        "update",
        id=member["id"],
        version=1,
        role="MEMBER",
        skills=["MEDIA_BOX"],
        trainingCompletedOn="2026-05-01",
    )
    assert (trained["role"], trained["trainingCompletedOn"]) == ("MEMBER", "2026-05-01")
    changed = run(
        call, planner, CREW, "update", id=crew["id"], version=1, maxJobsPerDay=8, lunchMinutes=45
    )
    assert (changed["maxJobsPerDay"], changed["lunchMinutes"], changed["version"]) == (8, 45, 2)
    busy_depot = run(call, planner, DEPOT, "delete", id=depot["id"], version=2)
    assert busy_depot["__typename"] == "Conflict"
    assert "crews" in busy_depot["message"]
    assert run(call, planner, CREW, "delete", id=crew["id"], version=2)["__typename"] == "Deleted"
    assert run(call, planner, DEPOT, "delete", id=depot["id"], version=2)["__typename"] == (
        "Deleted"
    )


def test_a_member_is_removed_with_the_version_read(call, api_world, planner):
    """Deleting a member takes its version; a stale one is a Conflict."""
    member = run(call, planner, MEMBER, "create", crewId=api_world.crew_id, name="Temp")
    stale = run(call, planner, MEMBER, "delete", id=member["id"], version=7)
    assert stale["__typename"] == "Conflict"
    assert run(call, planner, MEMBER, "delete", id=member["id"], version=1)["__typename"] == (
        "Deleted"
    )


def test_crew_rules_are_invalid_input_and_names_are_unique(call, api_world, planner):
    """A shift ending before it starts names the rule; a taken name is a Conflict."""
    with call.sessions() as session:
        crew = session.get(m.Crew, api_world.crew_id)
        ref = {"id": crew.id, "version": crew.version}
        other_name = session.get(m.Crew, api_world.other_crew_id).name
    backwards = run(call, planner, CREW, "update", **ref, shiftEnd="06:00:00")
    assert backwards["__typename"] == "InvalidInput"
    assert "shift" in backwards["message"]
    taken = run(call, planner, CREW, "update", **ref, name=other_name)
    assert taken["__typename"] == "Conflict"
    assert "crew name" in taken["message"]


def test_a_crew_with_routes_or_tokens_is_not_deleted(call, api_world, planner):
    """The crew of the world has a published route and a token."""
    with call.sessions() as session:
        version = session.get(m.Crew, api_world.crew_id).version
    refused = run(call, planner, CREW, "delete", id=api_world.crew_id, version=version)
    assert refused["__typename"] == "Conflict"
    assert "routes" in refused["message"]
    assert "tokens" in refused["message"]


def test_register_queries_list_what_the_mutations_wrote(call, api_world, planner):
    """organisations, furnitureModels, depots and a member by id read the registers back."""
    query = """{ organisations(first: 100) { nodes { id name version } }
      furnitureModels(first: 100) { nodes { id name version } }
      depots(first: 100) { nodes { id name regionId version } } }"""
    found = call.data(planner, query)
    assert any(o["id"] == str(api_world.contractor_id) for o in found["organisations"]["nodes"])
    assert found["furnitureModels"]["nodes"]
    assert {d["regionId"] for d in found["depots"]["nodes"]} == {str(api_world.region_id)}
    with call.sessions() as session:
        member_id = session.scalar(
            select(m.CrewMember.id).where(m.CrewMember.crew_id == api_world.crew_id)
        )
    one = call.data(planner, "query Q($id: ID!) { crewMember(id: $id) { crewId } }", id=member_id)
    assert one["crewMember"] == {"crewId": str(api_world.crew_id)}


def test_tenant_edits_leave_a_line_in_the_personal_data_log(call, planner):
    """Who wrote or cleared which tenant fields is logged; the values themselves are not."""
    building_id, _, _ = _building(call)
    created = run(
        call,
        planner,
        APARTMENT,
        "create",
        buildingId=building_id,
        unit="LOG1",
        tenant={"name": "Liv Logged", "phone": "+47 400 00 000"},
    )
    run(call, planner, APARTMENT, "update", id=created["id"], version=1, tenant={"name": "Liv"})
    run(call, planner, APARTMENT, "update", id=created["id"], version=2, floor=3)
    with call.sessions() as session:
        lines = session.scalars(
            select(m.PersonalDataEvent)
            .where(m.PersonalDataEvent.subject == f"apartment/{created['id']}")
            .order_by(m.PersonalDataEvent.id)
        ).all()
        logged = [(line.action, line.detail) for line in lines]
    assert logged == [
        ("edit:tenant", {"fields_written": ["name", "phone"], "fields_cleared": []}),
        ("edit:tenant", {"fields_written": ["name"], "fields_cleared": ["phone"]}),
    ]
    assert "Liv" not in str(logged)


def test_a_moved_building_takes_the_flats_at_its_point_along(call, api_world, planner):
    """Correcting a building's point corrects flats that stood there; an entrance stays put."""
    _, lon, lat = _district_point(call, api_world.region_id)
    building = run(
        call, planner, BUILDING, "create", region=str(api_world.region_id), lon=lon, lat=lat
    )
    at_building = run(call, planner, APARTMENT, "create", buildingId=building["id"], unit="A")
    own = {"lon": lon + 0.0002, "lat": lat}
    at_entrance = run(
        call, planner, APARTMENT, "create", buildingId=building["id"], unit="B", **own
    )
    new = {"lon": lon + 0.001, "lat": lat + 0.001}
    moved = run(call, planner, BUILDING, "update", id=building["id"], version=1, **new)
    assert (moved["lon"], moved["lat"]) == (new["lon"], new["lat"])
    read = "query A($id: ID!) { apartment(id: $id) { lon lat version } }"
    follows = call.data(planner, read, id=at_building["id"])["apartment"]
    assert follows == {**new, "version": 2}
    stays = call.data(planner, read, id=at_entrance["id"])["apartment"]
    assert stays == {**own, "version": 1}


def test_single_register_lookups_follow_the_read_rules(call, api_world, planner):
    """One organisation, model, district or depot by id; another region's planner finds no
    depot or district of this one, and a contractor may not list organisations."""
    with call.sessions() as session:
        ids = {
            "organisation": api_world.contractor_id,
            "furnitureModel": session.scalar(select(m.FurnitureModel.id).limit(1)),
            "district": session.scalar(select(m.District.id).limit(1)),
            "depot": session.scalar(select(m.Depot.id).limit(1)),
        }
    for field, row_id in ids.items():
        query = f"query Q($id: ID!) {{ {field}(id: $id) {{ id version }} }}"
        assert call.data(planner, query, id=row_id)[field]["id"] == str(row_id)
        if field in {"district", "depot"}:
            stranger = Principal(Role.PLANNER, region_id=api_world.region_id + 1000)
            assert call(stranger, query, id=row_id).errors[0].extensions["code"] == "NOT_FOUND"
    contractor = Principal(Role.CONTRACTOR, organisation_id=api_world.contractor_id)
    refused = call(contractor, "{ organisations { nodes { id } } }")
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
