"""Mutations: one input, a union payload, one transaction each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import holidays

CREATE_SITE = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
  __typename ... on Site { id name lon lat } ... on Problem { code message } } }"""
SITE_COUNT = "{ sites(first: 500) { nodes { id } } }"


def _site_input(world, **overrides):
    return {
        "name": "Tøyen yard",
        "kind": "HOUSING_COOPERATIVE",
        "region": str(world.region_id),
        "lon": 10.77,
        "lat": 59.915,
        **overrides,
    }


def test_create_update_and_delete_a_site(gql, api_world):
    """A planner creates a site, moves it, and deletes it again."""
    created = gql.data("planner", CREATE_SITE, input=_site_input(api_world))["createSite"]
    assert created["__typename"] == "Site"
    update = """mutation U($input: UpdateSiteInput!) { updateSite(input: $input) {
      __typename ... on Site { name lon lat } ... on Problem { code } } }"""
    moved = gql.data(
        "planner",
        update,
        input={
            "id": created["id"],
            "version": 1,
            "name": "Tøyen park yard",
            "lon": 10.771,
            "lat": 59.916,
        },
    )
    assert moved["updateSite"] == {
        "__typename": "Site",
        "name": "Tøyen park yard",
        "lon": 10.771,
        "lat": 59.916,
    }
    delete = """mutation D($input: DeleteInput!) { deleteSite(input: $input) {
      __typename ... on Deleted { id } ... on Problem { code } } }"""
    assert gql.data("planner", delete, input={"id": created["id"]})["deleteSite"] == {
        "__typename": "Deleted",
        "id": created["id"],
    }


def test_invalid_site_is_a_payload_problem_and_writes_nothing(gql, api_world):
    """Out-of-range coordinates and a bow-tie area come back as InvalidInput; no site appears."""
    before = len(gql.data("admin", SITE_COUNT)["sites"]["nodes"])
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[10.74, 59.91], [10.75, 59.92], [10.75, 59.91], [10.74, 59.92], [10.74, 59.91]]
        ],
    }
    for bad in ({"lon": 190.0}, {"area": bowtie}):
        payload = gql.data("planner", CREATE_SITE, input=_site_input(api_world, **bad))[
            "createSite"
        ]
        assert payload["__typename"] == "InvalidInput"
        assert payload["code"] == "INVALID_INPUT"
    assert len(gql.data("admin", SITE_COUNT)["sites"]["nodes"]) == before


def test_deleting_a_site_with_furniture_is_a_conflict(gql):
    """A site that still has furniture cannot be deleted."""
    site_id = gql.data("admin", "{ sites(first: 1) { nodes { id } } }")["sites"]["nodes"][0]["id"]
    delete = """mutation D($input: DeleteInput!) { deleteSite(input: $input) { __typename ... on Problem { code message } } }"""
    payload = gql.data("admin", delete, input={"id": site_id})["deleteSite"]
    assert payload["__typename"] == "Conflict"
    assert "furniture" in payload["message"]


def test_job_status_uses_optimistic_concurrency(gql, api_world):
    """The second writer holding an old version gets Conflict; nothing is lost."""
    create = """mutation J($input: CreateJobInput!) { createJob(input: $input) {
      __typename ... on Job { id version status } ... on Problem { code message } } }"""
    furniture_id = gql.data("admin", "{ furniture(first: 1) { nodes { id } } }")["furniture"][
        "nodes"
    ][0]["id"]
    job = gql.data(
        "planner",
        create,
        input={"kind": "INSPECT", "region": str(api_world.region_id), "furnitureId": furniture_id},
    )["createJob"]
    assert (job["__typename"], job["version"], job["status"]) == ("Job", 1, "OPEN")
    change = """mutation S($input: ChangeJobStatusInput!) { changeJobStatus(input: $input) {
      __typename ... on Job { version status } ... on Problem { code message } } }"""
    first = gql.data(
        "planner", change, input={"id": job["id"], "status": "SCHEDULED", "version": 1}
    )
    assert first["changeJobStatus"] == {"__typename": "Job", "version": 2, "status": "SCHEDULED"}
    stale = gql.data(
        "planner", change, input={"id": job["id"], "status": "CANCELLED", "version": 1}
    )
    assert stale["changeJobStatus"]["__typename"] == "Conflict"
    illegal = gql.data("planner", change, input={"id": job["id"], "status": "DONE", "version": 2})
    assert illegal["changeJobStatus"]["__typename"] == "IllegalTransition"
    current = gql.data(
        "admin", "query Q($id: ID!) { job(id: $id) { status version } }", id=job["id"]
    )
    assert current["job"] == {"status": "SCHEDULED", "version": 2}


def test_job_with_two_targets_is_invalid_input(gql, api_world):
    """A job aimed at furniture and an apartment at once is refused."""
    create = """mutation J($input: CreateJobInput!) { createJob(input: $input) { __typename ... on Problem { code } } }"""
    payload = gql.data(
        "admin",
        create,
        input={
            "kind": "OIL",
            "region": str(api_world.region_id),
            "furnitureId": 1,
            "apartmentId": 1,
        },
    )
    assert payload["createJob"] == {"__typename": "InvalidInput", "code": "INVALID_INPUT"}


def _working_day(ahead: int) -> date:
    """Return the first weekday that is no Norwegian holiday, ``ahead`` days from now or later."""
    day = (datetime.now(UTC) + timedelta(days=ahead)).date()
    off = holidays.country_holidays("NO", years=range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in off:  # 5: Saturday
        day += timedelta(days=1)
    return day


def test_book_reschedule_and_cancel_an_appointment(gql, api_world):
    """A planner books a window, moves it, cancels it; an inverted window is InvalidInput."""
    job_id = api_world.route_job_id
    day = _working_day(3).isoformat()  # crews must be able to make the window (write-time check)
    book = """mutation B($input: BookAppointmentInput!) { bookAppointment(input: $input) {
      __typename ... on Appointment { id windowStart windowEnd status version }
      ... on Problem { code } } }"""
    booked = gql.data(
        "planner",
        book,
        input={
            "jobId": job_id,
            "windowStart": f"{day}T08:00:00+02:00",
            "windowEnd": f"{day}T10:00:00+02:00",
        },
    )["bookAppointment"]
    assert (booked["__typename"], booked["version"]) == ("Appointment", 1)
    assert booked["windowStart"].startswith(f"{day}T06:00:00")
    inverted = gql.data(
        "planner",
        book,
        input={
            "jobId": job_id,
            "windowStart": f"{day}T10:00:00+02:00",
            "windowEnd": f"{day}T08:00:00+02:00",
        },
    )
    assert inverted["bookAppointment"] == {"__typename": "InvalidInput", "code": "INVALID_INPUT"}
    move = """mutation R($input: RescheduleAppointmentInput!) { rescheduleAppointment(input: $input) {
      __typename ... on Appointment { windowStart version } } }"""
    moved = gql.data(
        "planner",
        move,
        input={
            "id": booked["id"],
            "version": 1,
            "windowStart": f"{day}T12:00:00+02:00",
            "windowEnd": f"{day}T14:00:00+02:00",
        },
    )["rescheduleAppointment"]
    assert moved["windowStart"].startswith(f"{day}T10:00:00")
    assert moved["version"] == 2
    cancel = """mutation X($input: CancelAppointmentInput!) { cancelAppointment(input: $input) {
      __typename ... on Appointment { status } } }"""
    cancelled = gql.data("planner", cancel, input={"id": booked["id"], "version": 2})
    assert cancelled["cancelAppointment"]["status"] == "CANCELLED"


def test_record_maintenance_reports_wear_and_updates_the_item(gql):
    """A wear report is stored and becomes the item's last maintenance."""
    item = gql.data("admin", "{ furniture(first: 1) { nodes { id } } }")["furniture"]["nodes"][0][
        "id"
    ]
    record = """mutation M($input: RecordMaintenanceInput!) { recordMaintenance(input: $input) {
      __typename ... on MaintenanceRecord { wearType severity } ... on Problem { code } } }"""
    today = date(2026, 6, 1).isoformat()  # after all demo history (which ends before 2026-06-02)
    payload = gql.data(
        "planner",
        record,
        input={
            "furnitureId": item,
            "performedOn": today,
            "action": "OILED",
            "wearType": "CRACKING",
            "severity": 2,
            "notes": "Crack in the second slat",
        },
    )
    assert payload["recordMaintenance"] == {
        "__typename": "MaintenanceRecord",
        "wearType": "CRACKING",
        "severity": 2,
    }
    last = gql.data(
        "admin",
        "query F($id: ID!) { furnitureItem(id: $id) { lastMaintainedOn lastMaintenance { notes } } }",
        id=item,
    )
    assert last["furnitureItem"] == {
        "lastMaintainedOn": today,
        "lastMaintenance": {"notes": "Crack in the second slat"},
    }


def test_concurrent_mutations_all_land(client, api_world):
    """Sixteen wear reports sent at once are all written: writers queue, none is refused."""
    items = [
        node["id"]
        for node in client.post(
            "/graphql",
            json={"query": "{ furniture(first: 16) { nodes { id } } }"},
            headers={"Authorization": f"Bearer {api_world.tokens['admin']}"},
        ).json()["data"]["furniture"]["nodes"]
    ]
    record = """mutation M($input: RecordMaintenanceInput!) { recordMaintenance(input: $input) {
      __typename ... on Problem { code message } } }"""

    def report(item: str) -> dict:
        variables = {
            "input": {
                "furnitureId": item,
                "performedOn": "2026-06-01",
                "action": "INSPECTED",
                "wearType": "WEATHERING",
                "severity": 1,
            }
        }
        response = client.post(
            "/graphql",
            json={"query": record, "variables": variables},
            headers={"Authorization": f"Bearer {api_world.tokens['admin']}"},
        )
        return response.json()

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(report, items))
    assert [answer.get("errors") for answer in answers] == [None] * len(items)
    assert {answer["data"]["recordMaintenance"]["__typename"] for answer in answers} == {
        "MaintenanceRecord"
    }


FURNITURE_FIELDS = "__typename ... on Furniture { id serial conditionGrade lon lat siteId } ... on Problem { code message }"


def test_create_update_and_delete_a_furniture_item(gql):
    """A planner registers an item on a site, regrades it, and deletes it again."""
    site = gql.data("admin", "{ sites(first: 1) { nodes { id lon lat } } }")["sites"]["nodes"][0]
    model = gql.data("admin", "{ furniture(first: 1) { nodes { model { id } } } }")["furniture"][
        "nodes"
    ][0]["model"]["id"]
    create = f"""mutation C($input: CreateFurnitureInput!) {{ createFurniture(input: $input) {{
      {FURNITURE_FIELDS} }} }}"""
    item = {
        "siteId": site["id"],
        "modelId": model,
        "serial": "TEST-BENCH-0001",
        "lon": site["lon"],
        "lat": site["lat"],
        "conditionGrade": 1,
    }
    created = gql.data("planner", create, input=item)["createFurniture"]
    assert (created["__typename"], created["serial"], created["siteId"]) == (
        "Furniture",
        "TEST-BENCH-0001",
        site["id"],
    )
    duplicate = gql.data("planner", create, input=item)["createFurniture"]
    assert duplicate["__typename"] == "Conflict"  # serials are unique
    update = f"""mutation U($input: UpdateFurnitureInput!) {{ updateFurniture(input: $input) {{
      {FURNITURE_FIELDS} }} }}"""
    regrade = {"id": created["id"], "version": 1, "conditionGrade": 3}
    regraded = gql.data("planner", update, input=regrade)
    assert regraded["updateFurniture"]["conditionGrade"] == 3
    out_of_range = gql.data(
        "planner", update, input={"id": created["id"], "version": 2, "conditionGrade": 7}
    )
    assert out_of_range["updateFurniture"]["__typename"] == "InvalidInput"
    delete = """mutation D($input: DeleteInput!) { deleteFurniture(input: $input) {
      __typename ... on Deleted { id } ... on Problem { code } } }"""
    assert gql.data("planner", delete, input={"id": created["id"]})["deleteFurniture"] == {
        "__typename": "Deleted",
        "id": created["id"],
    }
    gone = gql("admin", "query F($id: ID!) { furnitureItem(id: $id) { id } }", id=created["id"])
    assert [error["extensions"]["code"] for error in gone["errors"]] == ["NOT_FOUND"]


def test_furniture_on_an_unknown_site_or_with_jobs_is_refused(gql):
    """An unknown site is NotFound; an item with jobs cannot be deleted (Conflict)."""
    model = gql.data("admin", "{ furniture(first: 1) { nodes { model { id } } } }")["furniture"][
        "nodes"
    ][0]["model"]["id"]
    create = f"""mutation C($input: CreateFurnitureInput!) {{ createFurniture(input: $input) {{
      {FURNITURE_FIELDS} }} }}"""
    unknown = {"siteId": 999999, "modelId": model, "serial": "X-1", "lon": 10.75, "lat": 59.91}
    assert gql.data("admin", create, input=unknown)["createFurniture"]["__typename"] == "NotFound"
    with_jobs = gql.data(
        "admin", "{ jobs(filter: {kind: OIL}, first: 1) { nodes { furnitureId } } }"
    )
    item = with_jobs["jobs"]["nodes"][0]["furnitureId"]
    delete = """mutation D($input: DeleteInput!) { deleteFurniture(input: $input) {
      __typename ... on Problem { code } } }"""
    assert gql.data("admin", delete, input={"id": item})["deleteFurniture"] == {
        "__typename": "Conflict",
        "code": "CONFLICT",
    }
