"""An installation campaign: every home in a scope visited once, within a year, by appointment.

The words shared by the sweep planner (:mod:`sitecrew.campaigns`), the services that store a
campaign and the API. A campaign's *sweep* gives every home in scope a day, a crew and a two-hour
window; each day's visits then become jobs with appointment windows that the day planner routes.
A visit ends with an :class:`VisitOutcome`; failed visits come back to the sweep as re-visits
until a home has failed ``max_failed_attempts`` times and is escalated to the planner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from statistics import NormalDist

from sitecrew.domain.calendars import Shift

#: The highest on-time confidence a plan may ask for (1.0 would need an infinite reserve).
MAX_CONFIDENCE = 0.99


class CampaignStatus(StrEnum):
    """Where a campaign stands."""

    DRAFT = "draft"  # scope and crews may change; nothing is planned yet
    ACTIVE = "active"  # planned and running
    COMPLETED = "completed"  # every home done or escalated
    CANCELLED = "cancelled"


class HomeState(StrEnum):
    """Where one home of a campaign stands."""

    PENDING = "pending"  # not yet given a day (new, or its visit failed / did not fit)
    PROPOSED = "proposed"  # has a day, crew and window the tenant has not confirmed
    CONFIRMED = "confirmed"  # the tenant knows the window: re-planning leaves it alone
    DONE = "done"
    ESCALATED = "escalated"  # failed too often: the planner decides what happens


class VisitOutcome(StrEnum):
    """How a visit ended (with the actual start and end time)."""

    DONE = "done"
    NO_SHOW = "no_show"  # nobody home at the agreed time
    NO_ACCESS = "no_access"  # could not get in (locked stairwell, dog, ...)
    REFUSED = "refused"  # the tenant refused the installation
    NEEDS_FOLLOW_UP = "needs_follow_up"  # a technical problem: someone must come back

    @property
    def failed(self) -> bool:
        """Whether the home still needs a visit after this one."""
        return self is not VisitOutcome.DONE


@dataclass(frozen=True)
class ServiceTimeModel:
    """Expected minutes on site: per apartment, plus a setup once per entrance (stairwell) a day.

    Learned as the campaign runs (recorded actual durations replace the planner's first guess).
    A crew-day is a row of *attempts*: some end at the door in a few minutes (``door_share`` of
    them), the rest take ``minutes_per_home`` give or take ``minutes_sd``. Planning every
    attempt as a full visit leaves the door share of each day idle; planning the mean attempt
    alone overruns the shift on half the days. :meth:`planned_minutes` sits between the two.
    """

    minutes_per_home: float = 30.0
    setup_minutes_per_entrance: float = 10.0
    #: Share of attempts that end at the door (nobody home, no access, refused).
    door_share: float = 0.0
    #: Minutes an attempt that ends at the door takes (ring, wait, leave a note).
    door_minutes: float = 5.0
    #: Spread (standard deviation) of a successful visit's minutes.
    minutes_sd: float = 0.0

    @property
    def attempt_minutes(self) -> float:
        """Return the expected minutes of one attempt (successful or not)."""
        share = self.door_share
        return (1.0 - share) * self.minutes_per_home + share * self.door_minutes

    @property
    def attempt_sd(self) -> float:
        """Return the standard deviation of one attempt's minutes (a two-outcome mixture)."""
        share, mean = self.door_share, self.attempt_minutes
        second = (1.0 - share) * (self.minutes_sd**2 + self.minutes_per_home**2) + share * (
            self.door_minutes**2
        )
        return math.sqrt(max(second - mean**2, 0.0))

    def planned_minutes(self, confidence: float, day_minutes: float) -> float:
        """Return the minutes to plan per attempt so that a full day ends in time as often as asked.

        A crew-day of ``n`` attempts takes ``n * mean`` minutes give or take ``sqrt(n) * sd``
        (independent attempts; normal approximation). Planning ``mean + z * sd / sqrt(n)`` per
        attempt, with ``n`` the attempts a day of ``day_minutes`` holds and ``z`` the normal
        quantile of ``confidence``, keeps such a day within its minutes with that probability:
        a chance constraint made additive, so that the sweep can pack homes one by one.
        ``confidence`` 0.5 plans the mean attempt; higher values keep a reserve.
        """
        mean = self.attempt_minutes
        z = NormalDist().inv_cdf(min(max(confidence, 0.5), MAX_CONFIDENCE))
        attempts = max(math.floor(day_minutes / mean), 1) if mean > 0 else 1
        return mean + z * self.attempt_sd / math.sqrt(attempts)


@dataclass(frozen=True)
class FixedVisit:
    """A window the tenant already knows: the sweep keeps it unless the planner moves it."""

    day: date
    crew_id: int
    window_start: time
    window_end: time


@dataclass(frozen=True)
class SweepHome:
    """One home the sweep must place.

    ``owner_id`` is the contractor organisation that owns the home's district (None: the
    housing company's own crews serve it). ``entrance`` numbers the stairwell within the building
    (0 when unknown); homes of one entrance are visited in one go, one setup for all of them.
    ``street`` groups buildings of one street into the same week.
    """

    apartment_id: int
    building_id: int
    lon: float
    lat: float
    street: str = ""
    entrance: int = 0
    floor: int | None = None
    unit: str = ""
    district_id: int | None = None
    owner_id: int | None = None
    minutes: float = 30.0
    fixed: FixedVisit | None = None
    earliest: date | None = None  # a re-visit waits until this day (the crew is back later)


@dataclass(frozen=True)
class SweepCrew:
    """A crew the sweep may give days to.

    ``contractor_id`` is its contractor organisation (None: the housing company's own crew); a
    crew serves exactly the homes whose ``owner_id`` equals its ``contractor_id``. ``days`` are its
    working days in the horizon with that day's shift (calendar, holidays, absences and the
    training week already applied); ``visits_per_day`` is the campaign's target for a crew-day.
    """

    crew_id: int
    depot_lon: float
    depot_lat: float
    days: Mapping[date, Shift]
    visits_per_day: int
    contractor_id: int | None = None


@dataclass(frozen=True)
class SweepSettings:
    """What bounds a sweep: the horizon, the share of each day kept free, the window length."""

    start: date
    deadline: date
    setup_minutes_per_entrance: float = 10.0
    #: Share of each crew-day's minutes kept free for re-visits (0.0-0.9).
    revisit_share: float = 0.1
    #: Days before this one keep nothing free: the next re-plan comes no earlier, so every
    #: re-visit they can take is already known and the sweep places it itself. None: every day
    #: keeps the share.
    revisits_unknown_from: date | None = None
    window_minutes: int = 120
    #: Minutes allowed for moving between two buildings of one day (travel is routed later).
    minutes_between_buildings: float = 8.0
    #: Minutes of a crew's shift that are not work at the door (lunch, driving out and back).
    minutes_off_per_day: float = 60.0


@dataclass(frozen=True)
class SweepVisit:
    """One home's place in the sweep: day, crew, window and order within the crew's day."""

    apartment_id: int
    day: date
    crew_id: int
    window_start: time
    window_end: time
    order: int
    fixed: bool = False


@dataclass(frozen=True)
class SweepPlan:
    """The sweep's answer: a visit per placed home, and each home it could not place with why."""

    visits: tuple[SweepVisit, ...]
    unplaced: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitRecord:
    """One finished visit, as the forecast reads history."""

    day: date
    crew_id: int
    outcome: VisitOutcome
    started_at: datetime | None = None
    ended_at: datetime | None = None
