"""Every entity survives a write and a read unchanged, on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

from tests.helpers import make_world

from sitecrew.db import models as m
from sitecrew.domain.jobs import (
    Appointment,
    MaintenanceAction,
    MaintenanceRecord,
    TimeWindow,
    WearType,
)
from sitecrew.services import furniture as furniture_service
from sitecrew.services import jobs


def test_every_entity_reads_back_as_written(session):
    """Each created entity, read back from a fresh session state, equals what was written."""
    world = make_world(session)
    session.expire_all()
    pairs = [
        (m.Organisation, world.owner),
        (m.Organisation, world.contractor),
        (m.Region, world.region),
        (m.District, world.district),
        (m.Site, world.site),
        (m.FurnitureModel, world.model),
        (m.Furniture, world.furniture),
        (m.Building, world.building),
        (m.Apartment, world.apartment),
        (m.Depot, world.depot),
        (m.Crew, world.crew),
        (m.CrewMember, world.member),
        (m.Job, world.job),
    ]
    for model, written in pairs:
        stored = session.get(model, written.id).to_domain()
        assert _same(stored, written), model.__name__


def _same(stored, written) -> bool:
    """Compare dataclasses field by field, geometries by exact equality of coordinates."""
    for name in written.__dataclass_fields__:
        left, right = getattr(stored, name), getattr(written, name)
        if hasattr(right, "equals") and right is not None:
            if right.geom_type == "Polygon":
                right = type(left)([right])
            if not left.equals_exact(right, 1e-9):
                return False
        elif isinstance(right, tuple) and right and hasattr(right[0], "equals"):
            if not all(a.equals_exact(b, 1e-9) for a, b in zip(left, right, strict=True)):
                return False
        elif left != right:
            return False
    return True


def test_appointment_window_reads_back_as_the_same_instant(session):
    """A window booked in Oslo time reads back as the same instants (stored in UTC)."""
    world = make_world(session)
    oslo = timezone(timedelta(hours=1))
    window = TimeWindow(datetime(2026, 3, 2, 9, tzinfo=oslo), datetime(2026, 3, 2, 11, tzinfo=oslo))
    booked = jobs.add_appointment(session, Appointment(world.job.id, window))
    session.expire_all()
    stored = session.get(m.Appointment, booked.id).to_domain()
    assert stored.window.start == window.start
    assert stored.window.end == window.end
    assert stored.window.start.tzinfo == UTC


def test_maintenance_record_moves_last_maintained_forward(session):
    """Recording an oiling stores the wear report and updates the item's last-maintained date."""
    world = make_world(session)
    record = MaintenanceRecord(
        world.furniture.id,
        date(2026, 5, 20),
        MaintenanceAction.OILED,
        WearType.WEATHERING,
        severity=2,
        notes="Seat slats grey on the sunny side",
        crew_id=world.crew.id,
    )
    stored = furniture_service.add_maintenance_record(session, record)
    assert replace(stored, id=None) == record
    session.expire_all()
    assert session.get(m.Furniture, world.furniture.id).last_maintained_on == date(2026, 5, 20)
