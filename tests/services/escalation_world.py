"""The tenant world with one home escalated after two failed visits, for the planner's list.

The campaign gives up after :data:`MAX_FAILED` failed visits. The tenant of flat
:data:`ESCALATED` (Tenant 02, phone and e-mail on file) said the crew may use the caretaker's
key; its visits on :data:`TUESDAY` (no show, crew there 08:05-08:10) and a week later (no
access, 09:00-09:20) both failed, so its home is escalated. Flat :data:`FAILED_ONCE` failed
once and waits for its re-visit: not escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, TenantWorld, build_tenant_world

from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState, VisitOutcome
from sitecrew.domain.tenant_links import AccessChoice
from sitecrew.services.campaigns import RecordVisitOutcome, record_outcome
from sitecrew.services.campaigns.daily import materialise_home
from sitecrew.services.tenant_links import IssueLinks, authenticate_link, issue_links
from sitecrew.services.tenant_visits.change import SetAccess, set_tenant_access

MAX_FAILED = 2
ESCALATED = 2
FAILED_ONCE = 3
PHONE = "+47 400 00 002"
#: (day, outcome, crew there from, to: local hour and minute) of the escalated home's visits.
ATTEMPTS = (
    (TUESDAY, VisitOutcome.NO_SHOW, (8, 5), (8, 10)),
    (TUESDAY + timedelta(days=7), VisitOutcome.NO_ACCESS, (9, 0), (9, 20)),
)

__all__ = ["ATTEMPTS", "ESCALATED", "PHONE", "EscalationWorld", "build_escalation_world"]


@dataclass(frozen=True)
class EscalationWorld:
    """The tenant world and the escalated home's ids."""

    tenants: TenantWorld
    home_id: int
    apartment_id: int
    visit_ids: tuple[int, ...]


def _fail(session, world: TenantWorld, index: int, day, *, outcome, there) -> int:
    """Give home ``index`` a visit on ``day`` 08-10 and record it failed; return the visit."""
    campaign = session.get(m.Campaign, world.campaign_id)
    home = session.get(m.CampaignHome, world.homes[index])
    home.state, home.confirmed, home.day, home.crew_id = (
        HomeState.CONFIRMED.value,
        True,
        day,
        world.crew_id,
    )
    home.window_start, home.window_end = local(day, 8), local(day, 10)
    visit_id, _ = materialise_home(session, campaign, home)
    start, end = local(day, *there[0]), local(day, *there[1])
    record_outcome(session, ADMIN, RecordVisitOutcome(visit_id, outcome, start, end))
    return visit_id


def build_escalation_world(session) -> EscalationWorld:
    """Create the world (rolled back with the caller's transaction unless it commits)."""
    world = build_tenant_world(session)
    session.get(m.Campaign, world.campaign_id).max_failed_attempts = MAX_FAILED
    flat = session.get(m.Apartment, world.flats[ESCALATED])
    flat.tenant_phone, flat.tenant_email = PHONE, "tenant02@example.org"
    [link] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, apartment_ids=(flat.id,)),
        links=LINKS,
        actor="test",
    )
    tenant = authenticate_link(session, LINKS.secret, link.url.rpartition("/t/")[2]).principal
    set_tenant_access(session, tenant, SetAccess(AccessChoice.CARETAKER_KEY))
    visits = tuple(
        _fail(session, world, ESCALATED, day, outcome=outcome, there=(there, left))
        for day, outcome, there, left in ATTEMPTS
    )
    _fail(
        session, world, FAILED_ONCE, TUESDAY, outcome=VisitOutcome.NO_SHOW, there=((8, 0), (8, 1))
    )
    session.flush()
    return EscalationWorld(world, world.homes[ESCALATED], flat.id, visits)
