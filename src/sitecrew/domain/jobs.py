"""Jobs, appointments and maintenance records, with the job lifecycle.

The lifecycle lives here so that every edge (GraphQL, CLI, planner) enforces the same
transitions; the database only checks that a status is one of the known values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sitecrew.domain.crews import Skill
from sitecrew.domain.rules import optional_notes, require_plausible_date, require_range
from sitecrew.errors import IllegalTransitionError, InvalidInputError


class JobKind(StrEnum):
    """What a job is; each kind has a default duration and required skills."""

    INSTALL_FURNITURE = "install_furniture"
    OIL = "oil"
    REPAIR = "repair"
    INSPECT = "inspect"
    INSTALL_MEDIA_BOX = "install_media_box"


class JobStatus(StrEnum):
    """Where a job is in its lifecycle."""

    OPEN = "open"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


#: Allowed status changes. DONE and CANCELLED are final; BLOCKED (no access, part missing)
#: goes back to OPEN to be planned again.
ALLOWED_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.OPEN: frozenset({JobStatus.SCHEDULED, JobStatus.CANCELLED}),
    JobStatus.SCHEDULED: frozenset(
        {JobStatus.OPEN, JobStatus.IN_PROGRESS, JobStatus.CANCELLED, JobStatus.BLOCKED}
    ),
    JobStatus.IN_PROGRESS: frozenset({JobStatus.DONE, JobStatus.BLOCKED}),
    JobStatus.BLOCKED: frozenset({JobStatus.OPEN, JobStatus.CANCELLED}),
    JobStatus.DONE: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}

#: Default on-site minutes and skills per job kind (the planner's service durations).
DEFAULT_MINUTES: dict[JobKind, int] = {
    JobKind.INSTALL_FURNITURE: 90,
    JobKind.OIL: 25,
    JobKind.REPAIR: 45,
    JobKind.INSPECT: 10,
    JobKind.INSTALL_MEDIA_BOX: 30,
}
DEFAULT_SKILLS: dict[JobKind, frozenset[Skill]] = {
    JobKind.INSTALL_FURNITURE: frozenset({Skill.FURNITURE_INSTALLATION}),
    JobKind.OIL: frozenset({Skill.OILING}),
    JobKind.REPAIR: frozenset({Skill.CARPENTRY}),
    JobKind.INSPECT: frozenset({Skill.INSPECTION}),
    JobKind.INSTALL_MEDIA_BOX: frozenset({Skill.MEDIA_BOX}),
}


def check_transition(current: JobStatus, new: JobStatus) -> None:
    """Raise unless a job may go from ``current`` to ``new``.

    Raises
    ------
    IllegalTransitionError
        Naming both statuses and the allowed next ones.
    """
    allowed = ALLOWED_TRANSITIONS[current]
    if new not in allowed:
        options = ", ".join(sorted(status.value for status in allowed)) or "none (final)"
        msg = f"a job cannot go from {current.value} to {new.value}; allowed: {options}"
        raise IllegalTransitionError(msg)


@dataclass(frozen=True)
class JobTarget:
    """What a job is done to: exactly one furniture item, apartment or site."""

    furniture_id: int | None = None
    apartment_id: int | None = None
    site_id: int | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.furniture_id, self.apartment_id, self.site_id) if v is not None]
        if len(given) != 1:
            msg = f"a job needs exactly one target (furniture, apartment or site), got {len(given)}"
            raise InvalidInputError(msg)


@dataclass(frozen=True)
class Job:
    """A piece of work at one target, planned onto a crew's route."""

    kind: JobKind
    target: JobTarget
    region_id: int
    duration_minutes: int
    required_skills: frozenset[Skill] = frozenset()
    priority: int = 3
    due_on: date | None = None
    status: JobStatus = JobStatus.OPEN
    version: int = 1
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_range(self.duration_minutes, "duration minutes", low=1, high=24 * 60)
        require_range(self.priority, "priority", low=1, high=5)
        require_plausible_date(self.due_on, "due date")
        optional_notes(self.notes, "job notes")


class AppointmentStatus(StrEnum):
    """An appointment agreed with a tenant."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@dataclass(frozen=True)
class TimeWindow:
    """A time span with its start strictly before its end, both timezone-aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInputError("time window bounds must carry a timezone")
        require_plausible_date(self.start, "window start")
        require_plausible_date(self.end, "window end")
        if self.end <= self.start:
            raise InvalidInputError("a time window must end after it starts")


@dataclass(frozen=True)
class Appointment:
    """A visit time agreed with a tenant for a job."""

    job_id: int
    window: TimeWindow
    status: AppointmentStatus = AppointmentStatus.PROPOSED
    notes: str | None = None
    #: The row version: reschedules and cancellations send it back (optimistic locking).
    version: int = 1
    id: int | None = None

    def __post_init__(self) -> None:
        optional_notes(self.notes, "appointment notes")


class MaintenanceAction(StrEnum):
    """What was done to a furniture item."""

    OILED = "oiled"
    REPAIRED = "repaired"
    INSTALLED = "installed"
    INSPECTED = "inspected"
    REPLACED_PART = "replaced_part"


class WearType(StrEnum):
    """Kinds of wear reported back to the maker's product development."""

    NONE = "none"
    WEATHERING = "weathering"
    CRACKING = "cracking"
    ROT = "rot"
    RUST = "rust"
    LOOSE_FIXINGS = "loose_fixings"
    VANDALISM = "vandalism"
    GRAFFITI = "graffiti"
    OTHER = "other"


@dataclass(frozen=True)
class MaintenanceRecord:
    """What was done to an item and what wear was seen (severity 0 none .. 3 severe)."""

    furniture_id: int
    performed_on: date
    action: MaintenanceAction
    wear_type: WearType = WearType.NONE
    severity: int = 0
    notes: str | None = None
    job_id: int | None = None
    crew_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_range(self.severity, "severity", low=0, high=3)
        require_plausible_date(self.performed_on, "maintenance date")
        optional_notes(self.notes, "maintenance notes")
        if self.wear_type is WearType.NONE and self.severity > 0:
            raise InvalidInputError("a wear severity above 0 needs a wear type")
