"""What a caller asks of jobs and appointments: one small command per use case.

A command carries parsed, typed input (ids as integers, windows as :class:`TimeWindow`) and
checks at construction what needs neither the database nor the clock. Rules that need stored
rows (access, overlapping appointments, versions) or the time of the request live with the use
case in ``services/jobs.py``; :func:`check_window_timing` is the clock rule they apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import (
    DEFAULT_MINUTES,
    DEFAULT_SKILLS,
    Job,
    JobKind,
    JobStatus,
    JobTarget,
    TimeWindow,
)
from sitecrew.errors import InvalidInputError

#: The longest visit window a tenant can be asked to wait in: one working day.
MAX_WINDOW = timedelta(hours=12)
#: How far back a new window may start: a visit agreed this morning can still be recorded, a
#: visit in a past year cannot (it would never be planned and only hides a typo).
PAST_GRACE = timedelta(hours=24)
#: How far ahead a window may start: nobody books a tenant visit two years out.
MAX_AHEAD = timedelta(days=731)


@dataclass(frozen=True)
class CreateJob:
    """Create a job at one target; duration and skills default to the kind's."""

    kind: JobKind
    target: JobTarget
    region_id: int
    duration_minutes: int | None = None
    required_skills: frozenset[Skill] | None = None
    priority: int = 3
    due_on: date | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        self.to_job()

    def to_job(self) -> Job:
        """Return the job to store (validated by :class:`Job` itself).

        Raises
        ------
        InvalidInputError
            When the duration, priority, due date or notes break the job's rules.
        """
        minutes = self.duration_minutes
        skills = self.required_skills
        return Job(
            self.kind,
            self.target,
            self.region_id,
            DEFAULT_MINUTES[self.kind] if minutes is None else minutes,
            DEFAULT_SKILLS[self.kind] if skills is None else skills,
            self.priority,
            self.due_on,
            notes=self.notes,
        )


@dataclass(frozen=True)
class ChangeJobStatus:
    """Move a job to ``status``; ``version`` is the one the caller read.

    ``done_on`` is the day the work was done when it is reported later (a crew catching up on
    Friday's jobs on Monday, a replay of a year); only with ``DONE``. Default: the region's
    today.
    """

    job_id: int
    status: JobStatus
    version: int
    done_on: date | None = None

    def __post_init__(self) -> None:
        if self.done_on is not None and self.status is not JobStatus.DONE:
            raise InvalidInputError("a day the work was done goes only with the status done")


@dataclass(frozen=True)
class BookAppointment:
    """Book a confirmed visit window with the tenant for a job."""

    job_id: int
    window: TimeWindow
    notes: str | None = None

    def __post_init__(self) -> None:
        check_window_length(self.window)


@dataclass(frozen=True)
class RescheduleAppointment:
    """Move an appointment to a new window; ``version`` is the one the caller read."""

    appointment_id: int
    version: int
    window: TimeWindow

    def __post_init__(self) -> None:
        check_window_length(self.window)


@dataclass(frozen=True)
class CancelAppointment:
    """Cancel an appointment; ``version`` is the one the caller read."""

    appointment_id: int
    version: int


def check_window_length(window: TimeWindow) -> None:
    """Refuse a visit window longer than :data:`MAX_WINDOW`.

    A window of days tells the tenant nothing and lets the planner put the visit anywhere.

    Raises
    ------
    InvalidInputError
        Naming the window's length and the limit.
    """
    length = window.end - window.start
    if length > MAX_WINDOW:
        hours = MAX_WINDOW.total_seconds() / 3600
        msg = f"an appointment window may last at most {hours:g} hours, got {length}"
        raise InvalidInputError(msg)


def check_window_timing(window: TimeWindow, now: datetime) -> None:
    """Refuse a new window far in the past or far ahead of ``now``.

    Raises
    ------
    InvalidInputError
        When the window starts more than :data:`PAST_GRACE` before ``now`` or more than
        :data:`MAX_AHEAD` after it.
    """
    if window.start < now - PAST_GRACE:
        msg = f"the window starts at {window.start.isoformat()}, in the past; pick a future time"
        raise InvalidInputError(msg)
    if window.start > now + MAX_AHEAD:
        msg = f"the window starts at {window.start.isoformat()}, more than two years ahead"
        raise InvalidInputError(msg)
