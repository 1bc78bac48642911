"""What an import did with each row: a rejects file to fix, a report file to review.

Every row read ends in exactly one outcome (created, updated, unchanged or rejected), so the
counts always add up to the rows read: a row is never dropped silently. The rejected rows go to
``FILE.rejects.csv``, which a person fixes and imports again; the report file
(``FILE.report.csv``) has one line per row read with that outcome and how the row's address was
matched (quality, score, the OSM address and its ``osm_ref``, a differing postcode), so a
housing company can check every fuzzy match before trusting it.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sitecrew.services.imports.reading import REJECT_COLUMNS

if TYPE_CHECKING:
    from sitecrew.domain.organisations import Region
    from sitecrew.services.imports.reading import RegisterFile, SourceRow

#: The columns of ``FILE.report.csv``, in order.
REPORT_COLUMNS = (
    "line", "outcome", "key", "match_quality", "match_score", "matched_address", "osm_ref",
    "postcode_differs", "reason",
)  # fmt: skip


class Outcome(StrEnum):
    """What happened to one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Rejection:
    """A refused row: where it is in the file, why, and its cells as read."""

    line: int
    reason: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class AddressNote:
    """How a row's place was found, as the report file shows it.

    ``quality`` is the address match's (``exact``, ``normalised``, ``fuzzy``) or ``lonlat``
    for a row that gave coordinates; the rest is empty for ``lonlat``.
    """

    quality: str
    #: Similarity of the street names, 0 to 100 (``None`` for coordinates).
    score: float | None = None
    #: The matched address as OSM has it: ``"Thorvald Meyers gate 12B, 0555 Oslo"``.
    address: str = ""
    #: The matched OSM address point: ``node/123`` or ``way/456``.
    osm_ref: str = ""
    #: The register's postcode disagreed with OSM's (the match was made on street and number).
    postcode_differs: bool = False


#: The note of a row placed by its own coordinates.
LONLAT = AddressNote("lonlat")


@dataclass(frozen=True)
class RowLine:
    """One line of the report file: a row read, its outcome and how it was placed."""

    line: int
    outcome: Outcome
    key: str
    note: AddressNote | None
    reason: str

    def cells(self) -> tuple[str, ...]:
        """Return the line's cells in the order of :data:`REPORT_COLUMNS`."""
        note = self.note
        if note is None:
            matched: tuple[str, ...] = ("", "", "", "", "")
        else:
            score = "" if note.score is None else f"{round(note.score, 1):g}"
            differs = "yes" if note.postcode_differs else "no"
            matched = (note.quality, score, note.address, note.osm_ref, differs)
        return (str(self.line), self.outcome.value, self.key, *matched, self.reason)


@dataclass
class Tally:
    """The outcome of every row so far, filled while an import plans its writes."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    #: Match quality of each matched address (``exact``, ``normalised``, ``fuzzy``, ``lonlat``).
    qualities: Counter[str] = field(default_factory=Counter)
    #: Further counts a kind reports (``buildings created``, ``crews updated`` ...).
    extra: Counter[str] = field(default_factory=Counter)
    #: How each row's place was found, by line (rows without an address or point have none).
    notes: dict[int, AddressNote] = field(default_factory=dict)

    def reject(self, row: SourceRow, reason: str) -> None:
        """Record ``row`` as refused for ``reason`` (a later call for the same row wins)."""
        self.rejections = [r for r in self.rejections if r.line != row.line]
        self.rejections.append(Rejection(row.line, reason, row.cells))
        self.outcomes[row.line] = Outcome.REJECTED

    def record(self, row: SourceRow, outcome: Outcome) -> None:
        """Record the outcome of an accepted row."""
        self.outcomes[row.line] = outcome

    def note(self, row: SourceRow, note: AddressNote) -> None:
        """Record how ``row``'s place was found (kept when the row is rejected later)."""
        self.notes[row.line] = note

    def is_rejected(self, row: SourceRow) -> bool:
        """Tell whether ``row`` was refused already."""
        return self.outcomes.get(row.line) is Outcome.REJECTED


@dataclass(frozen=True)
class ImportReport:
    """The result of one import: counts, rejected rows, and whether anything was written."""

    kind: str
    file_name: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejections: tuple[Rejection, ...]
    qualities: dict[str, int]
    extra: dict[str, int]
    dry_run: bool
    #: ``--strict`` found rejected rows and wrote nothing.
    refused: bool
    #: Every row read, in the file's order (what ``FILE.report.csv`` holds).
    rows: tuple[RowLine, ...] = ()
    #: Where the rejected rows were written (``None`` when none were rejected).
    rejects_path: Path | None = None
    #: Where the report of every row was written.
    report_path: Path | None = None

    @property
    def written(self) -> bool:
        """Tell whether the import's changes were committed."""
        return not (self.dry_run or self.refused)

    def counts(self) -> dict[str, int]:
        """Return the counts only (what the personal-data log keeps)."""
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def report_from_tally(
    tally: Tally,
    register: RegisterFile,
    *,
    kind: str,
    file_name: str,
    dry_run: bool,
    strict: bool,
    key: Callable[[SourceRow], str],
) -> ImportReport:
    """Summarise a finished plan; every row read must have exactly one outcome.

    ``key`` names a row in the report file (its ``external_ref``, ``serial`` ...).

    Raises
    ------
    AssertionError
        When a row has no outcome: a bug, and the import must not commit then.
    """
    counts = Counter(tally.outcomes.values())
    rows_read = len(register.rows)
    lines = {row.line for row in register.rows}
    if set(tally.outcomes) != lines or sum(counts.values()) != rows_read:
        missing = sorted(lines - set(tally.outcomes))[:5]
        msg = f"import bug: rows without an outcome (lines {missing}); nothing was written"
        raise AssertionError(msg)
    rejected = counts[Outcome.REJECTED]
    reasons = {rejection.line: rejection.reason for rejection in tally.rejections}
    rows = tuple(
        RowLine(
            row.line,
            tally.outcomes[row.line],
            key(row),
            tally.notes.get(row.line),
            reasons.get(row.line, ""),
        )
        for row in register.rows
    )
    return ImportReport(
        kind=kind,
        file_name=file_name,
        rows_read=rows_read,
        created=counts[Outcome.CREATED],
        updated=counts[Outcome.UPDATED],
        unchanged=counts[Outcome.UNCHANGED],
        rejected=rejected,
        rejections=tuple(sorted(tally.rejections, key=lambda r: r.line)),
        qualities=dict(sorted(tally.qualities.items())),
        extra=dict(sorted(tally.extra.items())),
        dry_run=dry_run,
        refused=strict and rejected > 0,
        rows=rows,
    )


def rejects_path_for(path: Path) -> Path:
    """Return where the rejected rows of ``path`` go: ``FILE.rejects.csv`` beside it."""
    return path.with_name(path.name + ".rejects.csv")


def write_rejects(report: ImportReport, register: RegisterFile, path: Path) -> Path | None:
    """Write the rejected rows beside the register, or remove a stale rejects file.

    The file holds the row's line in the register and the reason, then the original columns as
    written; it is UTF-8 with a byte-order mark (Excel opens it correctly) and uses the
    register's delimiter. The two added columns are ignored when the file is imported again.
    Returns the path written, or ``None`` when no row was rejected.
    """
    target = rejects_path_for(path)
    if not report.rejections:
        target.unlink(missing_ok=True)
        return None
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=register.delimiter)
        writer.writerow([*REJECT_COLUMNS, *register.header])
        for rejection in report.rejections:
            writer.writerow([rejection.line, rejection.reason, *rejection.cells])
    return target


def report_path_for(path: Path) -> Path:
    """Return where the report of every row of ``path`` goes: ``FILE.report.csv`` beside it."""
    return path.with_name(path.name + ".report.csv")


def write_row_report(report: ImportReport, register: RegisterFile, path: Path) -> Path:
    """Write one line per row read beside the register, replacing an earlier report.

    Written on every run (a dry run and a ``--strict`` refusal too: the outcomes are then
    what a real run would do), UTF-8 with a byte-order mark and the register's delimiter, like
    the rejects file.

    Raises
    ------
    AssertionError
        When the report would not hold exactly one line per row read (a bug; nothing lost
        silently).
    """
    if len(report.rows) != report.rows_read or len(register.rows) != report.rows_read:
        msg = f"import bug: {len(report.rows)} report lines for {report.rows_read} rows read"
        raise AssertionError(msg)
    target = report_path_for(path)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=register.delimiter)
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(line.cells() for line in report.rows)
    return target


@dataclass(frozen=True)
class Plan:
    """A kind's decision for every row, and the writes that carry it out.

    Planning only reads; ``apply`` writes (in the import's transaction). A dry run or a
    ``--strict`` refusal reports the plan and never calls ``apply``.
    """

    tally: Tally
    apply: Callable[[], None]


def stored_region(region: Region | None) -> Region:
    """Return the import's region (kinds that need one are always given one)."""
    if region is None or region.id is None:  # pragma: no cover (the runner resolves it)
        raise AssertionError("this kind of import needs a stored region")
    return region
