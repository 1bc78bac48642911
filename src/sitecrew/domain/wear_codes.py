"""Wear and failure codes per product family, and repairs coded with them.

A code list per family (bench, table, ...) has four levels: the part (a bench's slats), the
failure mode of that part (cracking), and under each failure mode the causes (sun exposure) and
the remedies (replace the slat). Causes and remedies hang under the failure mode, not under each
other, because both depend on what failed and not on one another: a cracked slat is replaced
whether the sun or a skateboard cracked it. A repair names one code of each level, and the
combination is valid only along that tree; this is what lets product development count failures
per part and mode instead of reading free text.

Every code has a path inside its family ("slats", "slats/cracking", "slats/cracking/sun_exposure")
that is unique per level: the CLI and the API name codes by it, and a code, once used, is
retired rather than deleted, so that old repairs keep their meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sitecrew.domain.rules import optional_notes, require_plausible_date, require_text
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.errors import InvalidInputError

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,47}")
LABEL_MAX = 200


class WearLevel(StrEnum):
    """The level of a wear code in its family's tree."""

    PART = "part"
    FAILURE_MODE = "failure_mode"
    CAUSE = "cause"
    REMEDY = "remedy"


#: The level a code's parent has (a part has none).
PARENT_LEVEL: dict[WearLevel, WearLevel | None] = {
    WearLevel.PART: None,
    WearLevel.FAILURE_MODE: WearLevel.PART,
    WearLevel.CAUSE: WearLevel.FAILURE_MODE,
    WearLevel.REMEDY: WearLevel.FAILURE_MODE,
}


def require_code(code: str, what: str = "wear code") -> None:
    """Raise unless ``code`` is a lower-case identifier (letters, digits, underscores).

    Raises
    ------
    InvalidInputError
        Naming the code and the allowed form.
    """
    if not CODE_PATTERN.fullmatch(code):
        msg = (
            f"{what} {code!r} must be lower-case letters, digits and _ (at most 48, a letter first)"
        )
        raise InvalidInputError(msg)


def child_path(parent_path: str | None, code: str) -> str:
    """Return the path of ``code`` under ``parent_path`` (a part's path is its code)."""
    return code if parent_path is None else f"{parent_path}/{code}"


@dataclass(frozen=True)
class WearCode:
    """One code of a family's list."""

    family: FurnitureCategory
    level: WearLevel
    code: str
    label: str
    path: str
    parent_id: int | None = None
    retired: bool = False
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_code(self.code)
        require_text(self.label, "wear code label", max_length=LABEL_MAX)
        parent_level = PARENT_LEVEL[self.level]
        if parent_level is None and self.parent_id is not None:
            raise InvalidInputError("a part code has no parent")
        if parent_level is not None and self.parent_id is None:
            msg = f"a {self.level.value} code needs a parent {parent_level.value} code"
            raise InvalidInputError(msg)


@dataclass(frozen=True)
class WearCoding:
    """What a repair was about, by code: part, failure mode, cause and remedy."""

    part: str
    failure_mode: str
    cause: str
    remedy: str

    def __post_init__(self) -> None:
        for level, code in self.by_level().items():
            require_code(code, level.value.replace("_", " "))

    def by_level(self) -> dict[WearLevel, str]:
        """Return the codes keyed by their level."""
        return {
            WearLevel.PART: self.part,
            WearLevel.FAILURE_MODE: self.failure_mode,
            WearLevel.CAUSE: self.cause,
            WearLevel.REMEDY: self.remedy,
        }

    def path(self, level: WearLevel) -> str:
        """Return the path the code of ``level`` must have in the family's list."""
        mode = f"{self.part}/{self.failure_mode}"
        return {
            WearLevel.PART: self.part,
            WearLevel.FAILURE_MODE: mode,
            WearLevel.CAUSE: f"{mode}/{self.cause}",
            WearLevel.REMEDY: f"{mode}/{self.remedy}",
        }[level]


@dataclass(frozen=True)
class Repair:
    """A repair of one item on a job, coded (the code ids are filled in when stored)."""

    furniture_id: int
    job_id: int
    performed_on: date
    coding: WearCoding
    notes: str | None = None
    crew_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_plausible_date(self.performed_on, "repair date")
        optional_notes(self.notes, "repair notes")
