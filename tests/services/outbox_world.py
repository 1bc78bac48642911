"""A committed database for delivery by real workers: one apartment, its tenant, one message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import shapely
from shapely.geometry import Point
from sqlalchemy import select

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.services.notifications.links import TENANT_LINK_PLACEHOLDER

EMAIL = "ola@example.no"
SUBJECT = "Besøket er bekreftet"


def build_outbox_world(url: str, *, pending: bool = True) -> tuple[int, int]:
    """Migrate ``url`` and add region Oslo, apartment H0101 with a tenant and (if ``pending``) one
    e-mail due now; return the region's and the apartment's ids."""
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        session.execute(m.Notification.__table__.delete())
        region = m.Region(
            slug="oslo", name="Oslo", area=to_db_geometry(shapely.box(10.7, 59.9, 10.8, 59.95))
        )
        session.add(region)
        session.flush()
        point = to_db_geometry(Point(10.75, 59.92))
        building = m.Building(region_id=region.id, address="Testgata 1", location=point)
        session.add(building)
        session.flush()
        apartment = m.Apartment(
            building_id=building.id, unit="H0101", tenant_email=EMAIL, location=point
        )
        session.add(apartment)
        session.flush()
        if pending:
            session.add(
                m.Notification(
                    key="confirmation:home:1:2026-05-11T06:00:00+00:00:email",
                    region_id=region.id,
                    apartment_id=apartment.id,
                    kind="confirmation",
                    channel="email",
                    language="nb",
                    recipient=EMAIL,
                    subject=SUBJECT,
                    body="Hei,\n",
                    status="pending",
                    attempts=0,
                    next_attempt_at=datetime.now(UTC) - timedelta(seconds=1),
                )
            )
        ids = (region.id, apartment.id)
    engine.dispose()
    return ids


def put_in_a_campaign(url: str) -> int:
    """Put the waiting message in an active campaign where the tenant's home is still to visit.

    Its body gets the tenant link marker, so delivery puts the home's link in; returns the
    apartment's id.
    """
    engine = engine_from_url(url)
    try:
        with session_factory(engine).begin() as session:
            message = session.scalars(select(m.Notification)).one()
            campaign = m.Campaign(
                region_id=message.region_id,
                name="Media boxes",
                minutes_per_home=30.0,
                setup_minutes_per_entrance=5.0,
                start_on=date(2026, 5, 11),
                deadline_on=date(2026, 6, 30),
                visits_per_crew_day=10,
                revisit_share=0.1,
                status=CampaignStatus.ACTIVE.value,
            )
            session.add(campaign)
            session.flush()
            assert message.apartment_id is not None
            session.add(
                m.CampaignHome(
                    campaign_id=campaign.id,
                    apartment_id=message.apartment_id,
                    state=HomeState.PENDING.value,
                )
            )
            message.campaign_id = campaign.id
            message.body = f"Hei,\nVil du endre tiden: {TENANT_LINK_PLACEHOLDER}\n"
            return message.apartment_id
    finally:
        engine.dispose()
