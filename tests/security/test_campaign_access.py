"""Attacks on the campaign API, on both backends: another region's planner, a crew recording or
reading another crew's visits, a contractor, ids smuggled through variables, fragments and
aliases, and chart downloads without (or with the wrong) token.

Operations execute the schema on a rolled-back session of the API world (convention 20); the
chart download goes through HTTP, the only place its status codes show.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from tests.api.campaign_world import START, build_api_campaign_world
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.services.access import create_token
from sitecrew.services.campaigns import (
    CreateCampaign,
    MaterialiseDay,
    PlanCampaign,
    create_campaign,
    materialise_day,
    plan_campaign,
)
from sitecrew.web.admission import Admission
from sitecrew.web.auth import BearerAuthenticator
from sitecrew.web.campaign_charts import CHART_PATH, CampaignCharts

ADMIN = Principal(Role.ADMIN)
PROBLEM = "... on Problem { __typename code message }"
CAMPAIGN = """query Q($id: ID!) { campaign(id: $id) { id name homesCount
  burndown { campaign { homes } } } }"""
RECORD = f"""mutation R($input: RecordVisitOutcomeInput!) {{ recordVisitOutcome(input: $input) {{
  __typename ... on CampaignVisit {{ id outcome }} {PROBLEM} }} }}"""
VISITS = """query V($crew: ID!, $date: Date!) { crewCampaignVisits(crewId: $crew, date: $date) {
  id crewId } }"""


@dataclass(frozen=True)
class Attack:
    """A planned campaign with one materialised day, and who attacks it."""

    campaign_id: int
    other_campaign_id: int  # the same world built again in a second region, planned there
    region_id: int
    other_region_id: int
    own_crew_id: int
    contractor_crew_id: int
    contractor_id: int
    day: str
    visit_ids: tuple[int, ...]
    home_id: int

    @property
    def planner(self) -> Principal:
        return Principal(Role.PLANNER, region_id=self.region_id)

    @property
    def intruder(self) -> Principal:
        """A planner of the second region."""
        return Principal(Role.PLANNER, region_id=self.other_region_id)


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


def _campaign(session, world) -> int:
    command = CreateCampaign(
        region_id=world.region_id,
        name="Media boxes",
        start_on=START,
        deadline_on=START.replace(day=29),
        crew_ids=(world.own_crew_id, world.contractor_crew_id),
        district_ids=(world.west_id, world.east_id),
        visits_per_crew_day=6,
    )
    campaign = create_campaign(session, ADMIN, command)
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    return campaign.id


@pytest.fixture
def attack(call) -> Attack:
    with call.sessions.begin() as session:
        world = build_api_campaign_world(session)
        other = build_api_campaign_world(session, prefix="Otherby")
        campaign_id = _campaign(session, world)
        other_campaign_id = _campaign(session, other)
        day = session.scalar(
            select(func.min(m.CampaignHome.day)).where(
                m.CampaignHome.campaign_id == campaign_id,
                m.CampaignHome.crew_id == world.contractor_crew_id,
            )
        )
        made = materialise_day(session, ADMIN, MaterialiseDay(campaign_id, day))
        home_id = session.scalar(
            select(func.min(m.CampaignHome.id)).where(m.CampaignHome.campaign_id == campaign_id)
        )
        return Attack(
            campaign_id=campaign_id,
            other_campaign_id=other_campaign_id,
            region_id=world.region_id,
            other_region_id=other.region_id,
            own_crew_id=world.own_crew_id,
            contractor_crew_id=world.contractor_crew_id,
            contractor_id=world.contractor_id,
            day=day.isoformat(),
            visit_ids=made.visit_ids,
            home_id=home_id,
        )


def _codes(result) -> list[str]:
    return [error.extensions["code"] for error in result.errors or []]


def _outcome(visit_id: int) -> dict:
    return {
        "visitId": str(visit_id),
        "outcome": "DONE",
        "startedAt": "2026-05-12T08:00:00+00:00",
        "endedAt": "2026-05-12T08:30:00+00:00",
    }


def _recorded(call, visit_id: int) -> str | None:
    with call.sessions() as session:
        return session.scalar(select(m.CampaignVisit.outcome).where(m.CampaignVisit.id == visit_id))


# --- another region's planner --------------------------------------------------------------------


def test_another_regions_planner_cannot_read_a_campaign_or_tell_it_exists(call, attack):
    """Its id answers NOT_FOUND, exactly like an id nobody has."""
    theirs = call(attack.intruder, CAMPAIGN, id=str(attack.campaign_id))
    nobody = call(attack.intruder, CAMPAIGN, id="2147483000")
    assert theirs.data is None
    assert _codes(theirs) == _codes(nobody) == ["NOT_FOUND"]
    assert "Sweepville" not in str(theirs.errors)


def test_another_regions_planner_lists_only_its_own_campaigns(call, attack):
    listed = call.data(attack.intruder, "{ campaigns(first: 50) { nodes { id } } }")
    assert [c["id"] for c in listed["campaigns"]["nodes"]] == [str(attack.other_campaign_id)]
    by_region = call(
        attack.intruder, '{ campaigns(region: "sweepville", first: 5) { nodes { id } } }'
    )
    assert _codes(by_region) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("mutation", "field", "input_of"),
    [
        (
            'planCampaign(input: {campaignId: $id, fromDay: "2026-05-11"})',
            "planCampaign",
            None,
        ),
        ("cancelCampaign(input: {campaignId: $id})", "cancelCampaign", None),
        (
            'materialiseCampaignDay(input: {campaignId: $id, date: "2026-05-12"})',
            "materialiseCampaignDay",
            None,
        ),
    ],
)
def test_another_regions_planner_cannot_change_a_campaign(call, attack, mutation, field, input_of):
    """Plan, cancel, materialise: NotFound, and the campaign is untouched."""
    query = f"mutation M($id: ID!) {{ {mutation} {{ __typename {PROBLEM} }} }}"
    answer = call.data(attack.intruder, query, id=str(attack.campaign_id))[field]
    assert answer["__typename"] == "NotFound"
    with call.sessions() as session:
        campaign = session.get(m.Campaign, attack.campaign_id)
        assert (campaign.status, campaign.version) == ("active", 2)


def test_another_regions_planner_cannot_confirm_a_home_or_record_a_visit(call, attack):
    confirm = call.data(
        attack.intruder,
        f"""mutation W($id: ID!) {{ confirmVisitWindow(input: {{homeId: $id}}) {{
          __typename {PROBLEM} }} }}""",
        id=str(attack.home_id),
    )["confirmVisitWindow"]
    assert confirm["__typename"] == "NotFound"
    visit = attack.visit_ids[0]
    record = call.data(attack.intruder, RECORD, input=_outcome(visit))["recordVisitOutcome"]
    assert record["__typename"] == "NotFound"
    assert _recorded(call, visit) is None


def test_another_regions_planner_cannot_create_a_campaign_there(call, attack):
    query = f"""mutation C($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{
      __typename {PROBLEM} }} }}"""
    answer = call.data(
        attack.intruder,
        query,
        input={
            "region": str(attack.region_id),
            "name": "Hijack",
            "startOn": "2026-06-01",
            "deadlineOn": "2026-06-30",
            "districtIds": ["1"],
        },
    )["createCampaign"]
    assert answer["__typename"] in {"NotFound", "Forbidden"}


# --- crews -------------------------------------------------------------------------------------


def test_a_crew_cannot_record_another_crews_visit(call, attack):
    """The own crew records a contractor crew's visit: NotFound, nothing written."""
    crew = Principal(Role.CREW, crew_id=attack.own_crew_id)
    visit = attack.visit_ids[0]
    answer = call.data(crew, RECORD, input=_outcome(visit))["recordVisitOutcome"]
    assert answer["__typename"] == "NotFound"
    assert _recorded(call, visit) is None
    own = Principal(Role.CREW, crew_id=attack.contractor_crew_id)
    done = call.data(own, RECORD, input=_outcome(visit))["recordVisitOutcome"]
    assert done["outcome"] == "DONE"


def test_a_crew_lists_only_its_own_visits(call, attack):
    other = Principal(Role.CREW, crew_id=attack.own_crew_id)
    theirs = call(other, VISITS, crew=str(attack.contractor_crew_id), date=attack.day)
    assert _codes(theirs) == ["NOT_FOUND"]
    assert theirs.data is None
    own = Principal(Role.CREW, crew_id=attack.contractor_crew_id)
    visits = call.data(own, VISITS, crew=str(attack.contractor_crew_id), date=attack.day)
    listed = visits["crewCampaignVisits"]
    assert sorted(int(v["id"]) for v in listed) == sorted(attack.visit_ids)
    assert {v["crewId"] for v in listed} == {str(attack.contractor_crew_id)}


def test_another_regions_planner_cannot_list_a_crews_visits(call, attack):
    theirs = call(attack.intruder, VISITS, crew=str(attack.contractor_crew_id), date=attack.day)
    assert _codes(theirs) == ["NOT_FOUND"]
    own = call.data(attack.planner, VISITS, crew=str(attack.contractor_crew_id), date=attack.day)
    assert len(own["crewCampaignVisits"]) == len(attack.visit_ids)


def test_a_crew_may_not_read_or_change_campaigns(call, attack):
    crew = Principal(Role.CREW, crew_id=attack.contractor_crew_id)
    assert _codes(call(crew, CAMPAIGN, id=str(attack.campaign_id))) == ["FORBIDDEN"]
    assert _codes(call(crew, "{ campaigns { nodes { id } } }")) == ["FORBIDDEN"]
    cancel = call.data(
        crew,
        f"""mutation X($id: ID!) {{ cancelCampaign(input: {{campaignId: $id}}) {{
          __typename {PROBLEM} }} }}""",
        id=str(attack.campaign_id),
    )["cancelCampaign"]
    assert cancel["__typename"] == "Forbidden"


# --- contractors -------------------------------------------------------------------------------


def test_a_contractor_neither_reads_nor_records_campaign_work(call, attack):
    """Even the contractor whose districts and crew the campaign uses."""
    contractor = Principal(Role.CONTRACTOR, organisation_id=attack.contractor_id)
    assert _codes(call(contractor, CAMPAIGN, id=str(attack.campaign_id))) == ["FORBIDDEN"]
    assert _codes(call(contractor, "{ campaigns { nodes { id } } }")) == ["FORBIDDEN"]
    visits = call(contractor, VISITS, crew=str(attack.contractor_crew_id), date=attack.day)
    assert _codes(visits) == ["FORBIDDEN"]
    visit = attack.visit_ids[0]
    record = call.data(contractor, RECORD, input=_outcome(visit))["recordVisitOutcome"]
    assert record["__typename"] == "Forbidden"
    assert _recorded(call, visit) is None


# --- ids through variables, fragments and aliases ----------------------------------------------


def test_aliases_do_not_mix_a_foreign_campaign_into_an_own_answer(call, attack):
    """Two aliases, own and foreign id: the own one answers, the foreign one is NOT_FOUND."""
    query = """query A($own: ID!, $theirs: ID!) {
      mine: campaign(id: $own) { ...C }
      theirs: campaign(id: $theirs) { ...C } }
    fragment C on Campaign { id name burndown { campaign { homes } }
      homes(first: 5) { nodes { id apartmentId } } }"""
    result = call(
        attack.intruder, query, own=str(attack.other_campaign_id), theirs=str(attack.campaign_id)
    )
    assert result.data is None  # non-null fields: one error nulls the whole answer
    assert _codes(result) == ["NOT_FOUND"]
    assert "Sweepville" not in str(result.errors)
    twice = query.replace("$theirs: ID!", "").replace(
        "theirs: campaign(id: $theirs)", "b: campaign(id: $own)"
    )
    alone = call.data(
        attack.intruder,
        twice.replace("$own: ID!, ", "$own: ID!"),
        own=str(attack.other_campaign_id),
    )
    assert alone["mine"]["id"] == alone["b"]["id"] == str(attack.other_campaign_id)


def test_an_inline_fragment_on_a_mutation_payload_reveals_nothing(call, attack):
    query = """mutation M($input: CancelCampaignInput!) { x: cancelCampaign(input: $input) {
      ... on Campaign { id name status } ... on Problem { code } } }"""
    answer = call.data(attack.intruder, query, input={"campaignId": str(attack.campaign_id)})
    assert answer == {"x": {"code": "NOT_FOUND"}}


def test_a_home_filter_cannot_reach_another_campaigns_homes(call, attack):
    """Filtering an own campaign by a foreign crew or district finds nothing."""
    query = """query H($id: ID!, $filter: CampaignHomeFilter) { campaign(id: $id) {
      homes(filter: $filter, first: 50) { nodes { id } } } }"""
    found = call.data(
        attack.intruder,
        query,
        id=str(attack.other_campaign_id),
        filter={"crewId": str(attack.contractor_crew_id)},
    )
    assert found["campaign"]["homes"]["nodes"] == []


@pytest.mark.parametrize("bad", ["0", "-1", "99999999999", "1e3", " 1", "abc"])
def test_malformed_campaign_ids_in_variables_are_refused_before_reading(call, attack, bad):
    result = call(attack.planner, CAMPAIGN, id=bad)
    assert _codes(result) in (["INVALID_INPUT"], ["NOT_FOUND"])


# --- chart downloads ---------------------------------------------------------------------------


def test_a_chart_needs_a_valid_token(client):
    """No token, a wrong one: 401 with a JSON error and a Bearer challenge, no image."""
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        response = client.get("/campaigns/1/burndown.png", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_chart_requests_of_roles_and_ids_that_may_not_have_one(client, api_world):
    def get(role: str, path: str):
        return client.get(path, headers={"Authorization": f"Bearer {api_world.tokens[role]}"})

    assert get("crew", "/campaigns/1/burndown.png").status_code == 403
    assert get("contractor", "/campaigns/1/burndown.svg").status_code == 403
    assert get("planner", "/campaigns/2147483000/burndown.png").status_code == 404
    assert get("planner", "/campaigns/abc/burndown.png").status_code == 400
    assert get("planner", "/campaigns/1/burndown.gif").status_code == 400
    assert get("planner", "/campaigns/1/burndown.png?asOf=someday").status_code in {400, 404}


@pytest.fixture
def chart_client(call):
    """The chart endpoint on the rolled-back session, with tokens made there."""
    charts = CampaignCharts(
        call.sessions,
        BearerAuthenticator(call.sessions),
        Admission(2, max_waiting=10, max_wait_s=5),
    )
    app = Starlette(routes=[Route(CHART_PATH, charts.download, methods=["GET"])])
    with TestClient(app) as test_client:
        yield test_client


def test_a_chart_is_drawn_for_the_regions_planner_only(call, attack, chart_client):
    with call.sessions.begin() as session:
        own = create_token(session, name="p1", role=Role.PLANNER, region_id=attack.region_id)[0]
        other = create_token(
            session, name="p2", role=Role.PLANNER, region_id=attack.other_region_id
        )[0]
    path = f"/campaigns/{attack.campaign_id}/burndown"

    png = chart_client.get(
        f"{path}.png?asOf=2026-05-12", headers={"Authorization": f"Bearer {own}"}
    )
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = chart_client.get(f"{path}.svg", headers={"Authorization": f"Bearer {own}"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    foreign = chart_client.get(f"{path}.png", headers={"Authorization": f"Bearer {other}"})
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "NOT_FOUND"
    anonymous = chart_client.get(f"{path}.png")
    assert anonymous.status_code == 401


# --- expensive reads ---------------------------------------------------------------------------


def test_aliases_cannot_multiply_the_heavy_campaign_reads_of_one_request(call, attack):
    """Each report, forecast or learned service time reads every home: six per request."""

    def aliased(count: int) -> str:
        fields = " ".join(
            f'a{n}: campaign(id: $id) {{ forecast(asOf: "2026-05-12") {{ p50 }} }}'
            for n in range(count)
        )
        return f"query A($id: ID!) {{ {fields} }}"

    allowed = call.data(attack.planner, aliased(6), id=str(attack.campaign_id))
    assert len(allowed) == 6
    refused = call(attack.planner, aliased(7), id=str(attack.campaign_id))
    assert _codes(refused) == ["QUOTA_EXCEEDED"]


def test_one_campaign_asking_every_report_field_reads_its_report_once(call, attack):
    """homesByState, burndown and buildingsAtRisk share one read: six campaigns fit."""
    fields = " ".join(
        f"a{n}: campaign(id: $id) {{ homesByState {{ homes }} burndown {{ campaign {{ homes }} }}"
        " buildingsAtRisk { buildingId } }"
        for n in range(6)
    )
    answer = call.data(
        attack.planner, f"query A($id: ID!) {{ {fields} }}", id=str(attack.campaign_id)
    )
    assert {sum(r["homes"] for r in a["homesByState"]) for a in answer.values()} == {20}
