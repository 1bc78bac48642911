"""Appointment offers: the question (which apartment, which days) and the answer (windows).

An offer is a window a tenant can be told because a crew can really make it: the visit fits
into that crew's current day without breaking a confirmed appointment, its shift or its break
(see :mod:`sitecrew.routing.insertion`). Offers are graded by what they cost the crew, so the
cheapest windows, and first those next to a visit already planned in the same building, come
first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sitecrew.errors import InvalidInputError

#: Days one question may span (the first and last day included): two working weeks.
MAX_OFFER_DAYS = 14
#: Most offers one answer holds.
MAX_OFFERS = 50


@dataclass(frozen=True)
class OfferQuery:
    """Offers for one apartment between two days (both included), at most ``limit`` of them.

    Raises
    ------
    InvalidInputError
        When the days run backwards, span more than :data:`MAX_OFFER_DAYS`, or the limit is
        outside ``1..MAX_OFFERS``.
    """

    apartment_id: int
    first_day: date
    last_day: date
    limit: int = 10

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            msg = f"'from' ({self.first_day}) is after 'to' ({self.last_day})"
            raise InvalidInputError(msg)
        days = (self.last_day - self.first_day).days + 1
        if days > MAX_OFFER_DAYS:
            msg = f"offers span at most {MAX_OFFER_DAYS} days; {days} were asked for"
            raise InvalidInputError(msg)
        if not 1 <= self.limit <= MAX_OFFERS:
            raise InvalidInputError(f"limit must be between 1 and {MAX_OFFERS}, got {self.limit}")

    @property
    def days(self) -> list[date]:
        """Every day asked about, in order."""
        return [
            date.fromordinal(d)
            for d in range(self.first_day.toordinal(), self.last_day.toordinal() + 1)
        ]


@dataclass(frozen=True)
class AppointmentOffer:
    """A window a crew can make, and what adding the visit costs its day.

    ``extra_travel_s`` is the detour the visit adds to the crew's route; ``extra_time_s`` how
    much longer the crew works (detour, setup and the visit itself); ``same_building`` says the
    visit comes next to an already planned visit in the same building.
    """

    day: date
    window_start: datetime
    window_end: datetime
    crew_id: int
    crew_name: str
    extra_travel_s: int
    extra_time_s: int
    same_building: bool
