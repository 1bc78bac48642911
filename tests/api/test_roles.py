"""Each role sees and changes only what the rules allow; forbidden asks get errors, not data."""

from __future__ import annotations

from tests.api.conftest import error_codes


def test_contractor_sees_only_apartments_and_jobs_in_its_districts(gql, api_world):
    """Every apartment and job a contractor sees lies in one of its two districts."""
    districts = gql.data("admin", "{ districts { nodes { id contractor { id } } } }")["districts"][
        "nodes"
    ]
    own = {
        d["id"]
        for d in districts
        if d["contractor"] and int(d["contractor"]["id"]) == api_world.contractor_id
    }
    assert len(own) == 2
    query = "{ apartments(first: 500) { nodes { id building { districtId } } pageInfo { hasNextPage } } }"
    seen = gql.data("contractor", query)["apartments"]["nodes"]
    assert seen
    assert {node["building"]["districtId"] for node in seen} <= own
    everything = gql.data("admin", query)["apartments"]["nodes"]
    assert {node["building"]["districtId"] for node in everything} - own  # others exist
    jobs = gql.data(
        "contractor", "{ jobs(first: 500) { nodes { apartment { building { districtId } } } } }"
    )["jobs"]["nodes"]
    assert jobs
    assert {j["apartment"]["building"]["districtId"] for j in jobs} <= own


def test_contractor_may_not_list_sites_or_see_tenants(gql):
    """Sites are forbidden to a contractor, and tenant contacts stay hidden."""
    assert error_codes(gql("contractor", "{ sites { nodes { id } } }")) == ["FORBIDDEN"]
    tenants = gql.data("contractor", "{ apartments(first: 50) { nodes { tenant { name } } } }")
    assert all(node["tenant"] is None for node in tenants["apartments"]["nodes"])


def test_crew_sees_only_jobs_on_its_routes(gql, api_world):
    """A crew lists exactly the jobs on its own routes; another crew's token sees none of them."""
    jobs = gql.data("crew", "{ jobs { nodes { id } } }")["jobs"]["nodes"]
    assert str(api_world.route_job_id) in {j["id"] for j in jobs}
    other = gql.data("other_crew", "{ jobs { nodes { id } } }")["jobs"]["nodes"]
    assert str(api_world.route_job_id) not in {j["id"] for j in other}
    body = gql("other_crew", "query J($id: ID!) { job(id: $id) { id } }", id=api_world.route_job_id)
    assert error_codes(body) == ["NOT_FOUND"]
    assert gql.data("crew", "{ sites { nodes { id } } }")["sites"]["nodes"] == []  # no site jobs
    assert error_codes(gql("crew", "{ districts { nodes { id } } }")) == ["FORBIDDEN"]


def test_tenant_contact_is_shown_to_the_crew_visiting_today_only(gql, api_world):
    """The crew sees today's tenant, not yesterday's apartment; planners see both."""
    query = "query A($id: ID!) { apartment(id: $id) { tenant { name phone } } }"
    today = gql.data("crew", query, id=api_world.visited_apartment_id)["apartment"]["tenant"]
    assert today
    assert today["name"]
    yesterday = gql("crew", query, id=api_world.unvisited_apartment_id)
    assert error_codes(yesterday) == ["NOT_FOUND"]  # yesterday's route is out of a crew's reach
    assert gql.data("planner", query, id=api_world.unvisited_apartment_id)["apartment"]["tenant"][
        "name"
    ]
    visible_to_other = gql("other_crew", query, id=api_world.visited_apartment_id)
    assert error_codes(visible_to_other) == ["NOT_FOUND"]


def test_crew_may_report_progress_but_not_plan(gql, api_world):
    """A crew may start its job but may not cancel it or create sites."""
    version = gql.data(
        "admin", "query J($id: ID!) { job(id: $id) { version status } }", id=api_world.route_job_id
    )["job"]
    change = """mutation S($input: ChangeJobStatusInput!) { changeJobStatus(input: $input) { __typename ... on Problem { code } } }"""
    refused = gql.data(
        "crew",
        change,
        input={"id": api_world.route_job_id, "status": "CANCELLED", "version": version["version"]},
    )
    assert refused["changeJobStatus"] == {"__typename": "Forbidden", "code": "FORBIDDEN"}
    create = """mutation C($input: CreateSiteInput!) { createSite(input: $input) { __typename } }"""
    payload = gql.data(
        "crew",
        create,
        input={
            "name": "x",
            "kind": "PARK",
            "region": str(api_world.region_id),
            "lon": 10.75,
            "lat": 59.91,
        },
    )
    assert payload["createSite"]["__typename"] == "Forbidden"


def test_planner_of_another_region_cannot_find_this_region_when_creating_sites(gql, api_world):
    """A planner limited to a different region cannot name this one: it is NotFound to it."""
    from sitecrew.db.engine import engine_from_url, session_factory
    from sitecrew.domain.access import Role
    from sitecrew.services.access import create_token

    engine = engine_from_url(api_world.url)
    with session_factory(engine).begin() as session:
        from shapely import box

        from sitecrew.domain.organisations import Region
        from sitecrew.services.organisations import create_region

        other = create_region(session, Region(f"Elsewhere {id(session)}", box(11, 60, 11.1, 60.1)))
        secret, _ = create_token(session, name="far planner", role=Role.PLANNER, region_id=other.id)
    engine.dispose()
    gql._world.tokens["far_planner"] = secret
    payload = gql.data(
        "far_planner",
        """mutation C($input: CreateSiteInput!) { createSite(input: $input) { __typename } }""",
        input={
            "name": "x",
            "kind": "PARK",
            "region": str(api_world.region_id),
            "lon": 10.75,
            "lat": 59.91,
        },
    )
    assert payload["createSite"]["__typename"] == "NotFound"
    assert gql.data("far_planner", "{ sites { nodes { id } } }")["sites"]["nodes"] == []
