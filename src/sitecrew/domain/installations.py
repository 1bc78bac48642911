"""Installation projects: what an order to install new pieces at a site is, and its job's size.

An order puts ``count`` pieces of one or more catalogue models in at one site within a wanted
window. It is done by one job: two people (one bench is too heavy for one, and the anchors need
one to hold while the other fixes) with the van the crew travels in, so the job needs the
installation skill and a driver. Its minutes are the setup (unloading, marking out the places)
plus each piece's minutes; one order is one crew-day at most, so a bigger delivery is split into
orders a crew can finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sitecrew.domain.crews import Skill
from sitecrew.domain.jobs import DEFAULT_MINUTES, JobKind, JobStatus
from sitecrew.domain.rules import optional_notes, require_plausible_date, require_range
from sitecrew.errors import InvalidInputError

#: What an installation job is and needs: the installers' skill and a driver for the van.
INSTALL_KIND = JobKind.INSTALL_FURNITURE
INSTALL_SKILLS = frozenset({Skill.FURNITURE_INSTALLATION, Skill.DRIVING})
#: People an installation needs on site.
INSTALL_PEOPLE = 2
#: Unloading the van and marking out the places, once per order.
INSTALL_SETUP_MINUTES = 30
#: The care-jobs action of an installation job (what stamps its items).
INSTALL_ACTION = "install"
#: One crew-day of work (a 07:30-15:30 shift less lunch): a bigger order cannot be planned.
INSTALL_DAY_MINUTES = 450
#: Most models, pieces of one model in one order, and most minutes one piece may take.
MAX_LINES = 20
MAX_COUNT = 50
#: Most pieces in one order (two people in one day: more than enough).
MAX_PIECES = 50
MAX_MINUTES_PER_PIECE = 8 * 60
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
        require_range(
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
            raise InvalidInputError(msg)
        minutes = job_minutes(self.lines)
        if minutes > INSTALL_DAY_MINUTES:
            msg = (
                f"{pieces(self.lines)} pieces take {minutes} min, more than one crew-day "
                f"({INSTALL_DAY_MINUTES} min); split the delivery into several installations"
            )
            raise InvalidInputError(msg)

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
    """Return the job's minutes: the setup once, then each piece's minutes."""
    return INSTALL_SETUP_MINUTES + sum(line.count * line.minutes_per_piece for line in lines)


@dataclass(frozen=True)
class Installation:
    """An order as stored: its site, job and the job's status, window, lines and install day."""

    id: int
    region_id: int
    site_id: int
    job_id: int
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
