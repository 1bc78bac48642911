"""A missed visit tells the tenant new times, on both backends, in the real-OSM tenant world.

A home's visit on :data:`TUESDAY` 08:00-10:00 ends ``no_show`` or ``no_access``: the message in
the outbox (in the tenant's language) lists the best three windows the tenant's own page
offers, with the link marker to choose one; the tenant can book a listed window (re-checked at
write time). Once the home is escalated the tenant is offered nothing and told the housing
company will call. Without street graph settings the message carries the link alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from tests.services.offers_world import OSLO, local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world

from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState, VisitOutcome
from sitecrew.domain.notifications import Language, NotificationKind
from sitecrew.services.campaigns import RecordVisitOutcome, record_outcome
from sitecrew.services.campaigns.daily import materialise_home
from sitecrew.services.notifications.links import TENANT_LINK_PLACEHOLDER
from sitecrew.services.notifications.render import format_window
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.book import ChooseTime, choose_tenant_time
from sitecrew.services.tenant_visits.read import tenant_offers

NOW = datetime.now(UTC)
#: The home whose visit is missed (the first home is proposed already).
HOME = 1
#: What each language's message says before the list, and instead of it once escalated.
FREE = {"sv": "De här tiderna är lediga:", "nb": "Disse tidene er ledige:", "en": "These times"}
CALLS = {
    "sv": "bostadsbolaget kontaktar dig",
    "nb": "boligselskapet kontakter deg",
    "en": "the housing company will contact you",
}


@pytest.fixture
def world(session):
    return build_tenant_world(session)


def _missed(session, world, outcome=VisitOutcome.NO_SHOW, *, osm, language="en") -> m.Notification:
    """Book the home for Tuesday, let the visit fail, and return the tenant's message."""
    flat = session.get(m.Apartment, world.flats[HOME])
    flat.tenant_email, flat.tenant_language = "tenant@example.org", language
    campaign = session.get(m.Campaign, world.campaign_id)
    home = session.get(m.CampaignHome, world.homes[HOME])
    home.state, home.confirmed, home.day, home.crew_id = (
        HomeState.CONFIRMED.value,
        True,
        TUESDAY,
        world.crew_id,
    )
    home.window_start, home.window_end = local(TUESDAY, 8), local(TUESDAY, 10)
    visit_id, _ = materialise_home(session, campaign, home)
    command = RecordVisitOutcome(visit_id, outcome, local(TUESDAY, 8, 5), local(TUESDAY, 8, 10))
    record_outcome(session, ADMIN, command, osm=osm, now=NOW)
    return session.scalars(
        select(m.Notification).where(
            m.Notification.apartment_id == flat.id,
            m.Notification.kind == NotificationKind.MISSED_VISIT.value,
        )
    ).one()


def _tenant(session, world):
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(world.flats[HOME],)),
        links=LINKS,
        actor="test",
    )
    return authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal


def _listed(body: str) -> list[str]:
    return [line[2:] for line in body.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
@pytest.mark.parametrize("outcome", [VisitOutcome.NO_SHOW, VisitOutcome.NO_ACCESS])
def test_a_missed_visit_lists_the_tenants_three_best_offers_with_the_link(
    session, world, planning_osm, language, outcome
):
    """The listed windows are the first three of the tenant's page, in the tenant's language."""
    message = _missed(session, world, outcome, osm=planning_osm, language=language)
    page = tenant_offers(session, _tenant(session, world), osm=planning_osm, limit=3, now=NOW)
    assert len(page) == 3
    expected = [
        format_window(
            (o.window_start.astimezone(OSLO), o.window_end.astimezone(OSLO)), Language(language)
        )
        for o in page
    ]
    assert _listed(message.body) == expected
    assert FREE[language] in message.body
    assert TENANT_LINK_PLACEHOLDER in message.body
    assert message.language == language


def test_the_tenant_books_a_listed_window_through_the_link(session, world, planning_osm):
    """A window from the message is still offered when picked: the home is confirmed in it."""
    message = _missed(session, world, osm=planning_osm)
    page = tenant_offers(session, _tenant(session, world), osm=planning_osm, limit=3, now=NOW)
    first = page[0]
    assert _listed(message.body)[0].endswith(
        f"{first.window_start.astimezone(OSLO):%H:%M}-{first.window_end.astimezone(OSLO):%H:%M}"
    )
    visit = choose_tenant_time(
        session, _tenant(session, world), ChooseTime(first.window_start), osm=planning_osm, now=NOW
    )
    assert visit.state is HomeState.CONFIRMED
    assert visit.window_start == first.window_start


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_an_escalated_home_is_offered_nothing_and_told_the_housing_company_calls(
    session, world, planning_osm, language
):
    """At the campaign's last allowed failure the message has no times and no link."""
    session.get(m.Campaign, world.campaign_id).max_failed_attempts = 1
    message = _missed(session, world, VisitOutcome.NO_ACCESS, osm=planning_osm, language=language)
    assert session.get(m.CampaignHome, world.homes[HOME]).state == HomeState.ESCALATED.value
    assert _listed(message.body) == []
    assert TENANT_LINK_PLACEHOLDER not in message.subject + message.body
    assert CALLS[language] in message.subject + message.body


def test_without_street_graph_settings_the_message_carries_the_link_alone(session, world):
    """Recorded without OSM settings (no offers can be asked): the link is still there."""
    message = _missed(session, world, osm=None)
    assert _listed(message.body) == []
    assert TENANT_LINK_PLACEHOLDER in message.body
