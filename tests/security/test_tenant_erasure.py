"""Erasing a tenant: the name, phone and e-mail leave every place they were kept, the work stays.

Only admins erase or read the personal-data log; every erasure leaves a log line with counts
and no personal data. Runs on both backends, through the schema, on a rolled-back session.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role

ERASE = """
mutation Erase($id: ID!) {
  eraseTenant(input: {apartmentId: $id}) {
    __typename
    ... on TenantErased { apartmentId fieldsCleared notesScrubbed }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}
"""
LOG = "query { personalDataLog(last: 5) { actor action subject fileSha256 } }"
ADMIN = Principal(Role.ADMIN, token_id=1)


@pytest.fixture
def caller(api_world):
    with schema_caller(api_world.url) as calls:
        yield calls


def _tenant_with_notes(session, apartment_id: int) -> tuple[str, str, str]:
    """Give the apartment a tenant whose name and phone also sit in its job and appointment notes."""
    apartment = session.get(m.Apartment, apartment_id)
    name, phone, email = "Kari Nordmann-Test", "+47 912 34 567", "kari.test@example.no"
    apartment.tenant_name, apartment.tenant_phone, apartment.tenant_email = name, phone, email
    apartment.access_notes = f"Ring {name} first; code 1234"
    job = session.scalar(select(m.Job).where(m.Job.apartment_id == apartment_id))
    job.notes = f"call {phone} before coming"
    session.add(
        m.Appointment(
            job_id=job.id,
            window_start=_at(9),
            window_end=_at(11),
            status="confirmed",
            notes=f"{name.upper()} asked for mornings",
        )
    )
    session.flush()
    return name, phone, email


def _at(hour: int):
    from datetime import UTC, datetime

    return datetime(2026, 6, 2, hour, tzinfo=UTC)


def test_an_admin_erases_the_tenant_everywhere_and_keeps_the_work(caller, api_world):
    apartment_id = api_world.unvisited_apartment_id
    with caller.sessions() as session:
        name, phone, email = _tenant_with_notes(session, apartment_id)
        session.commit()
        jobs_before = session.scalar(
            select(func.count()).select_from(m.Job).where(m.Job.apartment_id == apartment_id)
        )

    result = caller.data(ADMIN, ERASE, id=str(apartment_id))["eraseTenant"]

    assert result["__typename"] == "TenantErased"
    assert result["fieldsCleared"] == ["name", "phone", "email"]
    assert result["notesScrubbed"] == 3
    with caller.sessions() as session:
        apartment = session.get(m.Apartment, apartment_id)
        assert (apartment.tenant_name, apartment.tenant_phone, apartment.tenant_email) == (
            None,
            None,
            None,
        )
        notes = [apartment.access_notes or ""]
        jobs = list(session.scalars(select(m.Job).where(m.Job.apartment_id == apartment_id)))
        notes += [job.notes or "" for job in jobs]
        notes += [
            appointment.notes or ""
            for appointment in session.scalars(
                select(m.Appointment).where(m.Appointment.job_id.in_([j.id for j in jobs]))
            )
        ]
        text = " ".join(notes).lower()
        for value in (name, phone, email):
            assert value.lower() not in text
        assert "code 1234" in text  # the rest of a note stays
        assert len(jobs) == jobs_before  # the work history stays
        line = session.scalars(
            select(m.PersonalDataEvent).order_by(m.PersonalDataEvent.id.desc())
        ).first()
        assert (line.action, line.subject) == ("erase", f"apartment/{apartment_id}")
        assert name not in str(line.detail)
        assert phone not in str(line.detail)


def test_erasing_twice_clears_nothing_the_second_time(caller, api_world):
    apartment_id = api_world.unvisited_apartment_id
    caller.data(ADMIN, ERASE, id=str(apartment_id))
    again = caller.data(ADMIN, ERASE, id=str(apartment_id))["eraseTenant"]
    assert again["fieldsCleared"] == []


@pytest.mark.parametrize("role", [Role.PLANNER, Role.CONTRACTOR])
def test_no_other_role_may_erase_tenants(caller, api_world, role):
    principal = Principal(
        role,
        region_id=api_world.region_id,
        organisation_id=api_world.contractor_id if role is Role.CONTRACTOR else None,
    )
    result = caller.data(principal, ERASE, id=str(api_world.visited_apartment_id))
    assert result["eraseTenant"]["__typename"] == "Forbidden"
    with caller.sessions() as session:
        assert session.get(m.Apartment, api_world.visited_apartment_id).tenant_name is not None


def test_a_crew_may_not_erase_even_the_tenant_it_visits_today(caller, api_world):
    crew = Principal(Role.CREW, crew_id=api_world.crew_id, timezone="Europe/Oslo")
    result = caller.data(crew, ERASE, id=str(api_world.visited_apartment_id))
    assert result["eraseTenant"]["__typename"] == "Forbidden"


@pytest.mark.parametrize("apartment_id", ["999999999", "-1", "abc"])
def test_an_unknown_apartment_is_reported_not_guessed(caller, apartment_id):
    result = caller.data(ADMIN, ERASE, id=apartment_id)["eraseTenant"]
    assert result["__typename"] in {"NotFound", "InvalidInput"}


def test_only_admins_read_the_personal_data_log(caller, api_world):
    caller.data(ADMIN, ERASE, id=str(api_world.unvisited_apartment_id))
    lines = caller.data(ADMIN, LOG)["personalDataLog"]
    assert lines[0]["action"] == "erase"
    assert lines[0]["actor"].startswith("api:admin")
    planner = Principal(Role.PLANNER, region_id=api_world.region_id)
    refused = caller(planner, LOG)
    assert refused.data is None
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
