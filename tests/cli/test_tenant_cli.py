"""``sitecrew tenant erase`` and ``sitecrew tenant log`` as an operator runs them.

Each test runs the real ``sitecrew`` process against a fresh database of each backend that holds
one apartment with a tenant.
"""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import select
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.db.models._columns import to_db_geometry

TENANT = ("Ola Tenantsen", "+47 400 00 000", "ola@example.no")


@pytest.fixture
def tenant_url(backend, database_url_factory, request) -> str:
    """A fresh database with one region, one building and apartment ``A-1`` with a tenant."""
    url = database_url_factory(backend, f"tenant_cli_{request.node.name[-20:].strip('[]-')}")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        region = m.Region(
            slug="oslo",
            name="Oslo",
            area=to_db_geometry(shapely.box(10.7, 59.9, 10.8, 59.95)),
        )
        session.add(region)
        session.flush()
        point = to_db_geometry(Point(10.75, 59.92))
        building = m.Building(region_id=region.id, address="Testgata 1", location=point)
        session.add(building)
        session.flush()
        session.add(
            m.Apartment(
                building_id=building.id,
                unit="H0101",
                external_ref="A-1",
                tenant_name=TENANT[0],
                tenant_phone=TENANT[1],
                tenant_email=TENANT[2],
                location=point,
            )
        )
    engine.dispose()
    return url


def _apartment(url: str) -> m.Apartment:
    engine = engine_from_url(url)
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(m.Apartment)).one()
    finally:
        engine.dispose()


def test_erase_by_external_reference_clears_the_tenant_and_logs_it(tenant_url, tmp_path):
    done = run_sitecrew(
        "tenant", "erase", "--external-ref", "A-1", "--yes", cwd=tmp_path, DATABASE_URL=tenant_url
    )
    assert done.returncode == 0, done.stderr
    assert "erased name, phone, email" in done.stdout
    apartment = _apartment(tenant_url)
    assert (apartment.tenant_name, apartment.tenant_phone, apartment.tenant_email) == (
        None,
        None,
        None,
    )
    assert apartment.unit == "H0101"  # the apartment itself stays

    log = run_sitecrew("tenant", "log", cwd=tmp_path, DATABASE_URL=tenant_url)
    assert log.returncode == 0, log.stderr
    assert "erase" in log.stdout
    assert f"apartment/{apartment.id}" in log.stdout
    assert "cli:" in log.stdout
    assert TENANT[0] not in log.stdout


def test_erase_asks_before_it_erases(tenant_url, tmp_path):
    apartment_id = _apartment(tenant_url).id
    done = run_sitecrew(
        "tenant", "erase", "--apartment", str(apartment_id), cwd=tmp_path, DATABASE_URL=tenant_url
    )
    assert done.returncode != 0  # no answer on stdin: aborted
    assert _apartment(tenant_url).tenant_name == TENANT[0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--external-ref", "NO-SUCH"), "no apartment has the external reference"),
        (("--apartment", "424242"), "424242"),
        ((), "exactly one of"),
        (("--apartment", "1", "--external-ref", "A-1"), "exactly one of"),
    ],
)
def test_erase_refuses_what_it_cannot_name(tenant_url, tmp_path, arguments, message):
    done = run_sitecrew(
        "tenant", "erase", *arguments, "--yes", cwd=tmp_path, DATABASE_URL=tenant_url
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert message in done.stderr
    assert _apartment(tenant_url).tenant_name == TENANT[0]
