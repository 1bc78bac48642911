"""The planner's list of escalated homes (services), on both backends.

After the campaign's maximum of failed visits a home is listed with its apartment and address,
every attempt in order (day, window, crew, outcome, the crew's real times) and how the tenant
said the crew may get in; homes still waiting for a re-visit are not. Only admins and the
region's planners read it.
"""

from __future__ import annotations

import pytest
from tests.services.escalation_world import ATTEMPTS, PHONE, build_escalation_world
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.tenant_links import AccessChoice
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services.campaigns.escalations import ListEscalations, list_escalations


@pytest.fixture
def world(session):
    return build_escalation_world(session)


def test_an_escalated_home_is_listed_with_its_attempts_and_access(session, world):
    """Both failed visits, oldest first, with crew and real times; the caretaker's key."""
    found, more = list_escalations(session, ADMIN, ListEscalations(world.tenants.campaign_id))
    assert not more
    [home] = found
    assert (home.home.id, home.home.state, home.home.failed_attempts) == (
        world.home_id,
        HomeState.ESCALATED,
        2,
    )
    assert home.address == "Östgata 7"
    assert home.apartment.unit == "U02"
    assert home.apartment.tenant.phone == PHONE
    assert home.access is AccessChoice.CARETAKER_KEY
    assert [a.visit.id for a in home.attempts] == list(world.visit_ids)
    assert {a.crew_name for a in home.attempts} == {"Hired"}
    for attempt, (day, outcome, there, left) in zip(home.attempts, ATTEMPTS, strict=True):
        visit = attempt.visit
        assert (visit.day, visit.outcome) == (day, outcome)
        assert (visit.started_at, visit.ended_at) == (local(day, *there), local(day, *left))
        assert visit.window_start == local(day, 8)


def test_the_list_is_the_regions_planners_only(session, world):
    """Another region's planner: NotFound; a crew or a contractor: PermissionDenied."""
    query = ListEscalations(world.tenants.campaign_id)
    assert len(list_escalations(session, world.tenants.planner, query)[0]) == 1
    other = Principal(Role.PLANNER, region_id=world.tenants.offers.other_region_id)
    with pytest.raises(NotFoundError):
        list_escalations(session, other, query)
    for principal in (
        Principal(Role.CREW, crew_id=world.tenants.crew_id),
        Principal(Role.CONTRACTOR, organisation_id=world.tenants.offers.contractor_id),
    ):
        with pytest.raises(PermissionDeniedError):
            list_escalations(session, principal, query)


def test_a_page_past_the_last_escalated_home_is_empty_and_limits_are_checked(session, world):
    """``after_id`` pages by home id; a limit outside 1..500 is invalid input."""
    query = ListEscalations(world.tenants.campaign_id, after_id=world.home_id)
    assert list_escalations(session, ADMIN, query) == ([], False)
    with pytest.raises(InvalidInputError):
        ListEscalations(world.tenants.campaign_id, limit=501)
