"""Staff reads of tenants' data: what one operation showed, recorded as one log line.

A privacy officer must be able to answer "who saw this tenant's phone number, and when". Every
operation by staff (admins, planners, contractors, crews, service tokens) that shows a tenant's
name, phone, e-mail, an apartment's access notes (door codes) or a message's recipient adds one
line to the personal-data log (action ``read``): who, when, through which operation, and which
fields of which apartments, never the values. The API notes each field as it is resolved
(:class:`TenantReads`, in memory) and writes the line once, after the operation has run and
before its answer leaves (``api.tenant_reads``): one insert of the line and one of its
apartments per operation, however many stops or apartments it showed.

A tenant's own reads through its self-service link are not staff reads and are not recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitecrew.services.personal_data import record_personal_data_event

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session

#: The action of a staff read in the personal-data log.
READ = "read"


class TenantReads:
    """The tenant fields one operation showed, per apartment (field names only, no values)."""

    def __init__(self) -> None:
        self._fields: dict[int, set[str]] = {}

    def note(self, apartment_id: int, field: str) -> None:
        """Remember that ``field`` of ``apartment_id`` was shown to the caller."""
        self._fields.setdefault(apartment_id, set()).add(field)

    def __bool__(self) -> bool:
        return bool(self._fields)

    def take(self) -> dict[int, frozenset[str]]:
        """Return what was noted since the last call, and forget it (one line per result)."""
        taken = {apartment: frozenset(fields) for apartment, fields in self._fields.items()}
        self._fields.clear()
        return taken


def record_tenant_reads(
    session: Session,
    *,
    actor: str,
    operation: str,
    reads: Mapping[int, frozenset[str]],
    request_id: str | None = None,
) -> None:
    """Write one ``read`` line for an operation's reads, with its apartments beside it.

    Parameters
    ----------
    session
        A session in a transaction of its own (the caller commits it before answering).
    actor
        ``api_actor(principal)`` of the staff member or token that read.
    operation
        What was run, e.g. ``graphql query CrewDay: myRoute``.
    reads
        Field names per apartment, as :meth:`TenantReads.take` returns them.
    request_id
        The server's request id, to find the request's other log lines.
    """
    groups: dict[frozenset[str], list[int]] = {}
    for apartment, fields in sorted(reads.items()):
        groups.setdefault(fields, []).append(apartment)
    detail = {
        "read": [
            {"fields": sorted(fields), "apartments": apartments}
            for fields, apartments in sorted(groups.items(), key=lambda item: sorted(item[0]))
        ],
        "request_id": request_id,
    }
    record_personal_data_event(
        session, actor=actor, action=READ, subject=operation, detail=detail, apartments=reads
    )
