"""The personal-data log: every import, edit, export, staff read and erasure leaves a line.

Tenants' names, phones and e-mails are personal data. Whoever brings them in, hands them out,
reads them or takes them out again is recorded (who, when, which file and its SHA-256, how many
rows, which apartments), so the data controller can answer "where did this come from", "who saw
it" and "was it erased". The log holds counts, field names and ids, never the personal data
itself, and is written in the same transaction as the change it records: an import rolled back
leaves no line claiming it happened. The apartments a line is about are kept beside it
(``personal_data_subjects``), so the log can be asked about one tenant without a scan.
"""

from __future__ import annotations

import getpass
import hashlib
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from sitecrew.db import models as m

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Bytes read at a time when hashing a file.
_CHUNK = 1 << 20


def command_line_actor() -> str:
    """Return who runs this command: ``cli:<user>@<host>`` (the operating-system account)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"[:200]


def api_actor(principal: Principal) -> str:
    """Return who calls through the API: the role and the token's id."""
    return f"api:{principal.role.value}:token/{principal.token_id}"


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, so the log names exactly which file was imported."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def record_personal_data_event(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    file_sha256: str | None = None,
    detail: dict[str, Any] | None = None,
    apartments: Iterable[int] = (),
) -> None:
    """Add one line to the log inside the caller's transaction.

    Parameters
    ----------
    session
        The session of the change being recorded (its transaction commits both or neither).
    actor
        :func:`command_line_actor` or :func:`api_actor`.
    action
        ``import:<kind>`` (``import:<kind>:dry-run`` for a dry run) or ``erase``.
    subject
        The file's name, or ``apartment/<id>``.
    file_sha256
        The file's hash, for imports.
    detail
        Counts, field names and ids only; never names, phones or e-mails.
    apartments
        The apartments the line is about (one insert for all of them, none when empty).
    """
    event = m.PersonalDataEvent(
        at=datetime.now(UTC),
        actor=actor[:200],
        action=action[:32],
        subject=subject[:500],
        file_sha256=file_sha256,
        detail=detail,
    )
    session.add(event)
    session.flush()
    subjects = [{"event_id": event.id, "apartment_id": a} for a in sorted(set(apartments))]
    if subjects:
        session.execute(insert(m.PersonalDataSubject), subjects)
