"""Map viewports: one FeatureCollection per layer and box, current after every write, scoped by role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from tests.api.conftest import error_codes, make_client

from sitecrew.db import models as m

VIEWPORT = (
    "query V($layer: ViewportLayer!, $box: BBoxInput!) { viewport(layer: $layer, bbox: $box) }"
)
BOX = {"west": 10.745, "south": 59.915, "east": 10.765, "north": 59.925}
WHOLE_CITY = {"west": 10.6, "south": 59.85, "east": 10.9, "north": 60.0}

#: The properties of each layer, read from the world_sessions row they describe.
LAYER_ROWS = {
    "SITES": (m.Site, ("name", "kind", "district_id")),
    "FURNITURE": (m.Furniture, ("serial", "condition_grade", "site_id", "last_maintained_on")),
    "APARTMENTS": (m.Apartment, ("unit", "installation_status", "building_id", "district_id")),
}


def _features(gql, role: str, layer: str, box: dict = BOX) -> dict[int, dict]:
    collection = gql.data(role, VIEWPORT, layer=layer, box=box)["viewport"]
    assert collection["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in collection["features"]}


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("layer", list(LAYER_ROWS))
def test_each_layer_shows_every_row_in_the_box_with_its_properties(gql, world_sessions, layer):
    """Every row inside the box is one Feature whose point and properties are the row's own."""
    model, properties = LAYER_ROWS[layer]
    features = _features(gql, "admin", layer, WHOLE_CITY if layer != "APARTMENTS" else BOX)
    assert features
    with world_sessions() as session:
        rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(features)))}
    assert set(rows) == set(features)
    for row_id, feature in features.items():
        row = rows[row_id]
        assert feature["type"] == "Feature"
        point = row.to_domain().location
        assert feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == pytest.approx([point.x, point.y], abs=1e-6)
        assert list(feature["properties"]) == list(properties)
        assert feature["properties"] == {
            name: _json_value(getattr(row, name)) for name in properties
        }


def test_identical_requests_get_identical_bytes(client, api_world):
    """The same box on the same data answers the same bytes (caches and diffs agree)."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    body = {"query": VIEWPORT, "variables": {"layer": "APARTMENTS", "box": BOX}}
    first = client.post("/graphql", json=body, headers=headers)
    second = client.post("/graphql", json=body, headers=headers)
    assert first.content == second.content
    ids = [feature["id"] for feature in first.json()["data"]["viewport"]["features"]]
    assert len(ids) == len(set(ids))


def test_an_empty_box_is_an_empty_collection(gql):
    """A box with nothing in it is a valid, empty FeatureCollection (not null, not an error)."""
    sea = {"west": 10.70, "south": 59.88, "east": 10.701, "north": 59.881}
    assert gql.data("admin", VIEWPORT, layer="SITES", box=sea)["viewport"] == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_a_site_written_through_the_api_is_current_in_the_viewport(gql, api_world):
    """Create, rename, move out of the box and delete a site: the viewport follows each write.

    The name holds quotes, a backslash and non-ASCII letters: stored features escape them.
    """
    create = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
      ... on Site { id } ... on Problem { code } } }"""
    site_id = gql.data(
        "planner",
        create,
        input={
            "name": 'Gården "Øst" \\ B',
            "kind": "SCHOOLYARD",
            "region": str(api_world.region_id),
            "lon": 10.7501,
            "lat": 59.9201,
        },
    )["createSite"]["id"]
    feature = _features(gql, "planner", "SITES")[int(site_id)]
    assert feature["properties"]["name"] == 'Gården "Øst" \\ B'
    assert feature["properties"]["kind"] == "schoolyard"
    assert feature["geometry"] == {"type": "Point", "coordinates": [10.7501, 59.9201]}

    rename = """mutation U($input: UpdateSiteInput!) { updateSite(input: $input) {
      ... on Site { id } ... on Problem { code } } }"""
    gql.data(
        "planner",
        rename,
        input={"id": site_id, "version": 1, "name": "Gården Vest", "kind": "PARK"},
    )
    renamed = _features(gql, "planner", "SITES")[int(site_id)]["properties"]
    assert (renamed["name"], renamed["kind"]) == ("Gården Vest", "park")

    moved = {"id": site_id, "version": 2, "lon": 10.735, "lat": 59.912}  # still in Oslo
    assert gql.data("planner", rename, input=moved)["updateSite"] == {"id": site_id}
    assert int(site_id) not in _features(gql, "planner", "SITES")

    delete = """mutation D($input: DeleteInput!) { deleteSite(input: $input) { __typename } }"""
    gql.data("planner", delete, input={"id": site_id})
    assert int(site_id) not in _features(gql, "planner", "SITES", WHOLE_CITY)


def test_maintenance_updates_the_furniture_feature(gql):
    """A maintenance record moves the item's last_maintained_on and condition grade on the map."""
    features = _features(gql, "admin", "FURNITURE", WHOLE_CITY)
    item = features[max(features)]  # other tests maintain the first items
    record = """mutation M($input: RecordMaintenanceInput!) { recordMaintenance(input: $input) {
      __typename } }"""
    update_grade = """mutation U($input: UpdateFurnitureInput!) { updateFurniture(input: $input) {
      __typename } }"""
    day = date(2026, 6, 1).isoformat()
    recorded = gql.data(
        "planner",
        record,
        input={"furnitureId": item["id"], "performedOn": day, "action": "OILED"},
    )
    assert recorded["recordMaintenance"] == {"__typename": "MaintenanceRecord"}
    grade = (item["properties"]["condition_grade"] + 1) % 4
    read = "query F($id: ID!) { furnitureItem(id: $id) { version } }"
    version = gql.data("planner", read, id=item["id"])["furnitureItem"]["version"]
    regrade = {"id": item["id"], "version": version, "conditionGrade": grade}
    assert gql.data("planner", update_grade, input=regrade)["updateFurniture"] == {
        "__typename": "Furniture"
    }
    after = _features(gql, "admin", "FURNITURE", WHOLE_CITY)[item["id"]]["properties"]
    assert after["last_maintained_on"] == day
    assert after["condition_grade"] == grade


def test_bulk_sql_updates_keep_features_current(gql, world_sessions):
    """Features are kept by the world_sessions, so a set-based UPDATE outside the ORM shows too."""
    apartments = _features(gql, "admin", "APARTMENTS")
    chosen = sorted(apartments)[:5]
    with world_sessions.begin() as session:
        session.execute(
            update(m.Apartment)
            .where(m.Apartment.id.in_(chosen))
            .values(installation_status="no_access")
        )
    after = _features(gql, "admin", "APARTMENTS")
    assert {after[i]["properties"]["installation_status"] for i in chosen} == {"no_access"}
    with world_sessions.begin() as session:
        for apartment_id in chosen:
            session.execute(
                update(m.Apartment)
                .where(m.Apartment.id == apartment_id)
                .values(
                    installation_status=apartments[apartment_id]["properties"][
                        "installation_status"
                    ]
                )
            )


def test_contractor_viewport_holds_only_its_districts(gql, api_world, world_sessions):
    """A contractor's apartment layer is the apartments of its districts and nothing else."""
    seen = _features(gql, "contractor", "APARTMENTS")
    everything = _features(gql, "admin", "APARTMENTS")
    with world_sessions() as session:
        districts = set(
            session.scalars(
                select(m.District.id).where(m.District.contractor_id == api_world.contractor_id)
            )
        )
    expected = {
        i for i, feature in everything.items() if feature["properties"]["district_id"] in districts
    }
    assert seen
    assert set(seen) == expected
    assert error_codes(gql("contractor", VIEWPORT, layer="SITES", box=BOX)) == ["FORBIDDEN"]


def test_crew_viewport_holds_only_the_apartments_its_routes_visit(gql, api_world):
    """A crew member's map shows the apartments of its own route stops, not another crew's."""
    own = _features(gql, "crew", "APARTMENTS", WHOLE_CITY)
    jobs = gql.data("crew", "{ jobs(first: 500) { nodes { apartment { id } } } }")["jobs"]["nodes"]
    assert set(own) == {int(job["apartment"]["id"]) for job in jobs if job["apartment"]}
    assert api_world.visited_apartment_id in own
    others = _features(gql, "other_crew", "APARTMENTS", WHOLE_CITY)
    assert api_world.visited_apartment_id not in others


def test_viewport_over_the_cap_is_refused(api_world):
    """A viewport with more features than the cap gets VIEWPORT_TOO_LARGE, not a huge answer."""
    with make_client(api_world, max_viewport_features=10) as small:
        response = small.post(
            "/graphql",
            json={"query": VIEWPORT, "variables": {"layer": "APARTMENTS", "box": BOX}},
            headers={"Authorization": f"Bearer {api_world.tokens['admin']}"},
        )
    assert error_codes(response.json()) == ["VIEWPORT_TOO_LARGE"]
