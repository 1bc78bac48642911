"""Read a register file (CSV or XLSX) into rows keyed by canonical column names.

Registers come from spreadsheets: Excel's "CSV UTF-8" (with a byte-order mark, ``;`` in
Norway and Sweden), exports with ``,`` and quoted fields, CRLF line ends, or the workbook
itself. Whatever the form, each row keeps the line number a person sees in the file (the header
is line 1), so a rejected row can be found and fixed. Headers are matched without regard to
case, spacing, punctuation or accents, through each kind's aliases (``gate``, ``gatuadress``,
``husnummer``, ``postnummer``, ...); an unknown or missing column stops the import before
anything is matched, naming the columns the kind accepts.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sitecrew.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

#: Columns the rejects file adds; a corrected rejects file can be imported again as it is.
REJECT_COLUMNS = ("rejected_line", "rejected_reason")
#: Spreadsheet formats that are not read (they would otherwise be taken for broken CSV).
OTHER_SPREADSHEETS = frozenset({".xls", ".ods", ".numbers"})
#: Delimiters a CSV register may use, in order of preference when counts tie.
DELIMITERS = (";", ",", "\t")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ß": "ss"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Column:
    """One column a kind of register may have: its canonical name and the names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SourceRow:
    """One data row: its line in the file, its values by canonical column, its cells as read."""

    line: int
    values: dict[str, str]
    cells: tuple[str, ...]
    #: Why the row cannot be read at all (more fields than the header names), else ``None``.
    problem: str | None = None

    def get(self, column: str) -> str:
        """Return the trimmed value of ``column`` (``""`` when empty or absent)."""
        return self.values.get(column, "")


@dataclass(frozen=True)
class RegisterFile:
    """What was read: the header as written, the canonical columns present, and the rows."""

    header: tuple[str, ...]
    columns: frozenset[str]
    rows: list[SourceRow]
    #: The delimiter of a CSV file (the rejects file uses the same); ``;`` for workbooks.
    delimiter: str


def fold_header(text: str) -> str:
    """Return a header as compared: ``" Tenant E-mail "`` -> ``"tenant_e_mail"``.

    Case, accents, Nordic letters and any run of spaces or punctuation are folded, so
    ``Gatuadress``, ``GATUADRESS`` and ``gatu adress`` differ only where the words differ.
    """
    text = unicodedata.normalize("NFKD", text.strip().lower().translate(_FOLD))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _SEPARATORS.sub("_", text).strip("_")


def read_register(
    path: Path, columns: Sequence[Column], *, one_of: Sequence[tuple[str, ...]] = ()
) -> RegisterFile:
    """Read a CSV or XLSX register and map its header to ``columns``.

    Parameters
    ----------
    path
        A ``.csv`` (or ``.txt``) file in UTF-8, or an ``.xlsx`` workbook (first sheet).
    columns
        The columns of the kind, with aliases; required ones must be present.
    one_of
        Groups of columns of which at least one complete group must be present (furniture:
        ``("street", "housenumber")`` or ``("lon", "lat")``).

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When the file cannot be read (not UTF-8, not a workbook, empty) or its header names
        an unknown column, the same column twice, or lacks a required one.
    """
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    if path.suffix.lower() in OTHER_SPREADSHEETS:
        msg = f"{path.name}: {path.suffix} files are not read; save it as .xlsx or as CSV UTF-8"
        raise InvalidInputError(msg)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        table, delimiter = _workbook_rows(path), ";"
    else:
        table, delimiter = _csv_rows(path)
    return _register_from_table(path, table, columns, one_of, delimiter)


def _register_from_table(
    path: Path,
    table: Iterator[tuple[int, list[str]]],
    columns: Sequence[Column],
    one_of: Sequence[tuple[str, ...]],
    delimiter: str,
) -> RegisterFile:
    first = next(table, None)
    if first is None:
        raise InvalidInputError(f"{path.name} is empty: the first line must name the columns")
    header = tuple(cell.strip() for cell in first[1])
    names = _resolve_header(path.name, header, columns, one_of)
    rows = []
    for line, cells in table:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (or a row of empty cells) is no row of the register
        values = {
            name: cell.strip()
            for name, cell in zip(names, cells, strict=False)
            if name is not None and cell.strip()
        }
        problem = None
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            problem = (
                f"{len(cells)} fields but the header names {len(header)} "
                f"(a value holding {delimiter!r} must be in double quotes)"
            )
        rows.append(SourceRow(line, values, tuple(cells), problem))
    present = frozenset(name for name in names if name is not None)
    return RegisterFile(header, present, rows, delimiter)


def _resolve_header(
    file_name: str,
    header: Sequence[str],
    columns: Sequence[Column],
    one_of: Sequence[tuple[str, ...]],
) -> list[str | None]:
    """Return the canonical name of each header cell (``None`` for the rejects file's own)."""
    lookup = {fold_header(alias): column.name for column in columns for alias in _names(column)}
    ignored = {fold_header(name) for name in REJECT_COLUMNS}
    names: list[str | None] = []
    unknown, seen = [], set()
    for cell in header:
        folded = fold_header(cell)
        if folded in ignored or (not folded and not cell):
            names.append(None)
            continue
        name = lookup.get(folded)
        if name is None:
            unknown.append(cell)
        elif name in seen:
            raise InvalidInputError(f"{file_name}: two columns mean {name!r} (one is {cell!r})")
        seen.add(name or "")
        names.append(name)
    if unknown:
        raise InvalidInputError(
            f"{file_name}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {describe_columns(columns)}"
        )
    _require_columns(file_name, seen, columns, one_of)
    return names


def _require_columns(
    file_name: str, seen: set[str], columns: Sequence[Column], one_of: Sequence[tuple[str, ...]]
) -> None:
    missing = [column.name for column in columns if column.required and column.name not in seen]
    if missing:
        raise InvalidInputError(
            f"{file_name}: missing required column(s) {', '.join(missing)}; "
            f"accepted: {describe_columns(columns)}"
        )
    if one_of and not any(all(name in seen for name in group) for group in one_of):
        groups = " or ".join(" + ".join(group) for group in one_of)
        raise InvalidInputError(f"{file_name}: needs the columns {groups}")


def _names(column: Column) -> Iterable[str]:
    yield column.name
    yield from column.aliases


def describe_columns(columns: Sequence[Column]) -> str:
    """Return the columns of a kind as one line: required ones marked, aliases in brackets."""
    parts = []
    for column in columns:
        mark = "*" if column.required else ""
        aliases = f" ({', '.join(column.aliases)})" if column.aliases else ""
        parts.append(f"{column.name}{mark}{aliases}")
    return "; ".join(parts) + " (* required)"


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[str]]], str]:
    text = csv_text(path.read_bytes(), path.name)
    delimiter = sniff_delimiter(text)
    return _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter


def csv_text(raw: bytes, name: str) -> str:
    """Return a CSV file's text (UTF-8, with or without Excel's byte-order mark).

    Raises
    ------
    InvalidInputError
        When the bytes are not UTF-8 (with the line and how to save the file right) or hold
        NUL bytes (not a text file).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        msg = (
            f"{name} is not UTF-8 (line {line}); save it as 'CSV UTF-8' "
            "(Excel: Save As > CSV UTF-8)"
        )
        raise InvalidInputError(msg) from None
    if "\x00" in text:
        raise InvalidInputError(f"{name} is not a text file (it holds NUL bytes)")
    return text


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of a CSV text: the one its header line holds most of (``;`` on ties).

    Quoted parts of the header are left out of the count, so a header like ``"Gate, nr";Unit``
    is still seen as ``;``-separated.
    """
    first_line = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Yield each record with the line it starts on (quoted fields may span lines)."""
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1  # type: ignore[attr-defined]
    except csv.Error as error:
        raise InvalidInputError(
            f"the file cannot be read as CSV near line {line}: {error}"
        ) from None


def _workbook_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # noqa: PLC0415 (only workbook imports need it)

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InvalidInputError(
            f"{path.name} cannot be read as an XLSX workbook: {error}"
        ) from None
    return _sheet_rows(workbook)


def _sheet_rows(workbook: object) -> Iterator[tuple[int, list[str]]]:
    try:
        sheet = workbook.worksheets[0]  # type: ignore[attr-defined]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in values]
    finally:
        workbook.close()  # type: ignore[attr-defined]


def cell_text(value: object) -> str:
    """Return a workbook cell as the text a person sees (``12.0`` -> ``"12"``, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
