"""``campaignEscalations`` in GraphQL, on both backends (schema executed on a rolled-back session).

A planner reads the escalated home with its attempts, the tenant's answer on how to get in and
the tenant's contact (fragments, variables); the read of that tenant data is in the
personal-data log. Another region's planner gets NOT_FOUND, a crew FORBIDDEN.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.api.test_tenant_visits_api import call, osm  # noqa: F401 (shared fixtures)
from tests.services.escalation_world import ATTEMPTS, PHONE, build_escalation_world

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role

ESCALATIONS = """
fragment Attempt on EscalationAttempt {
  crewName
  visit { day attempt outcome windowStart startedAt endedAt }
}
query E($campaignId: ID!, $first: Int!) {
  campaignEscalations(campaignId: $campaignId, first: $first) {
    nodes {
      home { id state failedAttempts lastOutcome }
      address
      access
      apartment { id unit tenant { name phone } }
      attempts { ...Attempt }
    }
    pageInfo { hasNextPage }
  }
}"""


@pytest.fixture
def world(call):  # noqa: F811 (the shared fixture)
    with call.sessions.begin() as session:
        return build_escalation_world(session)


def test_a_planner_reads_the_escalated_home_with_attempts_access_and_contact(call, world):  # noqa: F811
    """One home: both failed visits oldest first, the caretaker's key, the tenant's phone."""
    variables = {"campaignId": str(world.tenants.campaign_id), "first": 10}
    page = call.data(world.tenants.planner, ESCALATIONS, **variables)["campaignEscalations"]
    assert page["pageInfo"] == {"hasNextPage": False}
    [home] = page["nodes"]
    assert home["home"] == {
        "id": str(world.home_id),
        "state": "ESCALATED",
        "failedAttempts": 2,
        "lastOutcome": "NO_ACCESS",
    }
    assert (home["address"], home["access"]) == ("Östgata 7", "CARETAKER_KEY")
    assert home["apartment"]["tenant"] == {"name": "Tenant 02", "phone": PHONE}
    assert [a["visit"]["outcome"] for a in home["attempts"]] == [o.name for _, o, _, _ in ATTEMPTS]
    assert [a["visit"]["day"] for a in home["attempts"]] == [str(d) for d, _, _, _ in ATTEMPTS]
    assert {a["crewName"] for a in home["attempts"]} == {"Hired"}
    assert all(a["visit"]["startedAt"] and a["visit"]["endedAt"] for a in home["attempts"])
    with call.sessions() as session:
        logged = session.scalars(
            select(m.PersonalDataEvent).where(m.PersonalDataEvent.action == "read")
        ).all()
    assert any("tenant.access" in str(e.detail) and "tenant.phone" in str(e.detail) for e in logged)


def test_other_regions_planners_and_crews_cannot_read_the_list(call, world):  # noqa: F811
    """Another region's planner: NOT_FOUND; the campaign's crew: FORBIDDEN."""
    variables = {"campaignId": str(world.tenants.campaign_id), "first": 10}
    other = Principal(Role.PLANNER, region_id=world.tenants.offers.other_region_id)
    crew = Principal(Role.CREW, crew_id=world.tenants.crew_id)
    for principal, code in ((other, "NOT_FOUND"), (crew, "FORBIDDEN")):
        result = call(principal, ESCALATIONS, **variables)
        assert result.data is None
        assert [e.extensions["code"] for e in result.errors] == [code]
