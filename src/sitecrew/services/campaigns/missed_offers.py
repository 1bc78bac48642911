"""The new times a tenant is offered in the message telling of a missed visit (issue 16).

Computed when the outcome is recorded, in its transaction, and stored in the message: the
outbox keeps what the tenant was told (convention 18), delivery needs no street graph, and a
message retried hours later still says what was said first. The windows are the route-aware
offers of the tenant's own page (the same days, visit and crews' days, cheapest first), so the
message lists what its link offers; a window taken meanwhile is refused when the tenant picks
it (tenant booking re-checks every pick at write time), and the page then shows what is left.

When no offers can be asked (the region has no street graph, the campaign has no days left, or
the apartment lies off the streets) the message carries the link alone.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.services.appointments.offers import offers_for_visit
from sitecrew.services.appointments.visit import visit_for_apartment
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.tenant_visits.read import campaign_offer_days

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings

#: Windows a missed-visit message lists (a text message stays short; the link shows more).
MISSED_VISIT_OFFERS = 3


def missed_visit_offers(
    session: Session,
    home: m.CampaignHome,
    *,
    osm: OsmSettings,
    now: datetime,
) -> tuple[tuple[datetime, datetime], ...]:
    """Return the few best windows (UTC) the home's tenant may now choose, cheapest first.

    Reads only. The failed visit's job is no longer open when this is asked, so the crews'
    days no longer count it.
    """
    campaign = session.get_one(m.Campaign, home.campaign_id)
    region_row = session.get_one(m.Region, campaign.region_id)
    if not (region_row.street_region or region_row.extract_path):
        return ()
    region = get_region_or_raise(session, campaign.region_id)
    days = campaign_offer_days(campaign, region.timezone, now)
    if days is None:
        return ()
    apartment = session.get_one(m.Apartment, home.apartment_id)
    visit = visit_for_apartment(session, apartment, region.id)
    span = [date.fromordinal(d) for d in range(days[0].toordinal(), days[1].toordinal() + 1)]
    offers = offers_for_visit(
        session, region, visit, span, osm=osm, limit=MISSED_VISIT_OFFERS, now=now
    )
    return tuple((o.window_start, o.window_end) for o in offers)
