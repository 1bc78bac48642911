"""Regions over GraphQL: one name (the slug, any case, or the id) in queries and inputs.

The API world's region is the demo's: slug ``oslo``, title ``Oslo sentrum``. Writes go through
a rolled-back session (convention 20), so the world stays as it was.
"""

from __future__ import annotations

import pytest
from tests.security.schema_calls import schema_caller

from sitecrew.domain.access import Principal, Role

REGION = """query R($slug: String, $id: ID) { region(slug: $slug, id: $id) {
  id slug name timezone } }"""
CREATE_SITE = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
  __typename ... on Site { id regionId } ... on Problem { code message } } }"""
CREATE_JOB = """mutation J($input: CreateJobInput!) { createJob(input: $input) {
  __typename ... on Job { id regionId } ... on Problem { code message } } }"""
PLAN = """mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {
  __typename ... on Problem { code message } } }"""
ADMIN = Principal(Role.ADMIN)


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


def _codes(result) -> list[str]:
    return [error.extensions.get("code") for error in result.errors or []]


def test_region_is_found_by_slug_in_any_case_or_by_id_when_queried(call, api_world):
    """``oslo``, ``OSLO``, `` Oslo `` and the id all answer the same region with its title."""
    expected = {
        "id": str(api_world.region_id),
        "slug": "oslo",
        "name": "Oslo sentrum",
        "timezone": "Europe/Oslo",
    }
    for variables in ({"slug": "oslo"}, {"slug": "OSLO"}, {"slug": " Oslo "}):
        assert call.data(ADMIN, REGION, **variables)["region"] == expected
    assert call.data(ADMIN, REGION, id=str(api_world.region_id))["region"] == expected


def test_regions_list_shows_each_slug_beside_its_title(call):
    """The listing names every region the way inputs take it."""
    nodes = call.data(ADMIN, "{ regions { nodes { slug name } } }")["regions"]["nodes"]
    assert {"slug": "oslo", "name": "Oslo sentrum"} in nodes


def test_region_query_is_invalid_input_when_given_both_names_or_neither(call, api_world):
    """Exactly one of slug and id."""
    assert _codes(call(ADMIN, REGION)) == ["INVALID_INPUT"]
    both = call(ADMIN, REGION, slug="oslo", id=str(api_world.region_id))
    assert _codes(both) == ["INVALID_INPUT"]


def test_unknown_region_is_not_found_listing_the_slugs_when_queried(call):
    """A misspelt slug, or the title instead of it, says which slugs exist."""
    for slug in ("olso", "Oslo sentrum"):
        result = call(ADMIN, REGION, slug=slug)
        assert _codes(result) == ["NOT_FOUND"]
        assert "known regions: oslo (Oslo sentrum)" in result.errors[0].message


def test_crew_may_not_look_up_a_region_when_queried(call, api_world):
    """Crews do not list regions; naming one is FORBIDDEN, not a way to probe slugs."""
    crew = Principal(Role.CREW, crew_id=api_world.crew_id)
    assert _codes(call(crew, REGION, slug="oslo")) == ["FORBIDDEN"]


def test_site_is_created_when_its_region_is_named_by_slug_in_any_case(call, api_world):
    """``region: "OSLO"`` and ``region: "<id>"`` put the site in the same region."""
    site = {"name": "Slug yard", "kind": "PARK", "lon": 10.75, "lat": 59.915}
    for index, region in enumerate(("OSLO", str(api_world.region_id))):
        created = call.data(
            ADMIN, CREATE_SITE, input={**site, "name": f"Slug yard {index}", "region": region}
        )["createSite"]
        assert created["__typename"] == "Site", created
        assert created["regionId"] == str(api_world.region_id)


def test_job_is_created_when_its_region_is_named_by_slug(call, api_world):
    """createJob takes the slug like every input that names a region."""
    site = call.data(
        ADMIN,
        CREATE_SITE,
        input={"name": "Job yard", "kind": "PARK", "region": "oslo", "lon": 10.75, "lat": 59.915},
    )["createSite"]
    job = call.data(
        ADMIN, CREATE_JOB, input={"kind": "INSPECT", "region": "Oslo", "siteId": site["id"]}
    )["createJob"]
    assert (job["__typename"], job["regionId"]) == ("Job", str(api_world.region_id))


def test_unknown_region_is_a_not_found_payload_when_an_input_names_it(call):
    """createSite, createJob and planRoutes answer NotFound with the known slugs, never INTERNAL."""
    site = {"name": "Nowhere", "kind": "PARK", "region": "atlantis", "lon": 10.75, "lat": 59.915}
    operations = (
        (CREATE_SITE, "createSite", site),
        (CREATE_JOB, "createJob", {"kind": "INSPECT", "region": "atlantis", "siteId": "1"}),
        (PLAN, "planRoutes", {"region": "atlantis", "date": "2026-06-02"}),
    )
    for operation, field, payload in operations:
        answer = call.data(ADMIN, operation, input=payload)[field]
        assert (answer["__typename"], answer["code"]) == ("NotFound", "NOT_FOUND")
        assert "known regions: oslo (Oslo sentrum)" in answer["message"]
