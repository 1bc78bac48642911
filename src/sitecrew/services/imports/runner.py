"""``import_file``: read a register, plan every row, write all of it or nothing, report.

The steps are the same for every kind: read the file (an unreadable file, an unknown or a
missing column stops here, before anything is matched), plan each row against what the database
holds (read-only), then, unless this is a dry run or ``--strict`` found rejected rows, write the
plan in one transaction together with a line in the personal-data log. The rejected rows go to
``FILE.rejects.csv`` in every case, so a dry run shows exactly what a real run would refuse, and
every row read goes to ``FILE.report.csv`` with its outcome and how its address was matched.

**The log.** Every import that runs records one ``import:<kind>`` line (counts only, the file's
name and SHA-256, who ran it), because registers carry tenants' personal data and an importer
cannot tell which files do. A dry run still reads the personal data, so it records
``import:<kind>:dry-run`` (the only row a dry run writes). A ``--strict`` refusal writes nothing
at all, not even the log line: nothing of the file entered the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError
from sitecrew.services.imports import apartments, crews, furniture, organisations
from sitecrew.services.imports.reading import Column, SourceRow, read_register
from sitecrew.services.imports.report import report_from_tally, write_rejects, write_row_report
from sitecrew.services.personal_data import file_sha256, record_personal_data_event
from sitecrew.services.progress import ProgressCallback, no_progress
from sitecrew.services.regions import get_region_by_ref

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import Region
    from sitecrew.services.imports.reading import RegisterFile
    from sitecrew.services.imports.report import ImportReport, Plan

    Planner = Callable[[Session, RegisterFile, Region | None, ProgressCallback], Plan]


def _cell(column: str) -> Callable[[SourceRow], str]:
    """Name rows by one column's value."""
    return lambda row: row.get(column)


def _crew_member(row: SourceRow) -> str:
    """Name a crews row by its crew and member: ``"Crew North / Kari Nordmann"``."""
    return f"{row.get('crew')} / {row.get('member')}"


@dataclass(frozen=True)
class Kind:
    """One kind of register: its columns and how its rows are planned."""

    name: str
    columns: Sequence[Column]
    plan: Planner
    #: What names a row in the report file (``external_ref``, ``serial``, crew and member ...).
    key: Callable[[SourceRow], str]
    needs_region: bool = True
    #: Groups of columns of which one must be complete (furniture: an address or lon/lat).
    one_of: tuple[tuple[str, ...], ...] = ()


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("apartments", apartments.COLUMNS, apartments.plan, _cell("external_ref")),
        Kind(
            "furniture", furniture.COLUMNS, furniture.plan, _cell("serial"), one_of=furniture.ONE_OF
        ),
        Kind("crews", crews.COLUMNS, crews.plan, _crew_member),
        Kind(
            "organisations",
            organisations.COLUMNS,
            organisations.plan,
            _cell("name"),
            needs_region=False,
        ),
        Kind(
            "districts",
            organisations.DISTRICT_COLUMNS,
            organisations.plan_districts,
            _cell("district"),
        ),
    )
}


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    region: str | None,
    actor: str,
    dry_run: bool = False,
    strict: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    """Import one register file of ``kind`` (a trusted writer: the command line, as admin).

    Parameters
    ----------
    session
        The session whose transaction receives the import (a savepoint when one is open).
    kind
        ``apartments``, ``furniture``, ``crews``, ``organisations`` or ``districts``.
    path
        The CSV or XLSX file; rejected rows are written to ``<path>.rejects.csv``, every row's
        outcome and address match to ``<path>.report.csv``.
    region
        The region's slug or id; may be left out when the database holds exactly one region.
    actor
        Who runs the import, for the personal-data log.
    dry_run
        Match and report everything, write nothing but the log's dry-run line.
    strict
        Write nothing when any row is rejected (the report says ``refused``).
    progress
        ``progress(step, done, total)``.

    Raises
    ------
    NotFoundError
        When the file or the region does not exist.
    InvalidInputError
        For an unknown kind, an unreadable file, unknown or missing columns, a missing
        ``--region`` where several regions exist, or a rejects or report file that cannot be
        written beside the register (nothing is imported then).
    ConflictError
        When rows to update were changed by someone else while the import ran, or the
        database refused a write; nothing is written then.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInputError(f"unknown import kind {kind!r}; kinds: {', '.join(KINDS)}")
    register = read_register(path, spec.columns, one_of=spec.one_of)
    progress("Reading", len(register.rows), len(register.rows))
    with transaction(session):
        target = resolve_region(session, region) if spec.needs_region else None
        plan = spec.plan(session, register, target, progress)
        report = report_from_tally(
            plan.tally, register, kind=kind, file_name=path.name, dry_run=dry_run,
            strict=strict, key=spec.key,
        )  # fmt: skip
        if report.written:
            _apply(plan)
        if not report.refused:
            _log(session, report, path, actor=actor)
        return _write_files(report, register, path)


def _write_files(report: ImportReport, register: RegisterFile, path: Path) -> ImportReport:
    """Write the rejects and report files (inside the import's transaction: no file, no import).

    Raises
    ------
    InvalidInputError
        When a file cannot be written beside the register (a read-only folder).
    """
    try:
        return replace(
            report,
            rejects_path=write_rejects(report, register, path),
            report_path=write_row_report(report, register, path),
        )
    except OSError as error:
        msg = (
            f"cannot write {error.filename or 'the report'} beside {path.name} "
            f"({error.strerror}); nothing was imported"
        )
        raise InvalidInputError(msg) from None


def resolve_region(session: Session, ref: str | None) -> Region:
    """Return the region ``ref`` names, or the only one when ``ref`` is not given.

    Raises
    ------
    NotFoundError
        When no such region exists, or none at all.
    InvalidInputError
        When ``ref`` is missing and several regions exist.
    """
    if ref is not None:
        return get_region_by_ref(session, ref)
    slugs = list(session.scalars(select(m.Region.slug).order_by(m.Region.slug).limit(20)))
    if not slugs:
        raise NotFoundError("no regions yet: add one with `sitecrew region add`")
    if len(slugs) > 1:
        raise InvalidInputError(f"name the region with --region: one of {', '.join(slugs)}")
    return get_region_by_ref(session, slugs[0])


def _apply(plan: Plan) -> None:
    """Carry out a plan; a refusal by the database is a Conflict and nothing is written.

    Planning checked everything it could see, so this happens only when someone else wrote
    meanwhile (a flat's unit taken, a row's version moved) or the file swaps two flats' units.
    """
    try:
        plan.apply()
    except StaleDataError:
        raise ConflictError(
            "rows of this file were changed by someone else; import again"
        ) from None
    except IntegrityError as error:
        reason = str(error.orig).splitlines()[0]
        raise ConflictError(
            f"the database refused the import ({reason}); nothing was written"
        ) from None


def _log(session: Session, report: ImportReport, path: Path, *, actor: str) -> None:
    action = f"import:{report.kind}" + (":dry-run" if report.dry_run else "")
    record_personal_data_event(
        session,
        actor=actor,
        action=action,
        subject=path.name,
        file_sha256=file_sha256(path),
        detail=report.counts(),
    )
