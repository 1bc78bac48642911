"""A committed database for delivery by real workers: one apartment, its tenant, one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import shapely
from shapely.geometry import Point

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.db.models._columns import to_db_geometry

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
