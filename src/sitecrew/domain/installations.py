"""Installation projects: what an order to install new pieces at a site is, and its parts.

An order puts ``count`` pieces of one or more catalogue models in at one site within a wanted
window. It is done by jobs for two people (one bench is too heavy for one, and the anchors need
one to hold while the other fixes) with the van the crew travels in, so each job needs the
installation skill and a driver. A job's minutes are the setup (unloading, marking out the
places) plus each of its pieces' minutes, and a crew can do one crew-day of work at one stop:
an order bigger than that (a schoolyard's 12 benches and 4 tables) is split by the product into
*parts*, one job each, every part at most one crew-day (:func:`split_into_parts`). A sane upper
bound per order (:data:`MAX_PIECES`, :data:`MAX_PARTS`) keeps one order from flooding the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import DEFAULT_MINUTES, JobKind, JobStatus
from sitecrew.domain.rules import optional_notes, require_plausible_date, require_range
from sitecrew.errors import InvalidInputError


class InstallationTooLargeError(InvalidInputError):
    """An order above the bound per order (pieces or crew-days), or a piece above a crew-day."""


#: What an installation job is and needs: the installers' skill and a driver for the van.
INSTALL_KIND = JobKind.INSTALL_FURNITURE
INSTALL_SKILLS = frozenset({Skill.FURNITURE_INSTALLATION, Skill.DRIVING})
#: People an installation needs on site.
INSTALL_PEOPLE = 2
#: Unloading the van and marking out the places, once per order.
INSTALL_SETUP_MINUTES = 30
#: The care-jobs action of an installation job (what stamps its items).
INSTALL_ACTION = "install"
#: One crew-day of work (a 07:30-15:30 shift less lunch): the most one part (job) may take.
INSTALL_DAY_MINUTES = 450
#: Most models in one order, and most minutes one piece may take (with the setup: a crew-day).
MAX_LINES = 20
MAX_MINUTES_PER_PIECE = INSTALL_DAY_MINUTES - INSTALL_SETUP_MINUTES
#: Most pieces and most parts (crew-days) in one order: a bigger delivery is several orders.
MAX_PIECES = 200
MAX_PARTS = 20
MAX_COUNT = MAX_PIECES
#: The wanted window when none is given: four weeks from the region's today.
DEFAULT_WINDOW_DAYS = 27


@dataclass(frozen=True)
class InstallationLine:
    """``count`` pieces of catalogue model ``model_id``, each taking ``minutes_per_piece``."""

    model_id: int
    count: int
    minutes_per_piece: int = DEFAULT_MINUTES[INSTALL_KIND]

    def __post_init__(self) -> None:
        if self.count <= 0:
            raise InvalidInputError(f"count must be at least 1 piece, got {self.count}")
        require_range(self.count, "count", low=1, high=MAX_COUNT)
        require_range(  # with the setup, one piece fits one crew-day
            self.minutes_per_piece, "minutes per piece", low=1, high=MAX_MINUTES_PER_PIECE
        )


@dataclass(frozen=True)
class CreateInstallation:
    """Install the lines' pieces at ``site_id`` between ``wanted_from`` and ``wanted_to``.

    Without dates the window opens on the region's today and lasts four weeks; with only
    ``wanted_from`` it lasts four weeks from then.
    """

    site_id: int
    lines: tuple[InstallationLine, ...]
    wanted_from: date | None = None
    wanted_to: date | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidInputError("an installation needs at least one model and count")
        if len(self.lines) > MAX_LINES:
            raise InvalidInputError(f"an installation names at most {MAX_LINES} models")
        models = [line.model_id for line in self.lines]
        if len(set(models)) != len(models):
            raise InvalidInputError("name each model once, with its whole count")
        require_plausible_date(self.wanted_from, "wanted from")
        require_plausible_date(self.wanted_to, "wanted to")
        if self.wanted_from and self.wanted_to and self.wanted_to < self.wanted_from:
            msg = f"the wanted window ends ({self.wanted_to}) before it starts ({self.wanted_from})"
            raise InvalidInputError(msg)
        optional_notes(self.notes, "notes")
        if pieces(self.lines) > MAX_PIECES:
            msg = f"an installation puts in at most {MAX_PIECES} pieces, not {pieces(self.lines)}"
            raise InstallationTooLargeError(msg)
        days = len(split_into_parts(self.lines))
        if days > MAX_PARTS:
            msg = (
                f"{pieces(self.lines)} pieces take {days} crew-days, more than {MAX_PARTS} "
                "in one installation; order the delivery as several installations"
            )
            raise InstallationTooLargeError(msg)

    def window(self, today: date) -> tuple[date, date]:
        """Return the wanted window, its open ends filled from ``today``.

        Raises
        ------
        InvalidInputError
            When only ``wanted_to`` is given and it lies before ``today``.
        """
        start = self.wanted_from or today
        end = self.wanted_to or start + timedelta(days=DEFAULT_WINDOW_DAYS)
        if end < start:
            raise InvalidInputError(f"the wanted window ends ({end}) before it starts ({start})")
        return start, end


def pieces(lines: tuple[InstallationLine, ...]) -> int:
    """Return how many pieces the lines put in."""
    return sum(line.count for line in lines)


def job_minutes(lines: tuple[InstallationLine, ...]) -> int:
    """Return one job's minutes: the setup once, then each piece's minutes."""
    return INSTALL_SETUP_MINUTES + sum(line.count * line.minutes_per_piece for line in lines)


def split_into_parts(
    lines: tuple[InstallationLine, ...],
) -> tuple[tuple[InstallationLine, ...], ...]:
    """Return the order's parts: each part's lines, every part at most one crew-day of work.

    Deterministic and greedy: lines in the order given, each part filled with pieces up to
    the crew-day (setup plus its pieces' minutes) before the next part opens; a line may split
    across parts. An order within one crew-day is one part with all its lines.
    """
    parts: list[tuple[InstallationLine, ...]] = []
    current: list[InstallationLine] = []
    minutes = INSTALL_SETUP_MINUTES
    for line in lines:
        left = line.count
        while left:
            fit = min(left, (INSTALL_DAY_MINUTES - minutes) // line.minutes_per_piece)
            if fit == 0:  # the part is full (a piece alone always fits an empty part)
                parts.append(tuple(current))
                current, minutes = [], INSTALL_SETUP_MINUTES
                continue
            current.append(InstallationLine(line.model_id, fit, line.minutes_per_piece))
            minutes += fit * line.minutes_per_piece
            left -= fit
    if current:
        parts.append(tuple(current))
    return tuple(parts)


def order_status(parts: list[JobStatus]) -> JobStatus:
    """Return an order's status from its parts' job statuses.

    Every part cancelled: cancelled. A part still to do (open, scheduled, blocked, in progress):
    in progress once any part is done or under way, else scheduled when any is, else open (a
    blocked part alone keeps the order open). Nothing left to do and some part done: done, also
    when the rest was cancelled (a partly installed order cancelled keeps what is installed).
    """
    if not parts or all(status is JobStatus.CANCELLED for status in parts):
        return JobStatus.CANCELLED
    final = {JobStatus.DONE, JobStatus.CANCELLED}
    if all(status in final for status in parts):
        return JobStatus.DONE
    if any(status in {JobStatus.DONE, JobStatus.IN_PROGRESS} for status in parts):
        return JobStatus.IN_PROGRESS
    if any(status is JobStatus.SCHEDULED for status in parts):
        return JobStatus.SCHEDULED
    return JobStatus.OPEN


@dataclass(frozen=True)
class InstallationPart:
    """One part of an order: its job, number (from 1), pieces per model and the job's status."""

    part: int
    job_id: int
    pieces: tuple[InstallationLine, ...]
    status: JobStatus
    installed_on: date | None


@dataclass(frozen=True)
class Installation:
    """An order as stored: its site, parts and status, window, lines and install day.

    ``installed_on`` is the day its last part was done (null while a part is still to do);
    ``version`` is the sum of its parts' job versions, so any change to any part moves it.
    """

    id: int
    region_id: int
    site_id: int
    parts: tuple[InstallationPart, ...]
    status: JobStatus
    wanted_from: date
    wanted_to: date
    lines: tuple[InstallationLine, ...]
    notes: str | None
    installed_on: date | None
    furniture_ids: tuple[int, ...]
    version: int

    @property
    def pieces(self) -> int:
        """How many pieces the order puts in."""
        return pieces(self.lines)
