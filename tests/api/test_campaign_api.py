"""Campaigns through GraphQL, on both backends: create, plan, read the burn-down and forecast,
confirm, materialise, record and cancel; bad input and stale versions as payload problems.

Operations execute the schema on a rolled-back session of the API world (convention 20), in the
small campaign world of ``tests.services.test_campaign_create`` (two districts, the east one a
contractor's; a crew of the housing company and one of the contractor; 20 flats).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select
from tests.api.campaign_world import DEADLINE, START, build_api_campaign_world
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.services.campaigns.sweep_run import run_campaign_plan_here

PROBLEM = "... on Problem { __typename code message }"
CAMPAIGN_FIELDS = """id name status version homesCount crewIds regionId startOn deadlineOn
  visitsPerCrewDay maxFailedAttempts"""
CREATE = f"""mutation C($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{
  __typename ... on Campaign {{ {CAMPAIGN_FIELDS} }} {PROBLEM} }} }}"""
SUMMARY = """summary { campaignId placed kept unplacedTotal
    unplaced { reason homes } firstDay lastDay minutesPerHome setupMinutesPerEntrance
    timedVisits }"""
PLAN = f"""mutation P($input: PlanCampaignInput!) {{ planCampaign(input: $input) {{
  __typename ... on CampaignPlanRun {{ id campaignId fromDay status progress step {SUMMARY} }}
  {PROBLEM} }} }}"""
PLAN_RUN = f"""query R($id: ID!) {{ campaignPlanRun(id: $id) {{
  id campaignId status progress step message {SUMMARY} }} }}"""
CONFIRM = f"""mutation W($input: ConfirmVisitWindowInput!) {{ confirmVisitWindow(input: $input) {{
  __typename ... on CampaignHome {{ id state version day windowStart }} {PROBLEM} }} }}"""
MATERIALISE = f"""mutation M($input: MaterialiseCampaignDayInput!) {{
  materialiseCampaignDay(input: $input) {{
  __typename ... on MaterialisedDay {{ campaignId date visitIds jobIds }} {PROBLEM} }} }}"""
RECORD = f"""mutation R($input: RecordVisitOutcomeInput!) {{ recordVisitOutcome(input: $input) {{
  __typename ... on CampaignVisit {{ id outcome startedAt endedAt version attempt }}
  {PROBLEM} }} }}"""
CANCEL = f"""mutation X($input: CancelCampaignInput!) {{ cancelCampaign(input: $input) {{
  __typename ... on Campaign {{ id status version }} {PROBLEM} }} }}"""
REPORT = """query Q($id: ID!, $asOf: Date) { campaign(id: $id) { id name status homesCount
  crews { id name }
  homesByState { state homes }
  burndown {
    campaign { scope label homes planned done failed remaining escalated }
    districts { key label homes planned done remaining }
    crews { key homes planned done }
    weeks { week start planned done failed remaining plannedRemaining } }
  forecast(asOf: $asOf) { asOf basis remaining p50 p90 deadline shareByDeadline note crewDays
    rates { crewDays visits failureShare outcomeShares { outcome share } } band { date } }
  buildingsAtRisk { buildingId reasons }
  learnedServiceTime { minutesPerHome setupMinutesPerEntrance homeObservations learned } } }"""
HOMES = """query H($id: ID!, $filter: CampaignHomeFilter, $first: Int!, $after: String) {
  campaign(id: $id) { homes(filter: $filter, first: $first, after: $after) {
    nodes { id apartmentId state day crewId windowStart windowEnd visitOrder version }
    pageInfo { hasNextPage endCursor } } } }"""
LIST = """query L($region: String, $first: Int!, $after: String) {
  campaigns(region: $region, first: $first, after: $after) {
    nodes { id name } pageInfo { hasNextPage endCursor } } }"""
VISITS = """query V($crew: ID!, $date: Date!) { crewCampaignVisits(crewId: $crew, date: $date) {
  id campaignHomeId jobId day crewId windowStart windowEnd attempt outcome version } }"""
ADMIN = Principal(Role.ADMIN)


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return build_api_campaign_world(session)


def planner(world) -> Principal:
    return Principal(Role.PLANNER, region_id=world.region_id)


def campaign_input(world, **changes) -> dict:
    values = {
        "region": str(world.region_id),
        "name": "Media boxes 2026",
        "startOn": START.isoformat(),
        "deadlineOn": DEADLINE.isoformat(),
        "crewIds": [str(world.own_crew_id), str(world.contractor_crew_id)],
        "districtIds": [str(world.west_id), str(world.east_id)],
        "visitsPerCrewDay": 6,
    }
    return values | changes


def create(call, world, principal=None, **changes) -> dict:
    answer = call.data(principal or planner(world), CREATE, input=campaign_input(world, **changes))
    return answer["createCampaign"]


def plan(call, world, campaign_id: str, from_day=START) -> dict:
    """Queue a plan run through the API, run it as a worker would, return its summary.

    The test's transaction is its own (rolled back), so no worker could read the run: the test
    executes it on the same connection (``run_campaign_plan_here``).
    """
    run = call.data(
        planner(world), PLAN, input={"campaignId": campaign_id, "fromDay": from_day.isoformat()}
    )["planCampaign"]
    assert run["__typename"] == "CampaignPlanRun", run
    assert (run["status"], run["progress"], run["summary"]) == ("QUEUED", 0.0, None)
    run_campaign_plan_here(call.sessions, call.sessions, int(run["id"]))
    done = call.data(planner(world), PLAN_RUN, id=run["id"])["campaignPlanRun"]
    assert (done["status"], done["step"], done["progress"]) == ("SUCCEEDED", "done", 1.0), done
    return done["summary"]


def planned(call, world) -> dict:
    campaign = create(call, world)
    assert campaign["__typename"] == "Campaign", campaign
    plan(call, world, campaign["id"])
    return campaign


def homes(call, world, campaign_id, **filters) -> list[dict]:
    """Every home of the campaign through the paged field, five at a time."""
    found, after = [], None
    while True:
        page = call.data(
            planner(world), HOMES, id=campaign_id, filter=filters or None, first=5, after=after
        )["campaign"]["homes"]
        found.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def test_a_planner_creates_a_draft_campaign_of_every_flat_in_scope(call, world):
    """The region by id, both districts: 20 pending homes, both crews, a draft at version 1."""
    campaign = create(call, world)

    assert campaign["__typename"] == "Campaign"
    assert (campaign["status"], campaign["homesCount"], campaign["version"]) == ("DRAFT", 20, 1)
    assert sorted(campaign["crewIds"]) == sorted(
        [str(world.own_crew_id), str(world.contractor_crew_id)]
    )
    assert campaign["regionId"] == str(world.region_id)


def test_planning_returns_the_summary_and_places_every_home_from_the_start(call, world):
    """Every home is placed (or counted as unplaced with a reason), within start..deadline."""
    campaign = create(call, world)
    summary = plan(call, world, campaign["id"])

    assert summary["campaignId"] == campaign["id"]
    assert summary["placed"] + summary["unplacedTotal"] == 20
    assert summary["placed"] > 0
    assert summary["kept"] == 0
    assert summary["unplacedTotal"] == sum(row["homes"] for row in summary["unplaced"])
    assert (summary["minutesPerHome"], summary["setupMinutesPerEntrance"]) == (30.0, 10.0)
    assert summary["timedVisits"] == 0
    assert START.isoformat() <= summary["firstDay"] <= summary["lastDay"] <= DEADLINE.isoformat()
    placed = [home for home in homes(call, world, campaign["id"]) if home["state"] == "PROPOSED"]
    assert len(placed) == summary["placed"]
    assert all(home["windowStart"] < home["windowEnd"] for home in placed)


def test_the_report_counts_homes_by_state_scope_and_week_and_forecasts_from_the_plan(call, world):
    """Right after planning: nothing done, all planned; the forecast uses the planned rate."""
    campaign = planned(call, world)
    report = call.data(planner(world), REPORT, id=campaign["id"], asOf=START.isoformat())[
        "campaign"
    ]

    assert report["status"] == "ACTIVE"
    assert {row["state"] for row in report["homesByState"]} == {
        "PENDING",
        "PROPOSED",
        "CONFIRMED",
        "DONE",
        "ESCALATED",
    }
    assert sum(row["homes"] for row in report["homesByState"]) == 20
    burndown = report["burndown"]
    assert burndown["campaign"]["homes"] == burndown["campaign"]["remaining"] == 20
    assert burndown["campaign"]["done"] == burndown["campaign"]["failed"] == 0
    assert sorted(row["label"] for row in burndown["districts"]) == [
        "Sweepville East",
        "Sweepville West",
    ]
    assert sum(row["homes"] for row in burndown["districts"]) == 20
    assert sum(row["planned"] for row in burndown["weeks"]) == burndown["campaign"]["planned"]
    assert burndown["weeks"][-1]["plannedRemaining"] == 20 - burndown["campaign"]["planned"]
    assert {row["id"] for row in report["crews"]} == {
        str(world.own_crew_id),
        str(world.contractor_crew_id),
    }
    forecast = report["forecast"]
    assert (forecast["asOf"], forecast["basis"], forecast["remaining"]) == (
        START.isoformat(),
        "PLANNED",
        20,
    )
    assert forecast["crewDays"] > 0
    assert START.isoformat() < forecast["p50"] <= forecast["p90"]
    assert 0 <= forecast["shareByDeadline"] <= 1
    assert forecast["rates"]["visits"] == 0
    assert report["learnedServiceTime"] == {
        "minutesPerHome": 30.0,
        "setupMinutesPerEntrance": 10.0,
        "homeObservations": 0,
        "learned": False,
    }


def test_homes_filter_by_state_crew_day_and_district_and_page_without_gaps(call, world):
    """Five at a time: every home once; the east district is the contractor crew's alone."""
    campaign = planned(call, world)
    every = homes(call, world, campaign["id"])
    assert len(every) == len({home["id"] for home in every}) == 20

    east = homes(call, world, campaign["id"], districtId=str(world.east_id))
    east_flats = {str(a) for a in world.apartments[world.buildings[2]]}
    assert {home["apartmentId"] for home in east} == east_flats
    assert {home["crewId"] for home in east} <= {str(world.contractor_crew_id), None}

    by_crew = homes(call, world, campaign["id"], crewId=str(world.contractor_crew_id))
    assert by_crew
    assert all(home["crewId"] == str(world.contractor_crew_id) for home in by_crew)
    day = by_crew[0]["day"]
    on_day = homes(call, world, campaign["id"], day=day, state="PROPOSED")
    assert on_day
    assert all(home["day"] == day for home in on_day)
    assert homes(call, world, campaign["id"], state="DONE") == []


def _first_contractor_home(call, world, campaign_id) -> dict:
    found = homes(call, world, campaign_id, crewId=str(world.contractor_crew_id))
    return min(found, key=lambda home: (home["day"], home["visitOrder"]))


def test_confirming_a_window_checks_the_version(call, world):
    """A stale version is a Conflict and changes nothing; the right one confirms the window."""
    campaign = planned(call, world)
    home = _first_contractor_home(call, world, campaign["id"])

    stale = call.data(
        planner(world), CONFIRM, input={"homeId": home["id"], "version": home["version"] + 5}
    )["confirmVisitWindow"]
    assert (stale["__typename"], stale["code"]) == ("Conflict", "CONFLICT")
    confirmed = call.data(
        planner(world), CONFIRM, input={"homeId": home["id"], "version": home["version"]}
    )["confirmVisitWindow"]
    assert confirmed["state"] == "CONFIRMED"
    assert confirmed["version"] == home["version"] + 1
    assert confirmed["windowStart"] == home["windowStart"]


def test_a_day_becomes_visits_the_crew_lists_and_records(call, world):
    """Materialise once (again: nothing), the crew lists its visits, records one DONE, once."""
    campaign = planned(call, world)
    day = _first_contractor_home(call, world, campaign["id"])["day"]
    made = call.data(
        planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": day}
    )["materialiseCampaignDay"]
    assert made["__typename"] == "MaterialisedDay"
    assert made["jobIds"]
    again = call.data(
        planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": day}
    )["materialiseCampaignDay"]
    assert again["jobIds"] == []

    crew = Principal(Role.CREW, crew_id=world.contractor_crew_id)
    visits = call.data(crew, VISITS, crew=str(world.contractor_crew_id), date=day)
    visits = visits["crewCampaignVisits"]
    assert {visit["id"] for visit in visits} <= set(made["visitIds"])
    assert visits
    assert [v["windowStart"] for v in visits] == sorted(v["windowStart"] for v in visits)
    visit = visits[0]
    outcome = {
        "visitId": visit["id"],
        "outcome": "DONE",
        "startedAt": visit["windowStart"],
        "endedAt": visit["windowEnd"],
        "version": visit["version"],
    }
    recorded = call.data(crew, RECORD, input=outcome)["recordVisitOutcome"]
    assert (recorded["__typename"], recorded["outcome"]) == ("CampaignVisit", "DONE")
    twice = call.data(crew, RECORD, input=outcome)["recordVisitOutcome"]
    assert twice["__typename"] == "Conflict"

    report = call.data(planner(world), REPORT, id=campaign["id"], asOf=day)["campaign"]
    assert report["burndown"]["campaign"]["done"] == 1
    assert {row["state"]: row["homes"] for row in report["homesByState"]}["DONE"] == 1
    assert report["forecast"]["rates"]["visits"] == 1


def test_an_outcome_recorded_from_a_stale_read_is_a_conflict(call, world):
    campaign = planned(call, world)
    day = _first_contractor_home(call, world, campaign["id"])["day"]
    made = call.data(
        planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": day}
    )["materialiseCampaignDay"]
    visit = call.data(planner(world), VISITS, crew=str(world.contractor_crew_id), date=day)[
        "crewCampaignVisits"
    ][0]
    assert visit["id"] in made["visitIds"]
    stale = call.data(
        planner(world),
        RECORD,
        input={
            "visitId": visit["id"],
            "outcome": "NO_SHOW",
            "startedAt": visit["windowStart"],
            "endedAt": visit["windowStart"],
            "version": visit["version"] + 1,
        },
    )["recordVisitOutcome"]
    assert stale["__typename"] == "Conflict"


def test_cancelling_withdraws_open_jobs_and_frees_the_homes(call, world):
    """A stale version: Conflict; then cancelled, its jobs cancelled, homes pending and free."""
    campaign = planned(call, world)
    day = _first_contractor_home(call, world, campaign["id"])["day"]
    made = call.data(
        planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": day}
    )["materialiseCampaignDay"]
    current = call.data(
        planner(world),
        "query($id: ID!) { campaign(id: $id) { status version } }",
        id=campaign["id"],
    )["campaign"]
    assert current["status"] == "ACTIVE"
    version = current["version"]

    stale = call.data(
        planner(world), CANCEL, input={"campaignId": campaign["id"], "version": version - 1}
    )["cancelCampaign"]
    assert stale["__typename"] == "Conflict"
    cancelled = call.data(
        planner(world), CANCEL, input={"campaignId": campaign["id"], "version": version}
    )["cancelCampaign"]
    assert (cancelled["status"], cancelled["version"]) == ("CANCELLED", version + 1)

    with call.sessions() as session:
        jobs = session.scalars(
            select(m.Job.status).where(m.Job.id.in_([int(j) for j in made["jobIds"]]))
        )
        assert set(jobs) == {"cancelled"}
    assert {home["state"] for home in homes(call, world, campaign["id"])} == {"PENDING"}
    again = call.data(planner(world), CANCEL, input={"campaignId": campaign["id"]})
    assert again["cancelCampaign"]["__typename"] == "Conflict"
    replan = call.data(
        planner(world), PLAN, input={"campaignId": campaign["id"], "fromDay": START.isoformat()}
    )["planCampaign"]
    assert replan["__typename"] == "Conflict"
    successor = create(call, world, name="Media boxes, second try")
    assert (successor["__typename"], successor["homesCount"]) == ("Campaign", 20)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"deadlineOn": (START - timedelta(days=1)).isoformat()}, "InvalidInput"),
        ({"buildingIds": ["1"]}, "InvalidInput"),  # two kinds of scope
        ({"districtIds": []}, "InvalidInput"),  # none
        ({"name": "  "}, "InvalidInput"),
        ({"visitsPerCrewDay": 0}, "InvalidInput"),
        ({"revisitShare": 0.95}, "InvalidInput"),
        ({"districtIds": ["abc"]}, "InvalidInput"),
        ({"region": "atlantis"}, "NotFound"),
        ({"crewIds": ["2147483000"]}, "NotFound"),
    ],
)
def test_bad_campaign_input_is_a_payload_problem(call, world, changes, problem):
    answer = create(call, world, **changes)
    assert answer["__typename"] == problem, answer
    assert answer["message"]


def test_the_same_name_twice_in_a_region_is_a_conflict(call, world):
    assert create(call, world)["__typename"] == "Campaign"
    again = create(call, world, districtIds=[str(world.empty_district_id)])
    assert again["__typename"] in {"Conflict", "InvalidInput"}
    taken = create(call, world, name="Other name")
    assert taken["__typename"] == "Conflict"  # its homes are in the first campaign


def test_other_mutations_turn_bad_ids_and_states_into_problems(call, world):
    """Unknown ids are NotFound, malformed ones InvalidInput; a draft cannot be materialised."""
    campaign = create(call, world)
    unknown = call.data(
        planner(world), PLAN, input={"campaignId": "2147483000", "fromDay": START.isoformat()}
    )["planCampaign"]
    assert unknown["__typename"] == "NotFound"
    malformed = call.data(planner(world), CONFIRM, input={"homeId": "x1"})["confirmVisitWindow"]
    assert malformed["__typename"] == "InvalidInput"
    draft = call.data(
        planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": START.isoformat()}
    )["materialiseCampaignDay"]
    assert draft["__typename"] == "Conflict"
    late = call.data(
        planner(world),
        PLAN,
        input={"campaignId": campaign["id"], "fromDay": (DEADLINE + timedelta(1)).isoformat()},
    )["planCampaign"]
    assert late["__typename"] == "InvalidInput"
    backwards = call.data(
        planner(world),
        RECORD,
        input={
            "visitId": "1",
            "outcome": "DONE",
            "startedAt": "2026-05-12T10:00:00+00:00",
            "endedAt": "2026-05-12T09:00:00+00:00",
        },
    )["recordVisitOutcome"]
    assert backwards["__typename"] == "InvalidInput"


def test_campaigns_page_by_id_and_filter_by_region(call, world):
    """Three campaigns, two per page; the region filter by slug; another region lists none."""
    ids = [
        create(call, world, name=f"Campaign {n}", districtIds=[], buildingIds=[str(b)])["id"]
        for n, b in enumerate(world.buildings)
    ]
    first = call.data(planner(world), LIST, region=None, first=2, after=None)["campaigns"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = call.data(
        planner(world), LIST, region=None, first=2, after=first["pageInfo"]["endCursor"]
    )
    listed = [c["id"] for c in first["nodes"] + rest["campaigns"]["nodes"]]
    assert listed == sorted(ids, key=int)
    by_slug = call.data(ADMIN, LIST, region="SweepVille", first=10, after=None)
    assert [c["id"] for c in by_slug["campaigns"]["nodes"]] == listed
    elsewhere = call.data(ADMIN, LIST, region=str(world.other_region_id), first=10, after=None)
    assert elsewhere["campaigns"]["nodes"] == []


def test_a_missing_campaign_is_not_found(call, world):
    result = call(planner(world), "{ campaign(id: 2147483000) { id } }")
    assert [e.extensions["code"] for e in result.errors] == ["NOT_FOUND"]


def test_service_time_is_learned_from_the_recorded_done_visits(call, world):
    """Six DONE visits in one stairwell on one crew-day: the later five took 25 minutes."""
    campaign = planned(call, world)
    day = _first_contractor_home(call, world, campaign["id"])["day"]
    call.data(planner(world), MATERIALISE, input={"campaignId": campaign["id"], "date": day})
    visits = call.data(planner(world), VISITS, crew=str(world.contractor_crew_id), date=day)
    visits = visits["crewCampaignVisits"]
    assert len(visits) == 6  # the east building's six flats, one entrance, one day
    start = datetime.fromisoformat(visits[0]["windowStart"])
    for n, visit in enumerate(visits):
        began = start + timedelta(minutes=40 * n)
        minutes = 35 if n == 0 else 25  # the first visit of the stairwell includes the setup
        outcome = {
            "visitId": visit["id"],
            "outcome": "DONE",
            "startedAt": began.isoformat(),
            "endedAt": (began + timedelta(minutes=minutes)).isoformat(),
        }
        recorded = call.data(planner(world), RECORD, input=outcome)["recordVisitOutcome"]
        assert recorded["outcome"] == "DONE"

    learned = call.data(
        planner(world),
        "query($id: ID!) { campaign(id: $id) { learnedServiceTime { minutesPerHome "
        "setupMinutesPerEntrance homeObservations setupObservations learned } } }",
        id=campaign["id"],
    )["campaign"]["learnedServiceTime"]
    assert learned == {
        "minutesPerHome": 25.0,
        "setupMinutesPerEntrance": 10.0,  # one stairwell-day: too few to learn the setup
        "homeObservations": 5,
        "setupObservations": 1,
        "learned": True,
    }


FORECAST = """query F($id: ID!) { campaign(id: $id) {
  forecast(asOf: "2026-05-11") { basis remaining p50 p90 shareByDeadline note crewDays
    band { date p50Remaining p90Remaining } } } }"""


def test_a_contractors_homes_are_forecast_over_its_own_crews_only(call, world):
    """Without the contractor's crew the east district's homes never finish: no P50, no P90."""
    campaign = create(call, world, crewIds=[str(world.own_crew_id)])
    forecast = call.data(planner(world), FORECAST, id=campaign["id"])["campaign"]["forecast"]
    assert forecast["remaining"] == 20
    assert forecast["crewDays"] > 0  # the own crew works, but not in the east
    assert (forecast["p50"], forecast["p90"], forecast["shareByDeadline"]) == (None, None, 0.0)
    assert "own crews: 14 homes" in forecast["note"]
    assert f"contractor {world.contractor_id}: 6 homes" in forecast["note"]
    assert forecast["band"][-1]["p50Remaining"] >= 6  # the east's six stay


def test_both_owners_finish_and_the_band_adds_their_homes(call, world):
    campaign = create(call, world)
    forecast = call.data(planner(world), FORECAST, id=campaign["id"])["campaign"]["forecast"]
    assert forecast["p50"] is not None
    assert forecast["p50"] <= forecast["p90"]
    band = forecast["band"]
    assert band[0]["p50Remaining"] <= 20
    assert band[-1]["p90Remaining"] == 0
    assert all(a["p50Remaining"] >= b["p50Remaining"] for a, b in pairwise(band))
