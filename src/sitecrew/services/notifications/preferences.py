"""How a tenant wants to be told: the language, and whether text messages may be sent at all.

Admins and the region's planners set them (what the tenant asked for on the phone or in a form);
an opt-out also skips the text messages still waiting, so nothing goes out after the tenant said
no. E-mail is not affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.notifications import Channel, Language, NotificationStatus
from sitecrew.services.scoping import get_changeable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Why a waiting text message was not sent.
OPTED_OUT = "the tenant opted out of text messages"


@dataclass(frozen=True)
class SetMessagePreferences:
    """The tenant's language (None: the region's) and SMS opt-out for one apartment."""

    apartment_id: int
    language: Language | None
    sms_opt_out: bool


@dataclass(frozen=True)
class MessagePreferences:
    """What is stored for the apartment, and how many waiting text messages the opt-out skipped."""

    apartment_id: int
    language: Language | None
    sms_opt_out: bool
    skipped: int = 0


def set_message_preferences(
    session: Session, principal: Principal, command: SetMessagePreferences
) -> MessagePreferences:
    """Store the tenant's language and SMS choice; an opt-out skips waiting text messages.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors (before anything is read).
    NotFoundError
        When the apartment does not exist or lies outside the planner's region.
    """
    with transaction(session):
        row = get_changeable(
            session,
            principal,
            m.Apartment,
            command.apartment_id,
            action="set a tenant's message preferences",
        )
        row.tenant_language = None if command.language is None else command.language.value
        row.sms_opt_out = command.sms_opt_out
        skipped = 0
        if command.sms_opt_out:
            result = session.execute(
                update(m.Notification)
                .where(
                    m.Notification.apartment_id == row.id,
                    m.Notification.channel == Channel.SMS.value,
                    m.Notification.status == NotificationStatus.PENDING.value,
                )
                .values(
                    status=NotificationStatus.SKIPPED.value,
                    last_error=OPTED_OUT,
                    next_attempt_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            skipped = int(result.rowcount)  # type: ignore[attr-defined]
        session.flush()
        return MessagePreferences(row.id, command.language, command.sms_opt_out, skipped)
