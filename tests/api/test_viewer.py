"""``viewer``: who the bearer token is, so that a map console can pick its view."""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy import delete
from tests.api.conftest import error_codes

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.access import Principal, Role
from sitecrew.services.access import create_token
from sitecrew.services.viewer import describe_viewer

VIEWER = """query V { viewer {
  role tokenName
  organisation { id name kind }
  crew { id name regionId }
  regions { id slug name bounds }
} }"""
BY_FRAGMENT = """query V { ...Me }
fragment Me on Query { viewer { role ...Places } }
fragment Places on Viewer { regions { slug bounds } }"""


@pytest.fixture
def far_region(world_sessions):
    """A second region, with an admin's view of it and a planner (and a region-less planner)."""
    with world_sessions.begin() as session:
        region = m.Region(
            name="Viewer far",
            slug="viewer-far",
            area=to_db_geometry(shapely.box(5.2, 60.3, 5.4, 60.5)),
        )
        session.add(region)
        session.flush()
        planner = create_token(session, name="far planner", role=Role.PLANNER, region_id=region.id)
        everywhere = create_token(session, name="planner of all", role=Role.PLANNER)
        region_id = region.id
    yield region_id, planner.secret, everywhere.secret
    with world_sessions.begin() as session:
        session.execute(
            delete(m.ApiToken).where(m.ApiToken.name.in_(["far planner", "planner of all"]))
        )
        session.execute(delete(m.Region).where(m.Region.id == region_id))


def _viewer(client, secret: str, query: str = VIEWER) -> dict:
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.post("/graphql", json={"query": query}, headers=headers).json()
    assert body.get("errors") is None, body["errors"]
    return body["data"]["viewer"]


def _oslo_bounds(world_sessions, region_id: int) -> list[float]:
    with world_sessions() as session:
        area = session.get(m.Region, region_id).to_domain().area
    return list(area.bounds)


def test_viewer_names_a_planners_role_token_and_region_with_its_bounds(
    gql, api_world, world_sessions
):
    viewer = gql.data("planner", VIEWER)["viewer"]
    assert viewer["role"] == "PLANNER"
    assert viewer["tokenName"] == "planner"
    assert viewer["organisation"] is None
    assert viewer["crew"] is None
    [region] = viewer["regions"]
    assert (region["id"], region["slug"], region["name"]) == (
        str(api_world.region_id),
        "oslo",
        "Oslo sentrum",
    )
    west, south, east, north = region["bounds"]
    assert west < east
    assert south < north
    assert region["bounds"] == pytest.approx(_oslo_bounds(world_sessions, api_world.region_id))
    assert 10.6 < west < east < 10.9
    assert 59.8 < south < north < 60.0


def test_viewer_of_a_contractor_names_its_organisation_and_its_districts_region(
    gql, api_world, far_region
):
    viewer = gql.data("contractor", VIEWER)["viewer"]
    assert viewer["role"] == "CONTRACTOR"
    assert viewer["tokenName"] == "contractor"
    assert viewer["organisation"]["id"] == str(api_world.contractor_id)
    assert viewer["organisation"]["kind"] == "CONTRACTOR"
    assert viewer["organisation"]["name"]
    assert viewer["crew"] is None
    assert [r["id"] for r in viewer["regions"]] == [str(api_world.region_id)]  # not viewer-far


@pytest.mark.parametrize(("role", "crew"), [("crew", "crew_id"), ("other_crew", "other_crew_id")])
def test_viewer_of_a_crew_names_its_own_crew_and_region_only(
    gql, api_world, far_region, role, crew
):
    viewer = gql.data(role, VIEWER)["viewer"]
    assert viewer["role"] == "CREW"
    assert viewer["crew"]["id"] == str(getattr(api_world, crew))
    assert viewer["crew"]["name"].startswith("Installers")
    assert viewer["crew"]["regionId"] == str(api_world.region_id)
    assert [r["id"] for r in viewer["regions"]] == [str(api_world.region_id)]


def test_viewer_of_an_admin_lists_every_region_by_slug(gql, api_world, far_region):
    region_id, _, _ = far_region
    viewer = gql.data("admin", VIEWER)["viewer"]
    assert (viewer["role"], viewer["tokenName"], viewer["crew"]) == ("ADMIN", "admin", None)
    slugs = [r["slug"] for r in viewer["regions"]]
    assert {"oslo", "viewer-far"} <= set(slugs)
    assert slugs == sorted(slugs)
    far = next(r for r in viewer["regions"] if r["id"] == str(region_id))
    assert far["bounds"] == pytest.approx([5.2, 60.3, 5.4, 60.5])


def test_viewer_of_another_regions_planner_holds_only_that_region(client, far_region):
    _region_id, planner, everywhere = far_region
    viewer = _viewer(client, planner, BY_FRAGMENT)  # named fragments, nested
    assert viewer == {
        "role": "PLANNER",
        "regions": [{"slug": "viewer-far", "bounds": pytest.approx([5.2, 60.3, 5.4, 60.5])}],
    }
    assert {r["slug"] for r in _viewer(client, everywhere)["regions"]} >= {
        "oslo",
        "viewer-far",
    }


def test_viewer_is_unauthenticated_without_a_valid_token(client):
    anonymous = client.post("/graphql", json={"query": VIEWER})
    assert anonymous.status_code == 401
    assert error_codes(anonymous.json()) == ["UNAUTHENTICATED"]
    forged = client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status_code == 401
    assert error_codes(forged.json()) == ["UNAUTHENTICATED"]
    assert forged.json().get("data") is None


def test_viewer_of_a_tenants_link_names_nothing_and_no_region(world_sessions, api_world):
    tenant = Principal(Role.TENANT, token_id=1, apartment_id=1, campaign_id=1)
    with world_sessions() as session:
        seen = describe_viewer(session, tenant)
    assert (seen.role, seen.token_name, seen.organisation, seen.crew) == (
        Role.TENANT,
        None,
        None,
        None,
    )  # a link's id (1) is never looked up as an API token's
    assert seen.regions == []


def test_viewer_regions_are_priced_by_their_cap(api_world):
    from tests.live_world import live_client

    query = "query V { viewer { regions { publicHolidays(year: 2026) { date name } } } }"
    with live_client(api_world, None, max_cost=1000) as client:
        headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
        body = client.post("/graphql", json={"query": query}, headers=headers).json()
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
