"""Tenants' personal data: erase it on request, and read the log of who handled or read it.

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
from sitecrew.db.models._columns import as_utc
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
    #: The apartments the line is about (read, edited, exported or erased).
    apartment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PersonalDataLogQuery:
    """Which lines of the log to return: all filters optional, combined with AND.

    ``since`` is inclusive and ``until`` exclusive; ``before_id`` pages back from a line.
    """

    limit: int = 100
    actor: str | None = None
    action: str | None = None
    apartment_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None


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
            apartments=[apartment_id],
        )
        return TenantErasure(apartment_id, datetime.now(UTC), cleared, scrubbed)


def personal_data_log(
    session: Session, principal: Principal, query: PersonalDataLogQuery | None = None
) -> tuple[list[PersonalDataLine], bool]:
    """Return a page of the personal-data log, newest first, and whether older lines follow.

    Two statements whatever the page size: the lines, then the apartments of those lines.

    Raises
    ------
    PermissionDeniedError
        For any role but admin (the log says who read which tenant: it is personal data too).
    """
    query = query or PersonalDataLogQuery()
    require_personal_data_controller(principal, action="read the personal-data log")
    event = m.PersonalDataEvent
    rows_query = select(event)
    if query.actor is not None:
        rows_query = rows_query.where(event.actor == query.actor)
    if query.action is not None:
        rows_query = rows_query.where(event.action == query.action)
    if query.since is not None:  # stored in UTC (SQLite compares the text)
        rows_query = rows_query.where(event.at >= query.since.astimezone(UTC))
    if query.until is not None:
        rows_query = rows_query.where(event.at < query.until.astimezone(UTC))
    if query.before_id is not None:
        rows_query = rows_query.where(event.id < query.before_id)
    if query.apartment_id is not None:
        about = select(m.PersonalDataSubject.event_id).where(
            m.PersonalDataSubject.apartment_id == query.apartment_id
        )
        rows_query = rows_query.where(event.id.in_(about))
    rows = list(session.scalars(rows_query.order_by(event.id.desc()).limit(query.limit + 1)))
    page = rows[: query.limit]
    subjects: dict[int, list[int]] = {row.id: [] for row in page}
    if page:
        found = session.execute(
            select(m.PersonalDataSubject.event_id, m.PersonalDataSubject.apartment_id)
            .where(m.PersonalDataSubject.event_id.in_(list(subjects)))
            .order_by(m.PersonalDataSubject.apartment_id)
        )
        for event_id, apartment_id in found:
            subjects[event_id].append(apartment_id)
    lines = [
        PersonalDataLine(
            row.id,
            as_utc(row.at) or row.at,
            row.actor,
            row.action,
            row.subject,
            row.file_sha256,
            row.detail,
            tuple(subjects[row.id]),
        )
        for row in page
    ]
    return lines, len(rows) > query.limit


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
