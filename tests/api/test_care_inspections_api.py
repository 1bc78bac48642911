"""Inspections, coded repairs and wear codes in GraphQL, on both backends (issue 17, items 3-4).

Operations execute the schema with variables on a rolled-back session (convention 20). A crew
records on its published route of today: the item's grade is the worst investigated component
(TGIU when none), the trend follows the last two investigated inspections, and TG3 or a
worsening trend raises one repair job, never a second while one is open. Repairs need a code
combination of the item's family. Photos are uploaded over HTTP (tests/web/test_care_photos.py);
here they are stored through the service and attached by id.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from tests.security.schema_calls import SchemaCaller
from tests.services.care_inspection_world import build_care_world

from sitecrew.config import DatabaseSettings, PhotoSettings, Settings
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.services.care.photos import UploadPhoto, upload_photo

PROBLEM = "... on Problem { __typename code message }"
INSPECT = f"""mutation I($input: RecordInspectionInput!) {{ recordInspection(input: $input) {{
  __typename
  ... on InspectionRecorded {{
    trend repairRaised
    repairJob {{ id kind status priority dueOn furnitureId }}
    inspection {{ id grade inspectedOn repairJobId photoIds crewId
                  components {{ part grade cause consequence }} }}
  }}
  {PROBLEM} }} }}"""
REPAIR = f"""mutation R($input: RecordRepairInput!) {{ recordRepair(input: $input) {{
  __typename
  ... on Repair {{ id part failureMode cause remedy performedOn photoIds }}
  {PROBLEM} }} }}"""
CONDITION = """query C($id: ID!) { furnitureCondition(furnitureId: $id) {
  grade trend inspections { grade inspectedOn } repairs { part failureMode remedy } } }"""
CODES = """query W($family: FurnitureCategory!, $retired: Boolean!) {
  wearCodes(family: $family, includeRetired: $retired) { id level code path parentId retired version } }"""
ADD_CODE = f"""mutation A($input: AddWearCodeInput!) {{ addWearCode(input: $input) {{
  __typename ... on WearCode {{ id path level }} {PROBLEM} }} }}"""
UPDATE_CODE = f"""mutation U($input: UpdateWearCodeInput!) {{ updateWearCode(input: $input) {{
  __typename ... on WearCode {{ id label retired version }} {PROBLEM} }} }}"""
MAINTENANCE = f"""mutation M($input: RecordMaintenanceInput!) {{ recordMaintenance(input: $input) {{
  __typename {PROBLEM} }} }}"""

SOUND = [
    {"part": "slats", "grade": "TG0"},
    {"part": "frame", "grade": "TG1"},
    {"part": "fixings", "grade": "TGIU"},
    {"part": "surface_finish", "grade": "TG1"},
]
CRACKED = {
    "part": "slats",
    "grade": "TG2",
    "cause": "sun exposure",
    "consequence": "splinters, then a broken slat",
}
BROKEN = {
    "part": "slats",
    "grade": "TG3",
    "cause": "vandalism",
    "consequence": "the seat cannot be used",
}
PHOTO = b"\x89PNG\r\n\x1a\n" + b"care photo"


@contextmanager
def _caller(engine, photo_dir):
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(
        database=DatabaseSettings(url=str(engine.url)), photos=PhotoSettings(directory=photo_dir)
    )
    try:
        yield SchemaCaller(sessions, settings)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def call(engine, tmp_path):
    with _caller(engine, tmp_path / "photos") as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return build_care_world(session)


def _inspect(call, world, components, *, day="2025-05-02", item=None, principal=None, **extra):
    variables = {
        "jobId": str(world.site_job_id),
        "furnitureId": str(item or world.bench_id),
        "inspectedOn": day,
        "components": components,
        **extra,
    }
    answer = call.data(principal or world.crew, INSPECT, input=variables)
    return answer["recordInspection"]


def _repair(call, world, coding, *, principal=None, **extra):
    part, mode, cause, remedy = coding
    variables = {
        "jobId": str(world.site_job_id),
        "furnitureId": str(world.bench_id),
        "performedOn": "2025-06-01",
        "part": part,
        "failureMode": mode,
        "cause": cause,
        "remedy": remedy,
        **extra,
    }
    return call.data(principal or world.crew, REPAIR, input=variables)["recordRepair"]


def _repair_jobs(call, furniture_id: int) -> int:
    with call.sessions() as session:
        query = select(func.count()).where(
            m.Job.furniture_id == furniture_id, m.Job.kind == "repair"
        )
        return session.scalar(query)


def test_the_item_grade_is_the_worst_investigated_component(call, world):
    """TG0/TG1/TGIU/TG1 grade TG1; all TGIU grades TGIU and leaves the stored grade alone."""
    recorded = _inspect(call, world, SOUND)
    assert recorded["__typename"] == "InspectionRecorded", recorded
    inspection = recorded["inspection"]
    assert inspection["grade"] == "TG1"
    assert inspection["crewId"] == str(world.crew_id)
    assert [c["grade"] for c in inspection["components"]] == ["TG0", "TG1", "TGIU", "TG1"]
    assert (recorded["trend"], recorded["repairJob"], recorded["repairRaised"]) == (
        "UNKNOWN",
        None,
        False,
    )
    unknown = [{"part": p, "grade": "TGIU"} for p in ("slats", "frame")]
    later = _inspect(call, world, unknown, day="2025-09-01")
    assert later["inspection"]["grade"] == "TGIU"
    with call.sessions() as session:
        assert session.get(m.Furniture, world.bench_id).condition_grade == 1
    condition = call.data(world.planner, CONDITION, id=str(world.bench_id))["furnitureCondition"]
    assert (condition["grade"], condition["trend"]) == ("TG1", "UNKNOWN")
    assert [i["grade"] for i in condition["inspections"]] == ["TGIU", "TG1"]


def test_trend_follows_the_last_two_investigated_inspections(call, world):
    """TG1 -> TG1 stable; -> TG0 improving (TGIU in between is skipped); records newest first."""
    _inspect(call, world, SOUND, day="2024-05-02")
    assert _inspect(call, world, SOUND, day="2024-09-02")["trend"] == "STABLE"
    _inspect(call, world, [{"part": "frame", "grade": "TGIU"}], day="2025-01-10")
    better = [{"part": p, "grade": "TG0"} for p in ("slats", "frame", "fixings")]
    recorded = _inspect(call, world, better, day="2025-05-02")
    assert (recorded["trend"], recorded["repairJob"]) == ("IMPROVING", None)
    with call.sessions() as session:
        assert session.get(m.Furniture, world.bench_id).condition_grade == 0


def test_a_worsening_trend_raises_one_repair_job(call, world):
    """TG1 then TG2 is worsening: a repair job (priority 2); a third worse one raises none."""
    _inspect(call, world, SOUND, day="2025-05-02")
    worse = _inspect(call, world, [CRACKED], day="2025-09-01")
    assert (worse["trend"], worse["repairRaised"]) == ("WORSENING", True)
    job = worse["repairJob"]
    assert (job["kind"], job["status"], job["priority"]) == ("REPAIR", "OPEN", 2)
    assert (job["furnitureId"], job["dueOn"]) == (str(world.bench_id), "2025-10-13")
    assert worse["inspection"]["repairJobId"] == job["id"]
    worst = _inspect(call, world, [BROKEN], day="2025-10-01")
    assert (worst["trend"], worst["repairRaised"]) == ("WORSENING", False)
    assert worst["repairJob"]["id"] == job["id"]
    assert worst["inspection"]["repairJobId"] is None
    assert _repair_jobs(call, world.bench_id) == 1


def test_tg3_raises_a_repair_job_at_once_and_not_twice(call, world):
    """A first inspection at TG3 raises an urgent repair (priority 1, two weeks); again: none."""
    first = _inspect(call, world, [BROKEN, {"part": "frame", "grade": "TG0"}])
    assert first["inspection"]["grade"] == "TG3"
    assert (first["trend"], first["repairRaised"]) == ("UNKNOWN", True)
    assert (first["repairJob"]["priority"], first["repairJob"]["dueOn"]) == (1, "2025-05-16")
    second = _inspect(call, world, [BROKEN], day="2025-05-03")
    assert (second["trend"], second["repairRaised"]) == ("STABLE", False)
    assert second["repairJob"]["id"] == first["repairJob"]["id"]
    assert _repair_jobs(call, world.bench_id) == 1
    with call.sessions() as session:
        assert session.get(m.Furniture, world.bench_id).condition_grade == 3


def test_a_closed_repair_job_lets_the_next_tg3_raise_another(call, world):
    """Idempotence counts open jobs only: once the repair is done, a new TG3 needs a new job."""
    first = _inspect(call, world, [BROKEN])["repairJob"]
    with call.sessions.begin() as session:
        session.get(m.Job, int(first["id"])).status = "done"
    again = _inspect(call, world, [BROKEN], day="2025-06-01")
    assert again["repairRaised"] is True
    assert again["repairJob"]["id"] != first["id"]


def test_inspections_are_checked_against_ns_3424_and_the_family(call, world):
    """TG2 without cause and consequence, a part of no bench, a part twice: refused, nothing kept."""
    cases = [
        ([{"part": "slats", "grade": "TG2"}], "INVALID_INPUT", "cause and the consequence"),
        ([{"part": "body", "grade": "TG1"}], "INVALID_WEAR_CODE", "not a part of a bench"),
        ([{"part": "frame", "grade": "TG1"}] * 2, "INVALID_INPUT", "graded once"),
        ([], "INVALID_INPUT", "at least one component"),
    ]
    for components, code, words in cases:
        answer = _inspect(call, world, components)
        assert (answer["__typename"], answer["code"]) == ("InvalidInput", code), answer
        assert words in answer["message"]
    future = _inspect(call, world, SOUND, day="2099-01-01")
    assert future["code"] == "INVALID_INPUT"
    with call.sessions() as session:
        assert session.scalar(select(func.count()).select_from(m.Inspection)) == 0


def test_crews_record_only_on_their_route_of_today(call, world):
    """Another crew's job, a job on no route: NOT_FOUND; contractors and tenants: FORBIDDEN."""
    not_routed = {"jobId": str(world.unrouted_job_id)}
    assert _inspect(call, world, SOUND, **not_routed)["code"] == "NOT_FOUND"
    other = _inspect(call, world, SOUND, principal=world.other_crew)
    assert other["code"] == "NOT_FOUND"
    assert _inspect(call, world, SOUND, principal=world.contractor)["code"] == "FORBIDDEN"
    tenant = Principal(Role.TENANT, apartment_id=1, campaign_id=1)
    assert _inspect(call, world, SOUND, principal=tenant)["code"] == "FORBIDDEN"
    assert _inspect(call, world, SOUND, principal=world.other_planner)["code"] == "NOT_FOUND"
    # The planter job is crew B's: it records there; the bench is not that job's.
    planter = {"jobId": str(world.planter_job_id)}
    wrong_item = _inspect(call, world, SOUND, principal=world.other_crew, **planter)
    assert wrong_item["code"] == "INVALID_INPUT"
    body = [{"part": "body", "grade": "TG1"}]
    own = _inspect(call, world, body, principal=world.other_crew, item=world.planter_id, **planter)
    assert own["inspection"]["grade"] == "TG1"
    # The region's planner records on any job of the region, routed or not.
    planned = _inspect(call, world, SOUND, principal=world.planner, **not_routed)
    assert planned["__typename"] == "InspectionRecorded"
    assert planned["inspection"]["crewId"] is None


def test_a_site_job_covers_every_item_of_its_site(call, world):
    """One visit of the yard: both benches are inspected on the site's job."""
    for item in (world.bench_id, world.second_bench_id):
        assert _inspect(call, world, SOUND, item=item)["inspection"]["grade"] == "TG1"


def test_every_repair_carries_a_valid_code_combination(call, world):
    """slats/cracking/sun_exposure/replace_slat is a bench's; other combinations are refused."""
    stored = _repair(call, world, ("slats", "cracking", "sun_exposure", "replace_slat"))
    assert stored["__typename"] == "Repair", stored
    assert (stored["part"], stored["failureMode"], stored["remedy"]) == (
        "slats",
        "cracking",
        "replace_slat",
    )
    refused = [
        (("body", "dent", "impact", "replace_body"), "part 'body'"),  # a planter's
        (("slats", "corrosion", "road_salt", "replace_frame"), "failure mode 'corrosion'"),
        (("slats", "cracking", "road_salt", "replace_slat"), "cause 'road_salt'"),
        (("slats", "rot", "missed_oiling", "fill_and_oil"), "remedy 'fill_and_oil'"),
    ]
    for coding, words in refused:
        answer = _repair(call, world, coding)
        assert (answer["__typename"], answer["code"]) == ("InvalidInput", "INVALID_WEAR_CODE")
        assert words in answer["message"], answer
    bad_form = _repair(call, world, ("Slats!", "cracking", "sun_exposure", "replace_slat"))
    assert bad_form["code"] == "INVALID_INPUT"
    condition = call.data(world.crew, CONDITION, id=str(world.bench_id))["furnitureCondition"]
    assert condition["repairs"] == [
        {"part": "slats", "failureMode": "cracking", "remedy": "replace_slat"}
    ]


def test_plain_maintenance_cannot_record_an_uncoded_repair(call, world):
    """recordMaintenance with action REPAIRED is refused: repairs go through recordRepair."""
    variables = {
        "furnitureId": str(world.bench_id),
        "jobId": str(world.site_job_id),
        "performedOn": "2025-06-01",
        "action": "REPAIRED",
    }
    answer = call.data(world.planner, MAINTENANCE, input=variables)["recordMaintenance"]
    assert (answer["__typename"], answer["code"]) == ("InvalidInput", "INVALID_WEAR_CODE")


def test_a_retired_code_is_refused_on_new_repairs(call, world):
    """Admins retire a code; the repair with it is refused, old listings show it as retired."""
    codes = call.data(world.crew, CODES, family="BENCH", retired=False)["wearCodes"]
    remedy = next(c for c in codes if c["path"] == "slats/cracking/fill_and_oil")
    assert remedy["level"] == "REMEDY"
    change = {"id": remedy["id"], "version": remedy["version"], "retired": True}
    refused = call.data(world.planner, UPDATE_CODE, input=change)["updateWearCode"]
    assert refused["__typename"] == "Forbidden"
    retired = call.data(world.admin, UPDATE_CODE, input=change)["updateWearCode"]
    assert (retired["retired"], retired["version"]) == (True, remedy["version"] + 1)
    stale = call.data(world.admin, UPDATE_CODE, input=change)["updateWearCode"]
    assert stale["__typename"] == "Conflict"
    answer = _repair(call, world, ("slats", "cracking", "drying_out", "fill_and_oil"))
    assert answer["code"] == "INVALID_WEAR_CODE"
    listed = call.data(world.crew, CODES, family="BENCH", retired=True)["wearCodes"]
    assert any(c["id"] == remedy["id"] and c["retired"] for c in listed)


def test_admins_extend_a_familys_codes_and_repairs_use_them(call, world):
    """A new cause under slats/cracking is usable at once; parents are checked by path."""
    new = {"family": "BENCH", "level": "CAUSE", "code": "skateboarding", "label": "Skateboarding"}
    missing = call.data(world.admin, ADD_CODE, input={**new, "parent": "slats/warping"})
    assert missing["addWearCode"]["__typename"] == "NotFound"
    no_parent = call.data(world.admin, ADD_CODE, input=new)["addWearCode"]
    assert no_parent["__typename"] == "InvalidInput"
    added = call.data(world.admin, ADD_CODE, input={**new, "parent": "slats/cracking"})
    assert added["addWearCode"]["path"] == "slats/cracking/skateboarding"
    twice = call.data(world.admin, ADD_CODE, input={**new, "parent": "slats/cracking"})
    assert twice["addWearCode"]["__typename"] == "Conflict"
    crew = call.data(world.crew, ADD_CODE, input={**new, "parent": "slats/cracking"})
    assert crew["addWearCode"]["__typename"] == "Forbidden"
    stored = _repair(call, world, ("slats", "cracking", "skateboarding", "replace_slat"))
    assert stored["cause"] == "skateboarding"


def test_photos_are_attached_to_the_record_they_show(call, world):
    """A crew's uploaded photo goes with its inspection; another crew's photo is NOT_FOUND."""
    settings = PhotoSettings(directory=call._settings.photos.directory)
    with call.sessions.begin() as session:
        photo, new = upload_photo(
            session, world.crew, UploadPhoto(world.site_job_id, PHOTO), settings
        )
        other, _ = upload_photo(
            session, world.other_crew, UploadPhoto(world.planter_job_id, PHOTO), settings
        )
    assert new is True
    assert other.sha256 == photo.sha256
    foreign = _inspect(call, world, SOUND, photoIds=[str(other.id)])
    assert foreign["code"] == "NOT_FOUND"
    recorded = _inspect(call, world, SOUND, photoIds=[str(photo.id)])
    assert recorded["inspection"]["photoIds"] == [str(photo.id)]
    reused = _inspect(call, world, SOUND, day="2025-05-03", photoIds=[str(photo.id)])
    assert reused["__typename"] == "Conflict"
