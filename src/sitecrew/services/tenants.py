"""Tenants' personal data: erase it on request, and read the log of who handled it.

Erasing a tenant (the right to erasure) clears the name, phone and e-mail of the apartment and
scrubs them from the free-text notes they may have been copied into (the apartment's access
notes, its jobs' and appointments' notes), while the work history stays: jobs, appointments,
visits and routes remain, with the apartment, just without a person attached. The erasure and
its log line commit together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.services.notifications.outbox import forget_recipients
from sitecrew.services.personal_data import record_personal_data_event
from sitecrew.services.scoping import get_changeable, require_personal_data_controller

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: What replaces an erased value inside free text.
ERASED = "[erased]"
#: Values shorter than this are not searched for in notes (a two-letter name would scrub words).
_MIN_SCRUB_LENGTH = 3


@dataclass(frozen=True)
class TenantErasure:
    """What an erasure changed: the apartment, the fields cleared, the notes scrubbed."""

    apartment_id: int
    erased_at: datetime
    fields_cleared: tuple[str, ...]
    notes_scrubbed: int


@dataclass(frozen=True)
class PersonalDataLine:
    """One line of the personal-data log."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    file_sha256: str | None
    detail: dict[str, object] | None


def erase_tenant(
    session: Session, principal: Principal, apartment_id: int, *, actor: str
) -> TenantErasure:
    """Remove a tenant's name, phone and e-mail everywhere Sitecrew keeps them.

    Parameters
    ----------
    session
        An open session; the erasure and its log line commit together.
    principal
        Only admins erase personal data.
    apartment_id
        The tenant's apartment.
    actor
        Who asked, for the log (``command_line_actor()`` or ``api_actor(principal)``).

    Raises
    ------
    PermissionDeniedError
        For any role but admin.
    NotFoundError
        When the apartment does not exist.
    """
    with transaction(session):
        require_personal_data_controller(principal, action="erase tenant data")
        apartment = get_changeable(
            session, principal, m.Apartment, apartment_id, action="erase tenant data", lock=True
        )
        values = [apartment.tenant_name, apartment.tenant_phone, apartment.tenant_email]
        cleared = tuple(
            field
            for field, value in zip(("name", "phone", "email"), values, strict=True)
            if value
        )
        apartment.tenant_name = apartment.tenant_phone = apartment.tenant_email = None
        pattern = _scrub_pattern(value for value in values if value)
        scrubbed = 0
        if pattern is not None:
            scrubbed = _scrub_notes(session, apartment, pattern)
        forget_recipients(session, apartment_id)  # the outbox keeps no copy either
        session.flush()
        record_personal_data_event(
            session,
            actor=actor,
            action="erase",
            subject=f"apartment/{apartment_id}",
            detail={"fields_cleared": list(cleared), "notes_scrubbed": scrubbed},
        )
        return TenantErasure(apartment_id, datetime.now(UTC), cleared, scrubbed)


def personal_data_log(
    session: Session, principal: Principal, *, limit: int = 100
) -> list[PersonalDataLine]:
    """Return the newest lines of the personal-data log (admins only).

    Raises
    ------
    PermissionDeniedError
        For any role but admin.
    """
    require_personal_data_controller(principal, action="read the personal-data log")
    rows = session.scalars(
        select(m.PersonalDataEvent)
        .order_by(m.PersonalDataEvent.at.desc(), m.PersonalDataEvent.id.desc())
        .limit(limit)
    )
    return [
        PersonalDataLine(
            row.id, row.at, row.actor, row.action, row.subject, row.file_sha256, row.detail
        )
        for row in rows
    ]


def _scrub_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """Return a case-insensitive pattern of the erased values worth searching for."""
    words = sorted({v.strip() for v in values if len(v.strip()) >= _MIN_SCRUB_LENGTH}, key=len)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in reversed(words)), re.IGNORECASE)


def _scrub_notes(session: Session, apartment: m.Apartment, pattern: re.Pattern[str]) -> int:
    """Replace the erased values in every note about this apartment; return how many changed."""
    jobs = list(session.scalars(select(m.Job).where(m.Job.apartment_id == apartment.id)))
    appointments = list(
        session.scalars(
            select(m.Appointment).where(m.Appointment.job_id.in_([job.id for job in jobs]))
        )
    )
    changed = 0
    if apartment.access_notes and pattern.search(apartment.access_notes):
        apartment.access_notes = pattern.sub(ERASED, apartment.access_notes)
        changed += 1
    noted: list[m.Job | m.Appointment] = [*jobs, *appointments]
    for row in noted:
        if row.notes and pattern.search(row.notes):
            row.notes = pattern.sub(ERASED, row.notes)
            changed += 1
    return changed
