"""The outbox through GraphQL, on both backends: planners see what failed, others are refused.

Confirming a window through the API writes its message in the same transaction; a real local
SMTP server refuses it until it fails for good, and the region's planner reads it with its
attempts, last error and (being allowed) the recipient. Crews, contractors and planners of other
regions get typed errors or nothing, and no tenant contact appears in any error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.api.campaign_world import START, build_api_campaign_world
from tests.api.test_campaign_api import CONFIRM, planned, planner
from tests.security.schema_calls import schema_caller
from tests.services.notification_receivers import SmtpServer

from sitecrew.config import NotificationSettings, TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.services.notifications import drain
from sitecrew.services.notifications.channels import channels_from_settings

EMAIL = "tenant.api@example.org"
OUTBOX = """query N($campaignId: ID, $status: NotificationStatus, $first: Int!, $after: String) {
  notifications(campaignId: $campaignId, status: $status, first: $first, after: $after) {
    nodes { id kind channel language status attempts lastError nextAttemptAt sentAt recipient
            apartmentId campaignId }
    pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture
def call(api_world):
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def world(call):
    with call.sessions.begin() as session:
        return build_api_campaign_world(session)


def _confirmed_home(call, world) -> dict:
    """Plan a campaign, give its first home's tenant an e-mail and confirm through the API."""
    campaign = planned(call, world)
    with call.sessions.begin() as session:
        home = session.scalars(
            select(m.CampaignHome)
            .where(m.CampaignHome.campaign_id == int(campaign["id"]), m.CampaignHome.day >= START)
            .order_by(m.CampaignHome.day, m.CampaignHome.id)
        ).first()
        apartment = session.get(m.Apartment, home.apartment_id)
        apartment.tenant_email = EMAIL
        home_id, apartment_id = home.id, apartment.id
    answer = call.data(planner(world), CONFIRM, input={"homeId": str(home_id)})
    assert answer["confirmVisitWindow"]["__typename"] == "CampaignHome"
    return {"campaign": campaign["id"], "apartment": str(apartment_id)}


def test_a_failed_confirmation_mail_is_visible_to_the_regions_planner(call, world):
    """SMTP answers 554 until the last attempt: FAILED, three attempts, the reason, no next try."""
    confirmed = _confirmed_home(call, world)
    with SmtpServer() as smtp:
        smtp.box.refuse_next = 10
        settings = NotificationSettings(
            smtp_host="127.0.0.1", smtp_port=smtp.port, max_attempts=3, backoff_base_s=10.0
        )
        now = datetime.now(UTC)
        for minutes in (0, 1, 2):
            drain(
                call.sessions,
                settings,
                channels_from_settings(settings),
                links=TenantLinkSettings(),
                now=now + timedelta(minutes=minutes),
            )
    page = call.data(
        planner(world), OUTBOX, campaignId=confirmed["campaign"], status="FAILED", first=10
    )["notifications"]
    (node,) = page["nodes"]
    assert (node["kind"], node["channel"], node["language"]) == (
        "CONFIRMATION",
        "EMAIL",
        "NORWEGIAN",
    )
    assert (node["status"], node["attempts"], node["nextAttemptAt"]) == ("FAILED", 3, None)
    assert "554" in node["lastError"]
    assert node["recipient"] == EMAIL
    assert node["apartmentId"] == confirmed["apartment"]
    pending = call.data(planner(world), OUTBOX, status="PENDING", first=10)["notifications"]
    assert pending["nodes"] == []


def test_pages_follow_the_cursor(call, world):
    """Two messages, one per page; the cursor leads from the first to the second."""
    _confirmed_home(call, world)
    with call.sessions.begin() as session:
        (first,) = session.scalars(select(m.Notification)).all()
        session.add(
            m.Notification(
                **{
                    column: getattr(first, column)
                    for column in ("region_id", "campaign_id", "apartment_id", "language")
                },
                key=first.key + ":copy",
                kind="reminder",
                channel="email",
                recipient=EMAIL,
                subject="s",
                body="b",
                status="pending",
                attempts=0,
            )
        )
    one = call.data(planner(world), OUTBOX, first=1)["notifications"]
    assert one["pageInfo"]["hasNextPage"]
    two = call.data(planner(world), OUTBOX, first=1, after=one["pageInfo"]["endCursor"])
    assert [n["kind"] for n in one["nodes"] + two["notifications"]["nodes"]] == [
        "CONFIRMATION",
        "REMINDER",
    ]
    assert not two["notifications"]["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize("role", ["crew", "contractor"])
def test_crews_and_contractors_are_refused_without_tenant_data(call, world, role):
    """A typed FORBIDDEN error naming no tenant contact."""
    _confirmed_home(call, world)
    principal = (
        Principal(Role.CREW, crew_id=world.own_crew_id)
        if role == "crew"
        else Principal(Role.CONTRACTOR, organisation_id=world.contractor_id)
    )
    result = call(principal, OUTBOX, first=10)
    (error,) = result.errors
    assert error.extensions["code"] == "FORBIDDEN"
    assert EMAIL not in str(result.errors)
    assert result.data is None


def test_another_regions_planner_reads_nothing_and_cannot_name_the_campaign(call, world):
    """An empty page; naming the campaign is NOT_FOUND, without the tenant's address."""
    confirmed = _confirmed_home(call, world)
    outsider = Principal(Role.PLANNER, region_id=world.other_region_id)
    assert call.data(outsider, OUTBOX, first=10)["notifications"]["nodes"] == []
    result = call(outsider, OUTBOX, campaignId=confirmed["campaign"], first=10)
    (error,) = result.errors
    assert error.extensions["code"] == "NOT_FOUND"
    assert EMAIL not in str(result.errors)


@pytest.mark.parametrize("first", [0, 100_000])
def test_a_bad_page_size_is_a_typed_error(call, world, first):
    """Below one or above the cap: a typed error, nothing read."""
    result = call(planner(world), OUTBOX, first=first)
    assert result.errors[0].extensions["code"] in {"INVALID_INPUT", "PAGE_TOO_LARGE"}


def test_an_unknown_cursor_is_a_typed_error(call, world):
    """A cursor this server did not issue is refused."""
    result = call(planner(world), OUTBOX, first=5, after="bm90LWEtY3Vyc29y")
    assert result.errors[0].extensions["code"] == "BAD_CURSOR"


def test_settings_differ_only_where_given():
    """The test settings are the defaults but for what the test names (a sanity check)."""
    base = NotificationSettings()
    assert replace(base, smtp_port=2525).smtp_host is None


PREFERENCES = """mutation P($input: SetTenantMessagePreferencesInput!) {
  setTenantMessagePreferences(input: $input) {
    __typename
    ... on TenantMessagePreferences { apartmentId language smsOptOut skipped }
    ... on Problem { code message } } }"""


def test_a_planner_sets_the_tenants_language_and_sms_opt_out(call, world):
    """Swedish and no SMS: stored; the next message is Swedish and goes by e-mail only."""
    apartment = str(world.apartments[world.buildings[0]][0])
    answer = call.data(
        planner(world),
        PREFERENCES,
        input={"apartmentId": apartment, "language": "SWEDISH", "smsOptOut": True},
    )["setTenantMessagePreferences"]
    assert answer == {
        "__typename": "TenantMessagePreferences",
        "apartmentId": apartment,
        "language": "SWEDISH",
        "smsOptOut": True,
        "skipped": 0,
    }
    with call.sessions.begin() as session:
        row = session.get(m.Apartment, int(apartment))
        assert (row.tenant_language, row.sms_opt_out) == ("sv", True)


@pytest.mark.parametrize("who", ["crew", "outsider"])
def test_others_cannot_set_a_tenants_preferences(call, world, who):
    """A crew is FORBIDDEN; another region's planner finds no such apartment."""
    apartment = str(world.apartments[world.buildings[0]][0])
    principal = (
        Principal(Role.CREW, crew_id=world.own_crew_id)
        if who == "crew"
        else Principal(Role.PLANNER, region_id=world.other_region_id)
    )
    answer = call.data(principal, PREFERENCES, input={"apartmentId": apartment, "smsOptOut": True})[
        "setTenantMessagePreferences"
    ]
    assert answer["code"] == ("FORBIDDEN" if who == "crew" else "NOT_FOUND")
    with call.sessions.begin() as session:
        assert session.get(m.Apartment, int(apartment)).sms_opt_out is False
