"""Messages to tenants: what they say, how they travel, and when a failed one is tried again.

A notification is written to the outbox in the same transaction as the change that causes it
(a confirmed window, a recorded visit), so a change that rolls back tells nobody, and a change
that commits is told at least once by the delivery worker. Each row is one message on one
channel; its ``key`` says which fact it tells (``confirmation:home:12:2026-05-04T08:00:email``),
so telling the same fact twice writes nothing, and the key travels with the message as its
idempotency key (an e-mail's ``Message-ID``, the SMS webhook's ``Idempotency-Key`` header).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sitecrew.errors import InvalidInputError


class NotificationKind(StrEnum):
    """Why a tenant is told something."""

    PROPOSAL = "proposal"
    CONFIRMATION = "confirmation"
    REMINDER = "reminder"
    ON_THE_WAY = "on_the_way"
    MISSED_VISIT = "missed_visit"
    COMPLETION = "completion"


class NotificationStatus(StrEnum):
    """Where a message is: waiting, being sent, sent, given up on, or never to be sent."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Channel(StrEnum):
    """How a message travels (``none``: a skipped message that had nowhere to go)."""

    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


class Language(StrEnum):
    """The languages messages are written in."""

    SWEDISH = "sv"
    NORWEGIAN = "nb"
    ENGLISH = "en"


#: Day names per language, Monday first (as ``date.weekday()`` counts).
WEEKDAY_NAMES: dict[Language, tuple[str, ...]] = {
    Language.ENGLISH: (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ),
    Language.SWEDISH: ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    Language.NORWEGIAN: ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
}
#: Month names per language, January first.
MONTH_NAMES: dict[Language, tuple[str, ...]] = {
    Language.ENGLISH: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    Language.SWEDISH: (
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ),
    Language.NORWEGIAN: (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
}

#: A region's time zone tells the language a tenant who chose none is written to in.
_ZONE_LANGUAGES = {
    "Europe/Stockholm": Language.SWEDISH,
    "Europe/Oslo": Language.NORWEGIAN,
}


def language_for(chosen: str | None, region_timezone: str | None) -> Language:
    """Return the tenant's own language, else the region's (Swedish, Norwegian), else English.

    An unknown stored value falls back the same way instead of failing a confirmation.
    """
    if chosen:
        try:
            return Language(chosen)
        except ValueError:
            pass
    return _ZONE_LANGUAGES.get(region_timezone or "", Language.ENGLISH)


def parse_language(value: str) -> Language:
    """Return the language a caller named (``sv``, ``nb``, ``en``; ``no`` means ``nb``).

    Raises
    ------
    InvalidInputError
        For any other value.
    """
    cleaned = value.strip().lower()
    cleaned = "nb" if cleaned == "no" else cleaned
    try:
        return Language(cleaned)
    except ValueError:
        allowed = ", ".join(language.value for language in Language)
        raise InvalidInputError(f"unknown language {value[:20]!r}; use one of {allowed}") from None


@dataclass(frozen=True)
class Backoff:
    """When a failed message is tried again: ``base_s`` doubled per attempt, at most ``max_s``.

    After ``max_attempts`` failed attempts the message is FAILED for good (planners see it).
    """

    base_s: float = 30.0
    max_s: float = 3600.0
    max_attempts: int = 6

    def __post_init__(self) -> None:
        if self.base_s <= 0 or self.max_s < self.base_s or self.max_attempts < 1:
            raise InvalidInputError("backoff needs 0 < base <= max and at least one attempt")

    def delay(self, attempts: int) -> timedelta:
        """Return the wait after the ``attempts``-th failed attempt (1, 2, ...)."""
        exponent = min(max(attempts - 1, 0), 30)  # 2**30 s is beyond any cap anyway
        return timedelta(seconds=min(self.base_s * 2**exponent, self.max_s))

    def gives_up(self, attempts: int) -> bool:
        """Tell whether ``attempts`` failed attempts are the last allowed."""
        return attempts >= self.max_attempts


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel sends: to whom, what, and the key that makes a repeat recognisable."""

    key: str
    recipient: str
    subject: str
    body: str
    language: Language


@dataclass(frozen=True)
class NotificationInfo:
    """One outbox message as planners see it (``recipient`` only for who may see contacts)."""

    id: int
    key: str
    region_id: int
    campaign_id: int | None
    apartment_id: int | None
    kind: NotificationKind
    channel: Channel
    language: Language
    status: NotificationStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    recipient: str | None
